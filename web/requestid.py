"""The request id (``X-Request-ID``, a UUID) in a context variable while a request is served, so
every record logged on its behalf carries it (``registry.logs.RequestIdFilter``), and the body-read
deadline. The middleware that sets both is ``web.edge.EdgeMiddleware``."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

HEADER = "x-request-id"
_current: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request being served in this context ('' outside a request)."""
    return _current.get()


def start_request(request_id: str) -> Callable[[], None]:
    """Make ``request_id`` the current one in this context; returns what ends that."""
    token = _current.set(request_id)
    return lambda: _current.reset(token)


def with_deadline(receive: Receive, seconds: float) -> Receive:
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


def incoming_request_id(scope: Scope) -> str | None:
    """The client's ``X-Request-ID`` when it is a well-formed UUID (never arbitrary text into
    our logs), else None."""
    for key, value in scope.get("headers", []):
        if key == b"x-request-id":
            try:
                return str(uuid.UUID(value.decode("latin-1")))
            except ValueError:
                return None
    return None
