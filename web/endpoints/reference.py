"""Reference data (admin keys; writes need a full key): categories, service centres, PIs.

``DELETE`` is a soft delete: it deactivates the record and answers 204; the record stays.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
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
from web.context import Context, json, run_command
from web.errors import NOT_RECORDED, ApiError, not_found
from web.ports import CreatedResult, Doc, ReadPort, Recorded, RegistryPort

#: Problem type of an update whose first command was recorded and whose second was not.
PARTLY_RECORDED = "partly-recorded"

Create = Callable[[RegistryPort, Mapping[str, object], str], CreatedResult]


@dataclass(frozen=True)
class Kind:
    """One kind of reference record: its path, domain name, bodies, ids and queries."""

    path: str
    domain: str
    projection: str
    create_body: type[RequestBody]
    update_body: type[RequestBody]
    integer_ids: bool
    create: Create
    listing: Callable[[ReadPort, bool | None], list[Doc]]
    item: Callable[[ReadPort, Any], Doc | None]


KINDS = (
    Kind(
        "categories",
        "category",
        "categories",
        CategoryCreate,
        CategoryUpdate,
        integer_ids=True,
        create=lambda r, data, actor: r.create_category(data, actor=actor),
        listing=lambda q, active: q.categories(active),
        item=lambda q, rid: q.category(rid),
    ),
    Kind(
        "service-centers",
        "centre",
        "service_centres",
        CentreCreate,
        CentreUpdate,
        integer_ids=False,
        create=lambda r, data, actor: r.create_centre(data, actor=actor),
        listing=lambda q, active: q.service_centres(active),
        item=lambda q, rid: q.service_centre(rid),
    ),
    Kind(
        "pis",
        "pi",
        "pis",
        PiCreate,
        PiUpdate,
        integer_ids=False,
        create=lambda r, data, actor: r.create_pi(data, actor=actor),
        listing=lambda q, active: q.pis(active),
        item=lambda q, rid: q.pi(rid),
    ),
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


def record_id(kind: Kind, raw: str) -> int | uuid.UUID:
    """The path id of a record: an integer for categories, a UUID otherwise (else 404)."""
    if kind.integer_ids:
        # isdigit() alone accepts '²' and other digits int() refuses (a 500, found by the
        # schemathesis test); 18 digits is every bigint the database can hold.
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise not_found()
        return int(raw)
    return parse_uuid(raw)


async def _found(ctx: Context, kind: Kind, rid: Any) -> Doc:
    found = await ctx.call(kind.item, ctx.read, rid)
    if found is None:
        raise not_found()
    return found


async def listing(ctx: Context, kind: Kind, request: Request) -> Response:
    """All records, ``?is_active=true|false`` (exact strings; anything else lists all)."""
    require_admin(await ctx.caller(request))
    flag = request.query_params.get("is_active")
    is_active = {"true": True, "false": False}.get(flag or "")
    return json(await ctx.call(kind.listing, ctx.read, is_active))


async def detail(ctx: Context, kind: Kind, request: Request) -> Response:
    """One record."""
    require_admin(await ctx.caller(request))
    return json(await _found(ctx, kind, record_id(kind, request.path_params["id"])))


async def create(ctx: Context, kind: Kind, request: Request) -> Response:
    """Create a record (full admin key); 201 with it."""
    caller = require_admin(await ctx.caller(request), write=True)
    body = await parse_body(request, kind.create_body, ctx.settings.max_body_bytes)
    written = await ctx.write(
        functools.partial(kind.create, ctx.registry, body.payload(), caller.admin_actor),
        (kind.projection,),
        lambda done: kind.item(ctx.read, done.id),
        read_checks=True,  # a record that is there is the new one
        subject=_subject,
    )
    doc = written.doc or {"id": written.result.id}
    return json(doc, 201, headers=written.headers)


async def update(ctx: Context, kind: Kind, request: Request) -> Response:
    """PUT (every required field) or PATCH (any subset); 200 with the record.

    ``is_active`` in the body (the old API allowed it) is the activate/deactivate command; the
    other fields are one update command.
    """
    caller = require_admin(await ctx.caller(request), write=True)
    rid = record_id(kind, request.path_params["id"])
    model = kind.create_body if request.method == "PUT" else kind.update_body
    body = (await parse_body(request, model, ctx.settings.max_body_bytes)).payload()
    active = body.pop("is_active", None)

    def command() -> Recorded:
        result: Recorded | None = None
        if body or active is None:
            result = ctx.registry.update_reference(kind.domain, rid, body, actor=caller.admin_actor)
        if active is None:
            assert result is not None
            return result
        toggle = functools.partial(
            ctx.registry.set_reference_active,
            kind.domain,
            rid,
            bool(active),
            actor=caller.admin_actor,
        )
        if result is None:
            return toggle()
        try:
            toggled = run_command(toggle)
        except ApiError as exc:
            if exc.kind != NOT_RECORDED:
                raise
            raise ApiError(
                503,
                "The fields were changed, but is_active was not: the database became"
                " unavailable. Reload the record before retrying.",
                kind=PARTLY_RECORDED,
                headers=exc.headers,
            ) from exc
        return toggled if toggled.position is not None else result

    written = await ctx.write(
        command,
        (kind.projection,),
        lambda _: kind.item(ctx.read, rid),
        subject=lambda done: getattr(done, "aggregate_id", rid),
    )
    return json(written.doc or {"id": rid}, headers=written.headers)


async def deactivate(ctx: Context, kind: Kind, request: Request) -> Response:
    """Soft delete: deactivate and answer 204 with no body."""
    caller = require_admin(await ctx.caller(request), write=True)
    rid = record_id(kind, request.path_params["id"])
    command = functools.partial(
        ctx.registry.set_reference_active, kind.domain, rid, False, actor=caller.admin_actor
    )
    await ctx.write(command, (kind.projection,), lambda _: None)  # no body: nothing to read
    return Response(status_code=204)


def _subject(result: CreatedResult) -> object:
    """The aggregate id the record's row is keyed by (a category's API id is an integer)."""
    return getattr(result, "aggregate_id", result.id)
