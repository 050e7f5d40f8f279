"""Load generation on loopback, on uvloop, over keep-alive connections (:mod:`bench.http`).

Closed loop (``run_step``): N concurrent tasks, each sending its next request when the previous
one answered; its latencies leave out the time a request would have waited behind a slow one
(coordinated omission), so it measures throughput, labelled as such.

Open loop (``run_open``): requests are due at a fixed arrival rate, as wrk2 sends them, whatever
the answers do; a request's latency runs from the instant it was DUE, so time spent queueing
(for a free connection, in the server) counts, and its p99 is the one a client sees.

Every request's latency and status are recorded; a non-2xx answer or a transport error is an
error. A closed step ends after a fixed number of requests (shared by the tasks) or a duration.
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


async def _send(send: Send, client: Client, i: int, result: StepResult) -> int:
    """Send request ``i``; its status (0: transport error), the first failure kept."""
    try:
        response = await send(client, i)
    except HttpError as exc:
        if result.first_error is None:
            result.first_error = repr(exc)
        return 0
    status = response.status_code
    if not 200 <= status < 300 and result.first_error is None:
        result.first_error = f"{status}: {response.text[:300]}"
    return status


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
                status = await _send(send, client, i, result)
                result.latencies.append(time.perf_counter() - t0)
                result.statuses.append(status)

        await asyncio.gather(*(worker(client) for client in clients))
        result.seconds = time.perf_counter() - started
    finally:
        for client in clients:
            await client.close()
    return result


async def _open(base_url: str, send: Send, rate: float, count: int, connections: int) -> StepResult:
    result = StepResult()
    free: asyncio.Queue[Client] = asyncio.Queue()
    clients = [Client(base_url) for _ in range(connections)]
    for client in clients:
        free.put_nowait(client)
    loop = asyncio.get_running_loop()

    async def one(i: int, due: float) -> None:
        client = await free.get()
        try:
            status = await _send(send, client, i, result)
        finally:
            free.put_nowait(client)
        result.latencies.append(loop.time() - due)
        result.statuses.append(status)

    try:
        started = loop.time()
        tasks = []
        for i in range(count):
            due = started + i / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(i, due)))
        await asyncio.gather(*tasks)
        result.seconds = loop.time() - started
    finally:
        for client in clients:
            await client.close()
    return result


def run_open(
    base_url: str, send: Send, rate: float, count: int, *, connections: int = 64
) -> StepResult:
    """Send ``count`` requests due at ``rate`` per second over at most ``connections``
    keep-alive connections; each latency is from the request's due instant (open loop)."""
    if rate <= 0 or count <= 0:
        raise ValueError("an open-loop step needs a positive rate and count")
    if not base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("the load generator only targets loopback")
    return uvloop.run(_open(base_url, send, rate, count, connections))


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
