"""The one table from refusals to problem documents, and the web's own refusal exception.

Domain errors (``domain.errors``) are mapped by class, most specific first, so a new kind of
refusal is one row here. Endpoints never catch ``Exception``: whatever is not in this table is a
bug and becomes a logged 500 problem document.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from domain import errors as domain
from schema.api.submissions import DEPRECATED_ALIASES
from web.problems import problem

log = logging.getLogger("registry.web")

#: Problem-type slug for a refused lifecycle transition (decisions.md).
INVALID_TRANSITION = "invalid-transition"
#: Problem-type slug of a request about an erased submission (410, docs/erasure.md).
ERASED = "erased"
GONE_DETAIL = "This submission was erased."


class ApiError(Exception):
    """Raised by the web layer when a request is refused before or around a domain call."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})


#: domain error class → (HTTP status, problem type slug or None for the status phrase).
DOMAIN_ERRORS: tuple[tuple[type[domain.RegistryError], int, str | None], ...] = (
    (domain.ValidationFailed, 400, "validation-failed"),
    (domain.Gone, 410, ERASED),
    (domain.NotFound, 404, None),
    (domain.InvalidTransition, 409, INVALID_TRANSITION),
    (domain.StaleVersion, 412, "stale-version"),
    (domain.ConcurrentModification, 409, "concurrent-modification"),
    (domain.PermissionDenied, 403, None),
    (domain.TagsNotAllowed, 409, "tags-not-allowed"),
    (domain.Conflict, 409, "conflict"),
    (domain.RegistryError, 400, "refused"),
)


def status_for(exc: domain.RegistryError) -> tuple[int, str | None]:
    """The status and problem type of a domain error (first matching row of the table)."""
    for cls, status, kind in DOMAIN_ERRORS:
        if isinstance(exc, cls):
            return status, kind
    raise AssertionError("RegistryError is the last row")  # pragma: no cover


async def on_domain_error(request: Request, exc: Exception) -> Response:
    """Render a domain refusal."""
    assert isinstance(exc, domain.RegistryError)
    status, kind = status_for(exc)
    if isinstance(exc, domain.ValidationFailed):
        return problem(status, kind=kind, errors=with_aliases(exc.errors))
    if isinstance(exc, domain.Gone):
        detail = GONE_DETAIL
    elif isinstance(exc, domain.NotFound):
        detail = "Not found."
    else:
        detail = str(exc)
    return problem(status, detail, kind=kind)


def with_aliases(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Field errors also under the deprecated alias of a renamed field (``kpi_start_year``), so
    a client still sending the old name finds its field named."""
    out = dict(errors)
    for old, new in DEPRECATED_ALIASES.items():
        if new in errors:
            out.setdefault(old, list(errors[new]))
    return out


async def on_api_error(request: Request, exc: Exception) -> Response:
    """Render a refusal raised by the web layer."""
    assert isinstance(exc, ApiError)
    return problem(exc.status, exc.detail, kind=exc.kind, errors=exc.errors, headers=exc.headers)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Render Starlette's own errors (unknown route 404, 405) as problem documents."""
    assert isinstance(exc, HTTPException)
    detail = exc.detail
    if exc.status_code == 404:
        detail = "Not found."
    elif exc.status_code == 405:
        detail = f'Method "{request.method}" not allowed.'
    return problem(exc.status_code, detail, headers=dict(exc.headers or {}))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    """Log an unexpected failure with its traceback and answer a 500 problem (no details)."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "A server error occurred.")


def not_found() -> ApiError:
    """The 404 every lookup of an unknown or hidden resource answers."""
    return ApiError(404, "Not found.")


def gone() -> ApiError:
    """The 410 every lookup of an erased submission answers (docs/erasure.md)."""
    return ApiError(410, GONE_DETAIL, kind=ERASED)
