"""The OpenAPI document endpoint and the Swagger UI / ReDoc pages.

The pages load scripts and styles from this server only (``web/static/``, vendored
swagger-ui-dist 5.18.2 and redoc 2.2.0), never from a CDN, and carry a CSP that says so.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from web.openapi import TITLE, build_openapi

STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'self'"
)

_SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
<link rel="icon" href="/static/swagger-ui/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-ui/init.js"></script></body></html>
"""

_REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title></head>
<body><redoc spec-url="/api/schema/?format=json"></redoc>
<script src="/static/redoc/redoc.standalone.js"></script></body></html>
"""


@lru_cache(maxsize=2)
def _document(api: int = 1) -> bytes:
    return orjson.dumps(build_openapi(api), option=orjson.OPT_SORT_KEYS)


async def schema(request: Request) -> Response:
    """The OpenAPI 3.1 document (JSON; ``application/json`` when asked for it)."""
    wants_json = "application/json" in request.headers.get("accept", "")
    media = (
        "application/json"
        if wants_json or request.query_params.get("format") == "json"
        else "application/vnd.oai.openapi+json"
    )
    api = 2 if request.url.path.startswith("/api/v2/") else 1
    return Response(_document(api), media_type=media)


async def swagger(request: Request) -> Response:
    """Swagger UI."""
    return HTMLResponse(_SWAGGER, headers={"Content-Security-Policy": CSP})


async def redoc(request: Request) -> Response:
    """ReDoc."""
    return HTMLResponse(_REDOC, headers={"Content-Security-Policy": CSP})


def routes() -> list[BaseRoute]:
    """The documentation routes and the static assets they load."""
    return [
        Route("/api/schema/", schema, methods=["GET"]),
        Route("/api/v2/schema/", schema, methods=["GET"]),
        Route("/api/docs/", swagger, methods=["GET"]),
        Route("/api/redoc/", redoc, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
