"""``POST /api/v1/submissions/{id}/erase/``: erasure by an admin with a full key (decision 9).

The answer is 200 with ``{id, erased, erased_by, erased_at, reason, version}`` once the read
tables show the erasure (the submission gone from every list and detail, its history redacted,
its keys refused); 410 when it was already erased (nothing is recorded again), 404 for an
unknown id. ``docs/erasure.md`` says what is removed and what stays.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schema.api.commands import EraseRequest
from web.auth import require_admin
from web.body import JSON_TYPES, parse_uuid, read_limited, validate
from web.context import Context, bound, json
from web.endpoints.submissions import SUBMISSION_PROJECTIONS
from web.errors import ApiError

#: Read tables an erasure must be visible in before answering: the submission's own ones, its
#: keys (refused from then on), the public catalogue and its bio.tools record.
ERASURE_PROJECTIONS = (
    *SUBMISSION_PROJECTIONS,
    "api_keys",
    "catalogue",
    "public_catalogue",
    "biotools_records",
)


def routes(ctx: Context) -> list[BaseRoute]:
    """The erasure route bound to ``ctx``."""
    return [Route("/api/v1/submissions/{id}/erase/", bound(ctx, erase), methods=["POST"])]


async def erase(ctx: Context, request: Request) -> Response:
    """Erase the submission; the body ``{"reason": …}`` is optional."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_admin(await ctx.caller(request), write=True)
    body = validate(EraseRequest, await _optional_json(request, ctx.settings.max_body_bytes))
    erase_it = functools.partial(
        ctx.registry.erase_submission,
        submission_id,
        actor=caller.admin_actor,
        reason=body.reason or "",
    )
    # Nothing to read back: the answer is what the command knows; the wait is the point.
    written = await ctx.write(erase_it, ERASURE_PROJECTIONS, lambda done: done)
    result = written.result
    return json(
        {
            "id": str(submission_id),
            "erased": True,
            "erased_by": result.actor,
            "erased_at": result.erased_at.isoformat(),
            "reason": result.reason,
            "version": result.version,
        },
        headers=written.headers,
    )


async def _optional_json(request: Request, max_bytes: int) -> Any:
    """The JSON body, or ``{}`` when the request has none."""
    raw = await read_limited(request, max_bytes)
    if not raw.strip():
        return {}
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise ApiError(415, f'Unsupported media type "{media}" in request.')
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "JSON parse error: the body is not valid JSON.") from None
