"""``GET /media/logos/<uuid>.<ext>``: uploaded logos, public, immutable, never sniffed.

Only names the store itself hands out resolve (``logos/<uuid4>.<png|jpg|svg>``), so there is no
path to traverse. A stored name is never reused, so the file may be cached for a year. An SVG gets
a Content-Security-Policy that allows nothing but its inline styles: opened directly in a
browser, it can run no script and load nothing.
"""

from __future__ import annotations

from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.errors import not_found
from web.media.logo import MEDIA_TYPES
from web.media.store import MediaStore

CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
SVG_POLICY: Final = "default-src 'none'; style-src 'unsafe-inline'"
RASTER_POLICY: Final = "default-src 'none'"


def routes(store: MediaStore) -> list[BaseRoute]:
    """The ``/media/`` route over ``store``."""

    async def media(request: Request) -> Response:
        path: str = request.path_params["path"]
        content = await run_in_threadpool(store.read, path)
        if content is None:
            raise not_found()
        extension = path.rsplit(".", 1)[-1]
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SVG_POLICY if extension == "svg" else RASTER_POLICY,
        }
        return Response(content, media_type=MEDIA_TYPES[extension], headers=headers)

    return [Route("/media/{path:path}", media, methods=["GET"])]
