"""HTML error pages for the pages' routes (spec/ui.md §5.1): everything outside ``/api/``,
``/health/`` and ``/metrics`` gets a page with a plain-language heading, the status in the title,
a next step and the contact; the API keeps its problem documents. The switch is by path, never
by ``Accept`` alone."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from web.edge import problem_on_error
from web.ui.render import Renderer

log = logging.getLogger("registry.web")

Handler = Callable[[Request, Exception], Awaitable[Response]]

TITLES: Final = {
    400: "The request could not be understood",
    403: "You do not have permission to view this page",
    404: "Page not found",
    405: "This action is not available here",
    410: "This service has been removed",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}

MESSAGES: Final = {
    400: "Check the address or the values you entered and try again.",
    403: "If you think you should have access, contact us.",
    404: "If you typed the web address, check it is correct. "
    "If you pasted the web address, check you copied the entire address.",
    405: "Go back to the previous page and use the buttons and links on it.",
    410: "This service has been removed from the registry.",
    429: "Wait a moment, then try again.",
    500: "Try again later.",
}

_NOT_PAGES: Final = ("/api/", "/health/", "/metrics")


def is_page(path: str) -> bool:
    """Whether ``path`` belongs to the pages (HTML errors) rather than the API."""
    return not path.startswith(_NOT_PAGES)


def error_page(
    renderer: Renderer,
    request: Request,
    status: int,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error page for ``status`` (never cached)."""
    return renderer.page(
        request,
        "error.html",
        {
            "status": status,
            "title": TITLES.get(status, "Sorry, there is a problem"),
            "message": message or MESSAGES.get(status, ""),
            "retry_after": (headers or {}).get("Retry-After"),
        },
        status=status,
        private=True,
        headers=headers,
    )


def pages_or(renderer: Renderer, api_handler: Handler) -> Handler:
    """An exception handler answering HTML on page paths and ``api_handler``'s answer else."""

    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await api_handler(request, exc)
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        detail = exc.detail if isinstance(exc, HTTPException) and status == 410 else None
        return error_page(renderer, request, status, detail, headers)

    return handle


def server_error(renderer: Renderer) -> Callable[[Scope], Response]:
    """The answer to a bug (``web.edge.EdgeMiddleware``'s ``on_error``): the HTML 500 page on a
    page path (inside the request-id scope, so the page shows its reference), the API's 500
    problem document elsewhere."""

    def answer(scope: Scope) -> Response:
        if is_page(scope.get("path", "")):
            return error_page(renderer, Request(scope), 500)
        return problem_on_error(scope)

    return answer
