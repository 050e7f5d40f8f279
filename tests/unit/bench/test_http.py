"""The load generator's HTTP client against a scripted local server."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bench.http import Client, HttpError

Answer = Callable[[bytes], bytes]


async def _serving(answer: Answer, action: Callable[[str], Awaitable[None]]) -> list[bytes]:
    """Run ``action(base_url)`` against a server answering each request head with
    ``answer(head)``; return every request received (head + body)."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                seen.append(head + body)
                writer.write(answer(head))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await action(f"http://127.0.0.1:{port}")
    return seen


def _fixed(status: int, body: bytes, extra: bytes = b"") -> Answer:
    def answer(head: bytes) -> bytes:
        return (
            f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n".encode()
            + extra
            + b"\r\n"
            + body
        )

    return answer


def test_a_json_post_is_sent_framed_and_its_answer_read_on_one_connection() -> None:
    replies = []

    async def action(base: str) -> None:
        client = Client(base)
        replies.append(await client.post("/api/", json={"a": 1}, headers={"X-Key": "k"}))
        replies.append(await client.get("/api/", params={"page": "2", "q": "a b"}))
        await client.close()

    seen = asyncio.run(_serving(_fixed(201, b'{"id": "x"}'), action))
    assert [r.status_code for r in replies] == [201, 201]
    assert replies[0].json() == {"id": "x"}
    assert seen[0].startswith(b"POST /api/ HTTP/1.1\r\n")
    assert b"Content-Length: 7\r\n" in seen[0]
    assert b"X-Key: k\r\n" in seen[0]
    assert seen[0].endswith(b'\r\n\r\n{"a":1}')
    assert seen[1].startswith(b"GET /api/?page=2&q=a+b HTTP/1.1\r\n")


def test_a_chunked_answer_is_reassembled() -> None:
    def chunked(head: bytes) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n"
        )

    replies = []

    async def action(base: str) -> None:
        client = Client(base)
        replies.append(await client.get("/"))
        replies.append(await client.get("/"))
        await client.close()

    asyncio.run(_serving(chunked, action))
    assert [r.content for r in replies] == [b"abcdefg", b"abcdefg"]


def test_the_client_reconnects_after_the_server_closes_the_connection() -> None:
    replies = []

    async def action(base: str) -> None:
        client = Client(base)
        for _ in range(3):
            replies.append(await client.get("/"))
        await client.close()

    answer = _fixed(404, b"gone", b"Connection: close\r\n")
    seen = asyncio.run(_serving(answer, action))
    assert [r.status_code for r in replies] == [404, 404, 404]
    assert replies[0].text == "gone"
    assert len(seen) == 3


def test_a_garbled_answer_is_an_http_error() -> None:
    async def action(base: str) -> None:
        client = Client(base)
        with pytest.raises(HttpError):
            await client.get("/")
        await client.close()

    asyncio.run(_serving(lambda head: b"SPDY/3 200 OK\r\n\r\n", action))


def test_only_plain_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="only plain"):
        Client("https://127.0.0.1:1")
