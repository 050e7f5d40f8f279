"""Reference data (admin keys; writes need a full key): categories, service centres, PIs.

``DELETE`` is a soft delete: it deactivates the record and answers 204; the record stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schema.api.base import RequestBody
from schema.api.reference import (
    CategoryCreate,
    CategoryUpdate,
    CentreCreate,
    CentreUpdate,
    PiCreate,
    PiUpdate,
)
from web.auth import require_admin
from web.body import parse_body, parse_uuid
from web.context import Context, json
from web.errors import not_found

#: Projection holding the reference tables (read-your-writes target).
PROJECTION = "reference"


@dataclass(frozen=True)
class Kind:
    """One kind of reference record and how its ids and bodies look."""

    name: str
    path: str
    create: type[RequestBody]
    update: type[RequestBody]
    integer_ids: bool


KINDS = (
    Kind("categories", "categories", CategoryCreate, CategoryUpdate, integer_ids=True),
    Kind("service_centres", "service-centers", CentreCreate, CentreUpdate, integer_ids=False),
    Kind("pis", "pis", PiCreate, PiUpdate, integer_ids=False),
)


def routes(ctx: Context) -> list[BaseRoute]:
    """The reference-data routes bound to ``ctx``."""
    out: list[BaseRoute] = []
    for kind in KINDS:
        out.append(_collection_route(ctx, kind))
        out.append(_item_route(ctx, kind))
    return out


def _collection_route(ctx: Context, kind: Kind) -> Route:
    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            return await create(ctx, kind, request)
        return await listing(ctx, kind, request)

    return Route(f"/api/v1/{kind.path}/", endpoint, methods=["GET", "POST"])


def _item_route(ctx: Context, kind: Kind) -> Route:
    async def endpoint(request: Request) -> Response:
        if request.method in ("GET", "HEAD"):
            return await detail(ctx, kind, request)
        if request.method == "DELETE":
            return await deactivate(ctx, kind, request)
        return await update(ctx, kind, request)

    return Route(
        f"/api/v1/{kind.path}/{{id}}/", endpoint, methods=["GET", "PUT", "PATCH", "DELETE"]
    )


def record_id(kind: Kind, raw: str) -> Any:
    """The path id of a record: an integer for categories, a UUID otherwise (else 404)."""
    if kind.integer_ids:
        if not raw.isdigit():
            raise not_found()
        return int(raw)
    return parse_uuid(raw)


async def listing(ctx: Context, kind: Kind, request: Request) -> Response:
    """All records, ``?is_active=true|false`` (exact strings; anything else lists all)."""
    require_admin(await ctx.caller(request))
    flag = request.query_params.get("is_active")
    is_active = {"true": True, "false": False}.get(flag or "")
    return json(await ctx.call(ctx.read.reference_list, kind.name, is_active))


async def detail(ctx: Context, kind: Kind, request: Request) -> Response:
    """One record."""
    require_admin(await ctx.caller(request))
    found = await ctx.call(
        ctx.read.reference_item, kind.name, record_id(kind, request.path_params["id"])
    )
    if found is None:
        raise not_found()
    return json(found)


async def create(ctx: Context, kind: Kind, request: Request) -> Response:
    """Create a record (full admin key); 201 with it."""
    caller = require_admin(await ctx.caller(request), write=True)
    body = await parse_body(request, kind.create, ctx.settings.max_body_bytes)
    result = await ctx.call(
        ctx.reference.create_reference, kind.name, body.payload(), actor=caller.admin_actor
    )
    await ctx.wait(result.position, PROJECTION)
    found = await ctx.call(ctx.read.reference_item, kind.name, result.id)
    return json(found if found is not None else {"id": result.id, **body.payload()}, 201)


async def update(ctx: Context, kind: Kind, request: Request) -> Response:
    """PUT (every required field) or PATCH (any subset); 200 with the record."""
    caller = require_admin(await ctx.caller(request), write=True)
    rid = record_id(kind, request.path_params["id"])
    model = kind.create if request.method == "PUT" else kind.update
    body = await parse_body(request, model, ctx.settings.max_body_bytes)
    result = await ctx.call(
        ctx.reference.update_reference, kind.name, rid, body.payload(), actor=caller.admin_actor
    )
    await ctx.wait(result.position, PROJECTION)
    found = await ctx.call(ctx.read.reference_item, kind.name, rid)
    if found is None:
        raise not_found()
    return json(found)


async def deactivate(ctx: Context, kind: Kind, request: Request) -> Response:
    """Soft delete: deactivate and answer 204 with no body."""
    caller = require_admin(await ctx.caller(request), write=True)
    rid = record_id(kind, request.path_params["id"])
    result = await ctx.call(
        ctx.reference.deactivate_reference, kind.name, rid, actor=caller.admin_actor
    )
    await ctx.wait(result.position, PROJECTION)
    return Response(status_code=204)
