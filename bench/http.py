"""A lean HTTP/1.1 client for the load generator: one keep-alive connection per concurrent task.

The benchmark's client shares the 2-core machine with the server it measures, so every
microsecond it spends is taken from the server. With ``httpx`` the client process spent about
1.8 ms of CPU per create request (0.31 cores at 169 requests/s); this client writes each request
as one buffer and reads the answer by its ``Content-Length`` (or chunks), as wrk does. It speaks
only what the registry's API answers with: HTTP/1.1, keep-alive, ``Content-Length`` or
``Transfer-Encoding: chunked`` bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson

#: The most one response's head may be (the registry's are well under 2 KiB).
MAX_HEAD = 64 * 1024


class HttpError(Exception):
    """The connection failed or the server's answer could not be read."""


@dataclass(frozen=True)
class Reply:
    """One answer: status and raw body."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return orjson.loads(self.content)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (for error messages)."""
        return self.content.decode("utf-8", "replace")


class Client:
    """Requests on one connection, in sequence; reconnects after the server closes it.

    The API mirrors the few ``httpx.AsyncClient`` calls the workloads make (``get``, ``post``,
    ``patch`` with ``json=``, ``params=`` and ``headers=``).
    """

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"only plain http://host:port URLs: {base_url!r}")
        self._host = parts.hostname
        self._port = parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._authority = f"{self._host}:{self._port}".encode()
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(
        self, path: str, *, params: Mapping[str, str] | None = None, headers: Headers = None
    ) -> Reply:
        """GET ``path`` (with the query ``params``)."""
        if params:
            path = f"{path}?{urlencode(params)}"
        return await self.request("GET", path, headers=headers)

    async def post(self, path: str, *, json: Any, headers: Headers = None) -> Reply:
        """POST ``json`` to ``path``."""
        return await self.request("POST", path, headers=headers, body=orjson.dumps(json))

    async def patch(self, path: str, *, json: Any, headers: Headers = None) -> Reply:
        """PATCH ``path`` with ``json``."""
        return await self.request("PATCH", path, headers=headers, body=orjson.dumps(json))

    async def request(
        self, method: str, path: str, *, headers: Headers = None, body: bytes | None = None
    ) -> Reply:
        """Send one request and read its whole answer; :class:`HttpError` when that fails."""
        head = encode_head(method, self._prefix + path, self._authority, headers, body)
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await self._open()
                writer.write(head + body if body else head)
                reply, keep = await read_reply(reader)
        except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            await self.close()
            raise HttpError(repr(exc)) from exc
        if not keep:
            await self.close()
        return reply

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self._host, self._port, limit=MAX_HEAD
            )
        return self._reader, self._writer

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


Headers = Mapping[str, str] | None


def encode_head(
    method: str, target: str, authority: bytes, headers: Headers, body: bytes | None
) -> bytes:
    """The request line and headers, ending in the blank line."""
    lines = [f"{method} {target} HTTP/1.1".encode(), b"Host: " + authority]
    if body is not None:
        lines.append(b"Content-Type: application/json")
        lines.append(b"Content-Length: " + str(len(body)).encode())
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """Read one response; returns it and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
    status = int(parts[1])
    length: int | None = None
    chunked = False
    keep = parts[0] == b"HTTP/1.1"
    for line in rest.split(b"\r\n"):
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == b"content-length":
            length = int(value)
        elif key == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif key == b"connection":
            keep = b"close" not in value.lower()
    if chunked:
        body = await _read_chunks(reader)
    elif length is not None:
        body = await reader.readexactly(length)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:  # no framing: the body runs to the end of the connection
        body, keep = await reader.read(), False
    return Reply(status, body), keep


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
