"""The request helpers of ``web.context``: a write's command, waits and read."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import anyio
from starlette.requests import Request

from schema.settings import Settings
from tests.unit.web.fakes import FakeReadModel, FakeRegistry
from web.context import Context, Written


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
