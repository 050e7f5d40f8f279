"""The pages' static files under content-hashed names (spec/ui.md §2.2).

``app.js`` is served as ``/static/ui/app.<hash>.js`` and the vendored htmx as
``/static/vendor/htmx-2.0.11/htmx.min.<hash>.js``: a changed file gets a new name, so every name
can be cached for a year (``immutable``). The files are small (under 150 kB together) and read
once per process; templates ask :func:`Assets.url` for the current name and
:func:`Assets.integrity` for the ``integrity=`` value.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

#: The logical names templates use (paths under ``web/static/``).
SERVED = (
    "ui/app.js",
    "ui/form.js",
    "ui/ui.css",
    "vendor/htmx-2.0.11/htmx.min.js",
    "vendor/pico-2.1.1/pico.min.css",
)

IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    """One served file: its hashed URL, bytes, media type and SRI hash."""

    url: str
    body: bytes
    media_type: str
    integrity: str


def hashed_name(logical: str, body: bytes) -> str:
    """``ui/app.js`` -> ``ui/app.<first 10 hex of SHA-256>.js``."""
    digest = hashlib.sha256(body).hexdigest()[:10]
    folder, _, name = logical.rpartition("/")
    stem, dot, ext = name.rpartition(".")
    return f"{folder}/{stem}.{digest}{dot}{ext}" if folder else f"{stem}.{digest}{dot}{ext}"


class Assets:
    """The served files of one process, by logical and by hashed name."""

    def __init__(self, root: Path = STATIC_DIR, names: tuple[str, ...] = SERVED) -> None:
        self._by_logical: dict[str, Asset] = {}
        self._by_path: dict[str, Asset] = {}
        for logical in names:
            body = (root / logical).read_bytes()
            path = hashed_name(logical, body)
            sri = base64.b64encode(hashlib.sha384(body).digest()).decode()
            media = mimetypes.guess_type(logical)[0] or "application/octet-stream"
            if media.startswith("text/") or media.endswith("javascript"):
                media += "; charset=utf-8"
            asset = Asset(f"/static/{path}", body, media, f"sha384-{sri}")
            self._by_logical[logical] = asset
            self._by_path[path] = asset

    def url(self, logical: str) -> str:
        """The hashed URL of a logical name (``KeyError`` for a file that is not served)."""
        return self._by_logical[logical].url

    def integrity(self, logical: str) -> str:
        """The ``integrity=`` value (SHA-384, base64) of a logical name."""
        return self._by_logical[logical].integrity

    def size(self, logical: str) -> int:
        """Bytes of a served file (page weight budgets)."""
        return len(self._by_logical[logical].body)

    def find(self, path: str) -> Asset | None:
        """The asset served at ``/static/<path>`` (hashed names only)."""
        return self._by_path.get(path)

    def routes(self) -> list[BaseRoute]:
        """The routes serving the hashed names; they come before the ``/static`` mount."""

        async def serve(request: Request) -> Response:
            asset = self.find(request.url.path.removeprefix("/static/"))
            if asset is None:
                return Response(b"Not found.", status_code=404, media_type="text/plain")
            return Response(
                asset.body, media_type=asset.media_type, headers={"Cache-Control": IMMUTABLE}
            )

        return [
            Route("/static/ui/{name}", serve, methods=["GET", "HEAD"]),
            Route("/static/vendor/{package}/{name}", serve, methods=["GET", "HEAD"]),
        ]
