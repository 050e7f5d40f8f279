"""RFC 9457 problem documents, carrying the existing system's ``error`` envelope and ``request_id``.

Every error response of the API is built here, so old clients (which read ``error``) and new ones
(which read ``type``/``title``/``status``/``detail``) both understand it.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response

from web.requestid import current_request_id

PROBLEM_BASE = "https://registry.denbi.de/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    title: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build a problem response.

    ``errors`` (field → messages) becomes the ``error`` member as the existing system sent it for
    validation failures; otherwise ``error`` is ``{"detail": detail}``.
    """
    phrase = HTTPStatus(status).phrase
    detail = detail or ("Validation failed." if errors else phrase)
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (kind or _slug(phrase)),
        "title": title or phrase,
        "status": status,
        "detail": detail,
        "error": dict(errors) if errors else {"detail": detail},
        "request_id": current_request_id(),
    }
    if errors:
        body["errors"] = dict(errors)
    return Response(
        orjson.dumps(body), status_code=status, media_type=MEDIA_TYPE, headers=dict(headers or {})
    )


def _slug(phrase: str) -> str:
    return phrase.lower().replace(" ", "-").replace("'", "")
