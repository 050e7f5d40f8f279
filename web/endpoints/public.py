"""Public look-ups and the bio.tools records: EDAM, SPDX licences, bio.tools."""

from __future__ import annotations

import functools
import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schema.api.filters import MATURITIES, flag
from web.auth import require_admin
from web.context import Context, bound, json
from web.endpoints.submissions import check_edam_filters, page_params, paged
from web.errors import ApiError, not_found

#: The most EDAM terms one ``?limit=`` returns (without ``limit``: every match).
EDAM_MAX_LIMIT = 500


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
    """Non-obsolete EDAM terms, ``?branch=`` (exact), ``?q=`` (label, definition, synonyms,
    accession or URI) and ``?limit=`` (default: every match; at most `EDAM_MAX_LIMIT`)."""
    params = request.query_params
    limit = edam_limit(params.get("limit"))
    return json(await ctx.call(ctx.read.edam_terms, params.get("branch"), params.get("q"), limit))


def edam_limit(raw: str | None) -> int | None:
    """``?limit=``: None when absent (every match, as before), a larger value is treated as
    `EDAM_MAX_LIMIT`; anything but a whole number from 1 up is a 400 naming it."""
    if raw is None:
        return None
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        message = f"Must be a whole number from 1 to {EDAM_MAX_LIMIT}."
        raise ApiError(400, f"limit: {message}", errors={"limit": [message]})
    return min(int(value), EDAM_MAX_LIMIT)


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
    """A page of records (admin keys), ``?biotools_id=``, ``?submission=<uuid>``,
    ``?edam_operation=`` (an operation of any function; ``&descendants=true`` for its subtree)
    and ``?maturity=`` (Emerging, Mature or Legacy, any case)."""
    require_admin(await ctx.caller(request))
    params = request.query_params
    submission = params.get("submission")
    submission_id = _submission_filter(submission) if submission else None
    check_edam_filters(params, ("edam_operation",))
    maturity = params.get("maturity")
    if maturity and maturity.strip().lower() not in {m.lower() for m in MATURITIES}:
        message = f"Must be one of {', '.join(MATURITIES)}."
        raise ApiError(400, "Validation failed.", errors={"maturity": [message]})
    page, size = page_params(request)
    count, rows = await ctx.call(
        functools.partial(
            ctx.read.biotools_records,
            params.get("biotools_id"),
            submission_id,
            page,
            size,
            edam_operation=params.get("edam_operation"),
            maturity=maturity,
            descendants=flag(params.get("descendants")) is True,
        )
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
