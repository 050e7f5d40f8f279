"""Refuses NUL characters in the path or query string with a 400 problem.

PostgreSQL text cannot hold NUL, so such a value would otherwise reach a query and fail there
as a 500; no legitimate client sends one.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from web.problems import problem


class NulGuardMiddleware:
    """Answer 400 when the path or query string contains a NUL (raw or percent-encoded)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query: bytes = scope.get("query_string", b"")
            if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
                response = problem(400, "NUL characters are not allowed in the URL.")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
