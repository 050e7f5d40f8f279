"""A fake bio.tools server for tests, benchmarks and offline development.

It serves the 60 real records in `bench/fixtures/biotools/` at `/api/tool/<id>/` (also `/api/t/`
and without the trailing slash; IDs case-insensitive, `biotools:` prefix allowed), in the
content-snapshot shape or the live-API shape, and answers 404 `{"detail": "Not found."}` for
unknown IDs. It can be told to misbehave: answer 429 with Retry-After, answer 500, or stall before
answering, for every request or for the next N, via `POST /_control` or `FakeBioTools.set_mode`.

    python -m bench.fake_biotools --port 8765 [--shape live|snapshot] [--fixtures DIR]

In tests: `with FakeBioTools() as fake: client = BioToolsClient(fake.base_url)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from schema.biotools import with_api_defaults

__all__ = ["FIXTURES_DIR", "FakeBioTools", "FakeState", "Mode", "build_app", "free_port", "main"]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "biotools"

Shape = Literal["snapshot", "live"]
ModeName = Literal["ok", "429", "500", "stall"]


@dataclass(frozen=True)
class Mode:
    """How the fake answers: `name` for the next `times` tool requests (None: until changed)."""

    name: ModeName = "ok"
    retry_after: str = "1"
    stall_seconds: float = 5.0
    times: int | None = None


@dataclass
class FakeState:
    """The fake's records, misbehaviour mode and request counts; safe to touch from any thread."""

    records: dict[str, dict[str, Any]]
    shape: Shape = "snapshot"
    mode: Mode = field(default_factory=Mode)
    requests: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_directory(cls, directory: Path = FIXTURES_DIR, shape: Shape = "snapshot") -> FakeState:
        """Load every `<id>.json` file of a directory, keyed by the case-folded ID."""
        records: dict[str, dict[str, Any]] = {}
        for path in sorted(directory.glob("*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            records[str(raw.get("biotoolsID", path.stem)).casefold()] = raw
        return cls(records=records, shape=shape)

    def set_mode(self, mode: Mode) -> None:
        """Switch the misbehaviour mode (and reset its countdown)."""
        with self._lock:
            self.mode = mode

    def put_record(self, raw: Mapping[str, Any]) -> None:
        """Add or replace one record (e.g. to make a tool "change" upstream)."""
        with self._lock:
            self.records[str(raw["biotoolsID"]).casefold()] = dict(raw)

    def remove_record(self, biotools_id: str) -> None:
        """Make a tool disappear (its lookups then answer 404)."""
        with self._lock:
            self.records.pop(biotools_id.casefold(), None)

    def take_mode(self, biotools_id: str) -> Mode:
        """Count one tool request and return the mode that applies to it."""
        with self._lock:
            self.requests[biotools_id.casefold()] += 1
            self.requests["*"] += 1
            mode = self.mode
            if mode.name != "ok" and mode.times is not None:
                left = mode.times - 1
                self.mode = Mode() if left <= 0 else replace(mode, times=left)
            return mode

    def lookup(self, biotools_id: str) -> dict[str, Any] | None:
        """The record in the configured shape, or None."""
        with self._lock:
            raw = self.records.get(biotools_id.casefold())
            shape = self.shape
        if raw is None:
            return None
        return with_api_defaults(raw) if shape == "live" else raw


def build_app(state: FakeState) -> Starlette:
    """The Starlette app serving `state`."""

    async def tool(request: Request) -> Response:
        biotools_id: str = request.path_params["biotools_id"]
        if biotools_id.lower().startswith("biotools:"):
            biotools_id = biotools_id[len("biotools:") :]
        mode = state.take_mode(biotools_id)
        if mode.name == "429":
            return JSONResponse(
                {"detail": "Request was throttled."},
                status_code=429,
                headers={"Retry-After": mode.retry_after},
            )
        if mode.name == "500":
            return JSONResponse({"detail": "Server error."}, status_code=500)
        if mode.name == "stall":
            await asyncio.sleep(mode.stall_seconds)
        record = state.lookup(biotools_id)
        if record is None:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        return JSONResponse(record)

    async def control(request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            if "shape" in body:
                state.shape = body["shape"]
            state.set_mode(
                Mode(
                    name=body.get("mode", "ok"),
                    retry_after=str(body.get("retry_after", "1")),
                    stall_seconds=float(body.get("stall_seconds", 5.0)),
                    times=body.get("times"),
                )
            )
        mode = state.mode
        return JSONResponse(
            {
                "shape": state.shape,
                "mode": mode.name,
                "times": mode.times,
                "requests": dict(state.requests),
            }
        )

    async def put_tool(request: Request) -> Response:
        body = await request.json()
        state.put_record(body)
        return JSONResponse({"stored": body["biotoolsID"]}, status_code=201)

    routes = [
        Route("/_control", control, methods=["GET", "POST"]),
        Route("/_control/tools", put_tool, methods=["PUT"]),
    ]
    for prefix in ("/api/tool", "/api/t"):
        routes.append(Route(prefix + "/{biotools_id}/", tool, methods=["GET"]))
        routes.append(Route(prefix + "/{biotools_id}", tool, methods=["GET"]))
    return Starlette(routes=routes)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeBioTools:
    """The fake server running in-process (uvicorn in a background thread) on a free port."""

    def __init__(self, state: FakeState | None = None, *, port: int | None = None) -> None:
        self.state = state or FakeState.from_directory()
        self.port = port or free_port()
        config = uvicorn.Config(
            build_app(self.state),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            # The default (1000) starts shedding load before a throughput benchmark can saturate.
            limit_concurrency=None,
            # A stalled request must not hold up stopping the server at the end of a test.
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        """The API base URL to give `BioToolsClient`."""
        return f"http://127.0.0.1:{self.port}/api"

    def set_mode(self, mode: Mode) -> None:
        """Switch the misbehaviour mode."""
        self.state.set_mode(mode)

    def start(self) -> FakeBioTools:
        """Start serving; returns once the socket accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake bio.tools server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> FakeBioTools:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the fake server in the foreground."""
    parser = argparse.ArgumentParser(description="A fake bio.tools API serving fixture records.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shape", choices=["snapshot", "live"], default="snapshot")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES_DIR)
    parser.add_argument("--mode", choices=["ok", "429", "500", "stall"], default="ok")
    parser.add_argument("--retry-after", default="1")
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    state = FakeState.from_directory(args.fixtures, args.shape)
    state.set_mode(Mode(args.mode, args.retry_after, args.stall_seconds))
    uvicorn.run(build_app(state), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
