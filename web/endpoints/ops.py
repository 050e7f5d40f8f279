"""Auditing and operations: the change feed, projection status, and the API root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.auth import require_admin, require_someone
from web.context import Context, bound, json
from web.errors import ApiError

#: Positions are PostgreSQL bigints.
MAX_POSITION = 2**63 - 1
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

#: Returns every projection's versions, which is live, positions and lag (plain JSON values).
ProjectionStatus = Callable[[], Any]


def routes(ctx: Context, projection_status: ProjectionStatus | None) -> list[BaseRoute]:
    """The operations routes bound to ``ctx``."""

    async def projections(request: Request) -> Response:
        require_admin(await ctx.caller(request))
        if projection_status is None:
            raise ApiError(503, "Projection status is not available in this process.")
        return json({"projections": await ctx.call(projection_status)})

    return [
        Route("/api/v1/", bound(ctx, api_root), methods=["GET"]),
        Route("/api/v1/changes/", bound(ctx, changes), methods=["GET"]),
        Route("/api/v1/projections/", projections, methods=["GET"]),
    ]


async def api_root(ctx: Context, request: Request) -> Response:
    """The API root (authenticated, as the old router's was): the top-level collections."""
    require_someone(await ctx.caller(request))
    base = ctx.base_url(request) + "api/v1/"
    names = ("submissions", "categories", "service-centers", "pis", "edam", "licenses", "biotools")
    return json({name: f"{base}{name}/" for name in names})


async def changes(ctx: Context, request: Request) -> Response:
    """The change feed after ``after`` (a position), at most ``limit`` entries, in commit order.

    ``next`` is the URL to resume from; it is null once the client has caught up.
    """
    require_admin(await ctx.caller(request))
    after = _non_negative(request, "after", 0)
    limit = min(_non_negative(request, "limit", DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT)
    rows = await ctx.call(ctx.read.changes, after, limit)
    next_url = None
    if len(rows) == limit:
        last = int(rows[-1]["position"])
        next_url = str(request.url.include_query_params(after=last, limit=limit))
    return json({"results": rows, "next": next_url})


def _non_negative(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18 or int(raw) > MAX_POSITION:
        raise ApiError(
            400,
            f"{name} must be a non-negative integer.",
            errors={name: ["A valid integer is required."]},
        )
    return int(raw)
