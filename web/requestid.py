"""The outermost layer of every HTTP request: its id, its log line and its body-read deadline.

- Every response carries ``X-Request-ID`` (a UUID), also used by problem documents; while the
  request is served the id is in a context variable, so every record logged on its behalf
  carries it (``registry.logs.RequestIdFilter``).
- One structured line per request on the ``registry.access`` logger: method, route template
  (never the raw path, which holds ids), status, duration in ms, request id and the client
  address as the trusted-proxy logic decides (``web.clientip``).
- A request body must arrive within ``REGISTRY_BODY_READ_TIMEOUT`` seconds of the request's
  start: a client that sends half a body and stalls gets a 408 and its connection closed,
  instead of holding the handler (and its slot) forever.

One middleware instead of three: each ASGI layer costs every request a few microseconds of the
event loop, which the benchmark found to be most of a cheap read's time.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from contextvars import ContextVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.clientip import Network, scope_client_ip

HEADER = "x-request-id"
_current: ContextVar[str] = ContextVar("request_id", default="")

access_log = logging.getLogger("registry.access")


def current_request_id() -> str:
    """The id of the request being served in this context ('' outside a request)."""
    return _current.get()


class RequestIdMiddleware:
    """Give each HTTP request a fresh UUID, expose it to handlers and logs, and send it back;
    log one line per request; bound the time its body may take to arrive.

    An incoming ``X-Request-ID`` is not trusted as-is: only a well-formed UUID is kept, so a client
    can correlate its own ids without injecting arbitrary text into our logs.

    Args:
        trusted: proxies whose ``X-Forwarded-For`` is believed, for the logged client address.
        log_requests: write the per-request line (``REGISTRY_ACCESS_LOG``).
        body_timeout: seconds from the request's start within which its body must be complete
            (None: no bound).
    """

    def __init__(
        self,
        app: ASGIApp,
        trusted: tuple[Network, ...] = (),
        log_requests: bool = True,
        body_timeout: float | None = None,
    ) -> None:
        self.app = app
        self.trusted = trusted
        self.log_requests = log_requests
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming(scope) or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        token = _current.set(request_id)
        status = 500  # what the client sees when nothing was sent (the server closes)

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        if self.body_timeout is not None:
            receive = _with_deadline(receive, self.body_timeout)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.log_requests:
                self._log(scope, status, started, request_id)
            _current.reset(token)

    def _log(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "<unmatched>"
        method = str(scope.get("method", ""))
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        access_log.info(
            "%s %s %d %.1f ms",
            method,
            template,
            status,
            duration_ms,
            extra={
                "method": method,
                "route": template,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "client_ip": scope_client_ip(scope, self.trusted),
                "_no_secrets": True,  # registry.logs.SAFE: nothing here to redact
            },
        )


def _with_deadline(receive: Receive, seconds: float) -> Receive:
    """``receive`` that raises a 408 when the body is not complete ``seconds`` from now.

    Only body messages are bounded: once the last one has arrived, later calls (Starlette's
    wait for a client disconnect during a long response) pass straight through.
    """
    deadline = asyncio.get_running_loop().time() + seconds
    complete = False

    async def receive_within() -> Message:
        nonlocal complete
        if complete:
            return await receive()
        try:
            async with asyncio.timeout_at(deadline):
                message = await receive()
        except TimeoutError:
            raise HTTPException(
                408,
                f"The request body did not arrive within {seconds:g} s.",
                headers={"Connection": "close"},
            ) from None
        complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message

    return receive_within


def _incoming(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            try:
                return str(uuid.UUID(value.decode("latin-1")))
            except ValueError:
                return None
    return None
