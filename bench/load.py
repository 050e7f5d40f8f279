"""Load generation: N concurrent asyncio tasks on loopback, each on its own keep-alive
connection (:mod:`bench.http`), on uvloop.

Every request's latency and status are recorded; a non-2xx answer or a transport error is an
error. The step ends after a fixed number of requests (shared by the tasks) or a duration.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import uvloop

from bench.http import Client, HttpError, Reply

#: Builds and sends request number ``i`` on the client; returns the response.
Send = Callable[[Client, int], Awaitable[Reply]]


@dataclass
class StepResult:
    """Raw outcome of one step: per-request latencies (s) and statuses (0: transport error)."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    seconds: float = 0.0
    first_error: str | None = None

    @property
    def errors(self) -> int:
        """Requests that did not answer 2xx."""
        return sum(1 for s in self.statuses if not 200 <= s < 300)


async def _run(
    base_url: str, send: Send, concurrency: int, count: int | None, duration: float | None
) -> StepResult:
    result = StepResult()
    numbers = itertools.count()
    clients = [Client(base_url) for _ in range(concurrency)]
    try:
        started = time.perf_counter()
        deadline = started + duration if duration is not None else None

        async def worker(client: Client) -> None:
            while True:
                i = next(numbers)
                if count is not None and i >= count:
                    return
                if deadline is not None and time.perf_counter() >= deadline:
                    return
                t0 = time.perf_counter()
                try:
                    response = await send(client, i)
                    status = response.status_code
                    if not 200 <= status < 300 and result.first_error is None:
                        result.first_error = f"{status}: {response.text[:300]}"
                except HttpError as exc:
                    status = 0
                    if result.first_error is None:
                        result.first_error = repr(exc)
                result.latencies.append(time.perf_counter() - t0)
                result.statuses.append(status)

        await asyncio.gather(*(worker(client) for client in clients))
        result.seconds = time.perf_counter() - started
    finally:
        for client in clients:
            await client.close()
    return result


def run_step(
    base_url: str,
    send: Send,
    concurrency: int,
    *,
    count: int | None = None,
    duration: float | None = None,
) -> StepResult:
    """Run one bounded step (``count`` requests or ``duration`` seconds) on ``base_url``."""
    if count is None and duration is None:
        raise ValueError("a step needs a count or a duration")
    if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("the load generator only targets loopback")
    return uvloop.run(_run(base_url, send, concurrency, count, duration))
