"""The request helpers of ``web.context``: a write's command, waits and read."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import anyio
import psycopg
import pytest
from starlette.requests import Request

from domain.errors import ConcurrentModification
from schema.settings import Settings
from tests.unit.web.fakes import FakeReadModel, FakeRegistry
from web.context import Context, Written
from web.errors import ApiError


@dataclass(frozen=True)
class Done:
    position: int | None
    version: int = 1


def _context(steps: list[tuple[str, object, int]]) -> Context:
    def wait_for(name: str, position: int, timeout: float) -> bool:
        steps.append(("wait", (name, position), threading.get_ident()))
        return True

    read = FakeReadModel()
    return Context(
        settings=Settings(rate_limits="off"),
        registry=FakeRegistry(read),
        read_model=read,
        wait_for=wait_for,
        idempotency=None,
    )


def test_a_write_runs_its_command_waits_and_read_in_order_in_one_worker_thread() -> None:
    steps: list[tuple[str, object, int]] = []
    ctx = _context(steps)

    def command() -> Done:
        steps.append(("command", None, threading.get_ident()))
        return Done(position=7)

    def read(done: Done) -> str:
        steps.append(("read", done.position, threading.get_ident()))
        return "doc"

    async def main() -> Written[Done, str]:
        return await ctx.write(command, ("submissions", "submission_history"), read)

    written = anyio.run(main)
    assert (written.result, written.doc, written.headers) == (Done(position=7), "doc", {})
    assert [(kind, what) for kind, what, _ in steps] == [
        ("command", None),
        ("wait", ("submissions", 7)),
        ("wait", ("submission_history", 7)),
        ("read", 7),
    ]
    threads = {thread for _, _, thread in steps}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}  # not on the event loop's thread


def test_a_write_that_recorded_nothing_reads_without_waiting() -> None:
    steps: list[tuple[str, object, int]] = []
    ctx = _context(steps)

    async def main() -> Written[Done, str]:
        return await ctx.write(lambda: Done(position=None), ("submissions",), lambda d: "doc")

    assert anyio.run(main) == Written(Done(position=None), "doc", None)
    assert steps == []


def _request(host: str, scheme: str = "http", root_path: str = "") -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "server": ["127.0.0.1", 8000],
            "path": "/api/v1/submissions/",
            "root_path": root_path,
            "query_string": b"",
            "headers": [(b"host", host.encode())],
        }
    )


def test_links_follow_each_requests_host_scheme_and_root_path() -> None:
    ctx = _context([])
    cases = [
        (("a.example",), "http://a.example/"),
        (("b.example:8443", "https"), "https://b.example:8443/"),
        (("a.example", "http", "/registry"), "http://a.example/registry/"),
        (("a.example",), "http://a.example/"),
    ]
    for args, expected in cases:
        assert ctx.base_url(_request(*args)) == expected
        doc = ctx.with_links(_request(*args), {"id": "x", "version": 3})
        assert doc == {
            "id": "x",
            "links": {
                "self": f"{expected}api/v1/submissions/x/",
                "schema": f"{expected}api/schema/",
                "docs": f"{expected}api/docs/",
            },
        }


def test_the_configured_public_base_url_wins_over_the_request() -> None:
    ctx = _context([])
    ctx.settings = Settings(rate_limits="off", public_base_url="https://registry.example/x")
    assert ctx.base_url(_request("a.example")) == "https://registry.example/x/"


def test_a_committed_write_whose_reads_fail_answers_what_the_command_knows() -> None:
    ctx = _context([])

    def broken(done: Done) -> str:
        raise RuntimeError("read side broken")

    async def main() -> Written[Done, str]:
        return await ctx.write(lambda: Done(position=3), ("submissions",), broken)

    written = anyio.run(main)
    assert (written.result, written.doc) == (Done(position=3), None)
    assert written.headers == {"Read-Your-Writes": "unavailable"}


def test_a_stale_read_falls_back_to_the_event_log_and_says_so() -> None:
    ctx = _context([])

    async def main() -> Written[Done, str]:
        return await ctx.write(
            lambda: Done(position=3),
            ("submissions",),
            lambda done: None,  # the read tables show an older version
            fallback=lambda done: "from the log",
            read_checks=True,
        )

    written = anyio.run(main)
    assert (written.doc, written.headers) == ("from the log", {"Read-Your-Writes": "event-log"})


def test_a_quarantined_subject_is_neither_waited_for_nor_read_from_the_read_tables() -> None:
    steps: list[tuple[str, object, int]] = []
    read = FakeReadModel()
    ctx = Context(
        settings=Settings(rate_limits="off"),
        registry=FakeRegistry(read),
        read_model=read,
        wait_for=lambda name, position, timeout: bool(steps.append(("wait", name, 0))),
        idempotency=None,
        quarantined=lambda projection, subject: (projection, subject) == ("submissions", "s1"),
    )

    async def main() -> Written[Done, str]:
        return await ctx.write(
            lambda: Done(position=3),
            ("submissions",),
            lambda done: "stale row",
            fallback=lambda done: "from the log",
            read_checks=True,
            subject=lambda done: "s1",
        )

    written = anyio.run(main)
    assert (written.doc, steps) == ("from the log", [])


def test_a_write_without_a_version_retries_a_lost_race_and_a_database_failure_is_503() -> None:
    ctx = _context([])
    attempts: list[int] = []

    def racing() -> Done:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConcurrentModification("lost a race")
        return Done(position=5)

    async def main() -> Written[Done, str]:
        return await ctx.write(racing, ("submissions",), lambda done: "doc", retry="s1")

    assert anyio.run(main).result == Done(position=5)
    assert len(attempts) == 3

    def unreachable() -> Done:
        raise psycopg.OperationalError("connection refused")

    async def refused() -> Written[Done, str]:
        return await ctx.write(unreachable, ("submissions",), lambda done: "doc")

    with pytest.raises(ApiError) as caught:
        anyio.run(refused)
    assert (caught.value.status, caught.value.kind) == (503, "not-recorded")
    assert caught.value.headers == {"Retry-After": "2"}
