"""``GET /api/v1/registration/options/``: what a registration may reference, for anyone.

A registration names categories, a service centre and PIs by id, and the admin lists of them
need an admin key (the old contract, kept). This public read lists the active ones (PIs by their
public name and institute only) and links the EDAM and licence lists.

The ETag is a digest of the body, so it changes exactly when the options do; the read-table
positions would not do: a projection's position moves past every event in the log (each
registration), so an ETag from them would change with every write to the registry.
``Cache-Control: no-cache`` lets clients and proxies keep the body and revalidate it each time
with ``If-None-Match`` (304 when unchanged).
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.context import Context, bound

EDAM_MAX_ITEMS = 6
CACHE_CONTROL = "no-cache"


def routes(ctx: Context) -> list[BaseRoute]:
    """The registration routes bound to ``ctx``."""
    return [Route("/api/v1/registration/options/", bound(ctx, options), methods=["GET"])]


async def options(ctx: Context, request: Request) -> Response:
    """The options document, 304 when ``If-None-Match`` names its current ETag."""
    found = await ctx.call(ctx.read.registration_options)
    content = orjson.dumps(document(ctx.base_url(request), found))
    tag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


def document(base: str, found: dict[str, Any]) -> dict[str, Any]:
    """The served document over the read side's lists (``base`` ends in '/')."""
    api = f"{base}api/v1/"
    return {
        "service_categories": {
            "field": "service_category_ids",
            "min_items": 1,
            "choices": found["categories"],
        },
        "service_centers": {"field": "service_center_id", "choices": found["centres"]},
        "responsible_pis": {
            "field": "responsible_pi_ids",
            "min_items": 1,
            "choices": found["pis"],
        },
        "edam_topics": {
            "field": "edam_topic_ids",
            "max_items": EDAM_MAX_ITEMS,
            "search": f"{api}edam/?branch=topic",
        },
        "edam_operations": {
            "field": "edam_operation_ids",
            "max_items": EDAM_MAX_ITEMS,
            "search": f"{api}edam/?branch=operation",
        },
        "licenses": {"field": "licenses", "max_items": None, "search": f"{api}licenses/"},
        "links": {
            "register": f"{api}submissions/",
            "schema": f"{base}api/schema/",
            "docs": f"{base}api/docs/",
        },
    }


def matches(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (``*``, lists and weak forms too)."""
    if not header:
        return False
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    return "*" in candidates or tag in candidates
