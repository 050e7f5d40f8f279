"""Turns an unexpected exception into a 500 problem document inside the request-id scope, so
even a bug answers with ``request_id`` and ``X-Request-ID`` (Starlette's own last-resort
handler sits outside every middleware and would lose both)."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.problems import problem

log = logging.getLogger("registry.web")


class ProblemOnErrorMiddleware:
    """Log the traceback and answer 500 when nothing has been sent yet; otherwise re-raise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = problem(500, "A server error occurred.")
            await response(scope, receive, send)
