"""Reads verify the caller and read in ONE trip to a worker thread, with the same answers."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

import pytest

import web.context
from tests.unit.web.conftest import Api


def _count_thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    trips: list[str] = []
    real = web.context.in_thread

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(func, "__name__", "?"))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(web.context, "in_thread", counting)
    return trips


def test_a_detail_list_or_history_read_is_one_thread_trip(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = api.create()
    trips = _count_thread_trips(monkeypatch)
    base = f"/api/v1/submissions/{created['id']}/"
    for url, headers in (
        (base, api.owner(created)),
        (base + "history/", api.owner(created)),
        ("/api/v1/submissions/", api.admin(full=False)),
    ):
        trips.clear()
        assert api.client.get(url, headers=headers).status_code == 200, url
        assert len(trips) == 1, (url, trips)


def test_one_trip_reads_keep_their_refusals(api: Api) -> None:
    mine, other = api.create(), api.create()
    base = f"/api/v1/submissions/{mine['id']}/"
    for url in (base, base + "history/"):
        assert api.client.get(url).status_code == 401
        assert api.client.get(url, headers={"Authorization": "ApiKey "}).status_code == 401
        assert api.client.get(url, headers={"Authorization": "ApiKey nope"}).status_code == 401
        assert api.client.get(url, headers=api.owner(other)).status_code == 404
    listing = "/api/v1/submissions/"
    assert api.client.get(listing).status_code == 401
    assert api.client.get(listing, headers=api.owner(mine)).status_code == 403
    assert api.client.get(listing + "?page=0", headers=api.admin()).status_code == 404
    assert api.client.get(listing + "?page=0").status_code == 401
    assert api.client.get(base + "?as_of=yesterday", headers=api.owner(mine)).status_code == 400
    assert api.client.get(base + "?as_of=yesterday").status_code == 401


def test_a_detail_read_answers_the_document_with_its_etag(api: Api) -> None:
    created = api.create()
    url = f"/api/v1/submissions/{created['id']}/"
    for headers in (api.owner(created), api.admin(full=False)):
        response = api.client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.json()["id"] == created["id"]
        assert response.headers["ETag"] == created_etag(api, created)


def test_a_revoked_key_sees_401_and_no_document(api: Api) -> None:
    created = api.create()
    for key in api.read.keys.values():
        if key.submission_id is not None and str(key.submission_id) == created["id"]:
            api.read.keys[key.key_hash] = dataclasses.replace(key, is_active=False)
    url = f"/api/v1/submissions/{created['id']}/"
    response = api.client.get(url, headers=api.owner(created))
    assert response.status_code == 401
    assert "id" not in response.json()


def created_etag(api: Api, created: dict[str, Any]) -> str:
    return f'"{api.read.docs[uuid.UUID(created["id"])]["version"]}"'


def test_a_read_runs_in_a_worker_thread_with_the_requests_context() -> None:
    import contextvars
    import threading

    import anyio

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    def read() -> tuple[str, int]:
        return var.get(), threading.get_ident()

    async def main() -> tuple[str, int]:
        var.set("this request")
        return await web.context.in_read_thread(read)

    seen, thread = anyio.run(main)
    assert seen == "this request"
    assert thread != threading.get_ident()


def test_at_most_the_configured_number_of_blocking_calls_run_at_once() -> None:
    import contextlib
    import threading

    import anyio

    running, most = 0, 0
    lock = threading.Lock()
    two_in = threading.Barrier(2, timeout=5)

    def call() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        # The first two meet; a third would have to wait for a free thread.
        with contextlib.suppress(threading.BrokenBarrierError):
            two_in.wait()
        with lock:
            running -= 1

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            for _ in range(4):
                tasks.start_soon(web.context.in_thread, call)

    web.context.use_threads(2)
    try:
        anyio.run(main)
    finally:
        web.context.use_threads(web.context.DEFAULT_THREADS)
    assert most == 2
