"""Reads verify the caller and read in ONE trip to a worker thread, with the same answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import web.auth
import web.context
from tests.unit.web.conftest import Api


def _count_thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    trips: list[str] = []
    for module in (web.context, web.auth):
        real = module.run_in_threadpool

        async def counting(func: Callable[..., Any], *args: Any, _real: Any = real) -> Any:
            trips.append(getattr(func, "__name__", "?"))
            return await _real(func, *args)

        monkeypatch.setattr(module, "run_in_threadpool", counting)
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
