"""The Starlette application factory: routes, middleware and exception handlers, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web import health
from web.problems import problem
from web.requestid import RequestIdMiddleware


@dataclass(frozen=True)
class WebServices:
    """Everything the web layer needs from the outside, built by the composition root."""

    probes: Sequence[tuple[str, health.Probe]] = ()
    extra_routes: Sequence[BaseRoute] = field(default_factory=tuple)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    return problem(exc.status_code, exc.detail, headers=headers)


def create_app(services: WebServices) -> Starlette:
    """Build the ASGI app over the given services."""
    routes: list[BaseRoute] = [
        Route("/health/live/", health.live, methods=["GET"]),
        Route("/health/ready/", health.make_ready(services.probes), methods=["GET"]),
        *services.extra_routes,
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: _http_exception},
    )
