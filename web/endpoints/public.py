"""Public look-ups and the bio.tools records: EDAM, SPDX licences, bio.tools."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.auth import require_admin
from web.context import Context, bound, json
from web.endpoints.submissions import page_params, paged
from web.errors import ApiError, not_found


def routes(ctx: Context) -> list[BaseRoute]:
    """The public and bio.tools routes bound to ``ctx``."""
    return [
        Route("/api/v1/edam/", bound(ctx, edam_terms), methods=["GET"]),
        Route("/api/v1/edam/{key}/", bound(ctx, edam_term), methods=["GET"]),
        Route("/api/v1/licenses/", bound(ctx, licenses), methods=["GET"]),
        Route("/api/v1/biotools/", bound(ctx, biotools_records), methods=["GET"]),
        Route("/api/v1/biotools/{biotools_id}/", bound(ctx, biotools_record), methods=["GET"]),
    ]


async def edam_terms(ctx: Context, request: Request) -> Response:
    """Non-obsolete EDAM terms, ``?branch=`` (exact) and ``?q=`` (label, definition, synonyms)."""
    params = request.query_params
    return json(await ctx.call(ctx.read.edam_terms, params.get("branch"), params.get("q")))


async def edam_term(ctx: Context, request: Request) -> Response:
    """One term by accession (obsolete included) or integer id."""
    found = await ctx.call(ctx.read.edam_term, request.path_params["key"])
    if found is None:
        raise not_found()
    return json(found)


async def licenses(ctx: Context, request: Request) -> Response:
    """SPDX licences, ``?q=``; deprecated ones are flagged, not hidden."""
    return json(await ctx.call(ctx.read.licenses, request.query_params.get("q")))


async def biotools_records(ctx: Context, request: Request) -> Response:
    """A page of records (admin keys), ``?biotools_id=`` and ``?submission=<uuid>``."""
    require_admin(await ctx.caller(request))
    params = request.query_params
    submission = params.get("submission")
    submission_id = _submission_filter(submission) if submission else None
    page, size = page_params(request)
    count, rows = await ctx.call(
        ctx.read.biotools_records, params.get("biotools_id"), submission_id, page, size
    )
    return json(paged(request, count, page, size, rows))


async def biotools_record(ctx: Context, request: Request) -> Response:
    """The full record, public, only when its submission is approved."""
    found = await ctx.call(ctx.read.biotools_record, request.path_params["biotools_id"])
    if found is None:
        raise not_found()
    return json(found)


def _submission_filter(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ApiError(
            400, "Enter a valid UUID.", errors={"submission": ["Enter a valid UUID."]}
        ) from None
