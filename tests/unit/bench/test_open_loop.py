"""The open-loop load generator counts queueing: latency runs from each request's due instant."""

from __future__ import annotations

import asyncio

from bench import load
from bench.http import Client, Reply

SERVICE_S = 0.05


async def _slow_server_run(rate: float, count: int, connections: int) -> load.StepResult:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(SERVICE_S)  # one request at a time per connection
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def send(client: Client, i: int) -> Reply:
        return await client.get("/")

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        return await load._open(f"http://127.0.0.1:{port}", send, rate, count, connections)


def test_requests_due_faster_than_served_count_their_wait_from_the_due_instant() -> None:
    # One connection serving one request per 50 ms, requests due every 10 ms: the last of five
    # is due at 40 ms and answered at about 250 ms. A closed loop would report ~50 ms for each.
    result = asyncio.run(_slow_server_run(rate=100, count=5, connections=1))
    assert result.errors == 0
    assert len(result.latencies) == 5
    assert max(result.latencies) >= 4 * SERVICE_S
    assert min(result.latencies) >= SERVICE_S * 0.9


def test_requests_due_slower_than_served_wait_for_nothing_but_service() -> None:
    result = asyncio.run(_slow_server_run(rate=10, count=3, connections=1))
    assert result.errors == 0
    assert max(result.latencies) < 2 * SERVICE_S
    assert result.seconds >= 0.2  # the third request was due at 200 ms, not sent at once
