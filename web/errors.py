"""The one table from refusals to problem documents, and the web's own refusal exception.

Domain errors (``domain.errors``) are mapped by class, most specific first, so a new kind of
refusal is one row here. Endpoints never catch ``Exception``: whatever is not in this table is a
bug and becomes a logged 500 problem document.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import psycopg
from eventsourcing import persistence
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

#: Problem-type slugs of a database outage: a write refused with nothing recorded, a read (or a
#: refusal before any command ran) that could not be served, and a commit whose outcome is unknown.
NOT_RECORDED = "not-recorded"
UNAVAILABLE = "database-unavailable"
OUTCOME_UNKNOWN = "outcome-unknown"

#: Seconds a client is asked to wait (``Retry-After``) before retrying after an outage answer.
RETRY_AFTER = 2

#: What the database layers raise when the server cannot be reached in time: a refused or lost
#: connection, a pool wait that ran out (``psycopg_pool.PoolTimeout`` is an OperationalError), a
#: server shutting down, a lock or statement timeout. Every one of them means "try again later".
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
    (domain.OutcomeUnknown, 503, OUTCOME_UNKNOWN),
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
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else None
    return problem(status, detail, kind=kind, headers=headers)


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


def not_recorded() -> ApiError:
    """The 503 of a write whose command failed on the database before anything was recorded."""
    return ApiError(
        503,
        f"The database is unavailable; nothing was recorded. Retry after {RETRY_AFTER} seconds.",
        kind=NOT_RECORDED,
        headers={"Retry-After": str(RETRY_AFTER)},
    )


async def on_database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After`` when the database cannot be reached.

    Only failures before a command committed arrive here: a write's command is run by
    ``Context.write``, which answers a committed write itself whatever happens afterwards. So a
    write method that gets here recorded nothing, and its problem type says so."""
    log.warning(
        "database unavailable on %s %s: %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        str(exc).strip().splitlines()[0] if str(exc).strip() else "",
    )
    if request.method in _SAFE_METHODS:
        return problem(
            503,
            f"The database is unavailable. Retry after {RETRY_AFTER} seconds.",
            kind=UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    refused = not_recorded()
    return problem(503, refused.detail, kind=refused.kind, headers=refused.headers)


def not_found() -> ApiError:
    """The 404 every lookup of an unknown or hidden resource answers."""
    return ApiError(404, "Not found.")


def gone() -> ApiError:
    """The 410 every lookup of an erased submission answers (docs/erasure.md)."""
    return ApiError(410, GONE_DETAIL, kind=ERASED)
