"""Authentication (the ``ApiKey`` / ``AdminKey`` header schemes of spec §3.1) and permissions.

A presented key is hashed (SHA-256), looked up by hash on the read side and confirmed with a
constant-time compare; unknown and revoked keys fail identically. Any other scheme is ignored, so
the request counts as anonymous. Messages are the existing system's, word for word.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

from starlette.requests import Request
from starlette.responses import Response

from domain import keys
from web.errors import ApiError
from web.problems import problem


class KeyRecord(Protocol):
    """What the read side knows of a key (submission keys and admin keys alike)."""

    @property
    def key_id(self) -> str | uuid.UUID: ...
    @property
    def submission_id(self) -> uuid.UUID | None: ...
    @property
    def label(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def key_hash(self) -> str: ...


class KeyLookup(Protocol):
    """The two read-side calls authentication needs."""

    def api_key(self, key_hash: str) -> KeyRecord | None:
        """The key with this hash, or None."""

    def touch_key(self, key_id: str) -> None:
        """Record that the key was just used (the read side throttles the write)."""


NOT_PROVIDED = "Authentication credentials were not provided."
ADMIN_REQUIRED = "Admin API key authentication required."
ADMIN_READ_ONLY = "This key is read-only. Use a full-access Admin API Key to modify data."
OWNER_READ_ONLY = "This API key is read-only. Use a write-scoped key to modify data."
KEYS_NEED_FULL = "Key management requires a full-access Admin API Key."

_SCHEMES: dict[str, tuple[Literal["submission", "admin"], str, str]] = {
    "ApiKey": ("submission", "API key is empty.", "Invalid or revoked API key."),
    "AdminKey": ("admin", "Admin API key is empty.", "Invalid or revoked admin API key."),
}

log = logging.getLogger("registry.web.auth")


@dataclass(frozen=True)
class Principal:
    """The verified caller: an admin key or a submission (owner) key."""

    kind: Literal["submission", "admin"]
    key_id: str
    label: str
    scope: str
    submission_id: uuid.UUID | None

    @property
    def is_admin(self) -> bool:
        """True for admin keys."""
        return self.kind == "admin"

    @property
    def can_write(self) -> bool:
        """True for full admin keys and write submission keys."""
        return self.scope in ("full", "write")

    @property
    def actor(self) -> str:
        """The actor string recorded in events (``api:<key label>`` as the old API did)."""
        return f"api:{self.label}" if self.label else "api"

    @property
    def admin_actor(self) -> str:
        """The actor for admin-only commands (``admin:<key label>``)."""
        return f"admin:{self.label}"


def challenge() -> dict[str, str]:
    """The ``WWW-Authenticate`` header of a 401 (the first authenticator is ``AdminKey``)."""
    return {"WWW-Authenticate": 'AdminKey realm="api"'}


def credentials(header: str | None) -> tuple[str, str] | None:
    """``(scheme, value)`` when the header uses one of our schemes, else None (anonymous)."""
    if not header:
        return None
    for scheme in _SCHEMES:
        if header.startswith(scheme + " "):
            return scheme, header[len(scheme) + 1 :].strip()
    return None


@dataclass(frozen=True)
class Claim:
    """A key presented in the ``Authorization`` header, not yet checked against the stored one
    (hashed: the plaintext is not kept past the header)."""

    scheme: str
    kind: Literal["submission", "admin"]
    key_hash: str
    """The SHA-256 hex the read side looks the key up by."""


class Authenticator:
    """Turns the ``Authorization`` header into a :class:`Principal` (or None when anonymous).

    In two steps, so that a read can look the key up together with what it reads (one round
    trip, ``ReadModel.submission_for_key``): :meth:`claim` parses and hashes the presented key,
    :meth:`check` confirms it against the stored record. :meth:`verify` is both, with the key
    looked up on its own."""

    def __init__(self, lookup: KeyLookup) -> None:
        self._lookup = lookup

    def verify(self, header: str | None) -> Principal | None:
        """Verify the key of the ``Authorization`` header (None when anonymous; 401 for an
        empty, unknown or revoked one), in a worker thread: it may block on the key lookup."""
        claim = self.claim(header)
        return None if claim is None else self.check(claim, self._lookup.api_key(claim.key_hash))

    def claim(self, header: str | None) -> Claim | None:
        """The key the header presents, hashed (None when anonymous; 401 for an empty one)."""
        found = credentials(header)
        if found is None:
            return None
        scheme, value = found
        kind, empty_message, _ = _SCHEMES[scheme]
        if not value:
            raise ApiError(401, empty_message, headers=challenge())
        return Claim(scheme, kind, keys.hash_key(value))

    def check(self, claim: Claim, record: KeyRecord | None) -> Principal:
        """The caller ``claim`` proves to be, given the stored ``record`` of its hash (None when
        unknown): 401 for an unknown or revoked key, or one of the other kind."""
        usable = (
            record is not None
            and record.is_active
            and (record.submission_id is None) == (claim.kind == "admin")
        )
        stored = record.key_hash if record is not None and usable else None
        if not keys.matches(claim.key_hash, stored):
            # Nothing of the key is logged: even a prefix narrows a guess, and a rejected
            # "key" is often another secret pasted by mistake. The request id finds the request.
            log.warning("rejected a key", extra={"scheme": claim.scheme})
            raise ApiError(401, _SCHEMES[claim.scheme][2], headers=challenge())
        assert record is not None
        self._lookup.touch_key(str(record.key_id))
        return Principal(
            kind=claim.kind,
            key_id=str(record.key_id),
            label=record.label,
            scope=record.scope,
            submission_id=record.submission_id,
        )


class NotAuthenticated(ApiError):
    """Raised when an operation needs a key and the request presented none of ours."""

    def __init__(self) -> None:
        super().__init__(401, NOT_PROVIDED, headers=challenge())


def wrong_scheme_detail(header: str | None) -> str | None:
    """The 401 detail for an ``Authorization`` header in a scheme that is not ours (such a
    request counts as anonymous), naming the accepted forms; None when the header is absent or
    ours. The presented scheme is echoed only when it is a short word, never a bare key."""
    if not header or not header.strip() or credentials(header) is not None:
        return None
    scheme = header.split()[0]
    named = f'"{scheme}" is not' if scheme.isalpha() and len(scheme) <= 20 else "is not"
    return (
        f"The Authorization scheme {named} accepted. Send 'Authorization: ApiKey <key>' (the"
        " key a registration returned) or 'Authorization: AdminKey <key>' (an admin key)."
    )


async def on_not_authenticated(request: Request, exc: Exception) -> Response:
    """Render :class:`NotAuthenticated`: the old message, or for a foreign scheme (``Bearer``)
    one that names the accepted forms."""
    assert isinstance(exc, NotAuthenticated)
    detail = wrong_scheme_detail(request.headers.get("authorization")) or exc.detail
    return problem(exc.status, detail, headers=exc.headers)


def require_someone(principal: Principal | None) -> Principal:
    """Any verified key; 401 when anonymous."""
    if principal is None:
        raise NotAuthenticated()
    return principal


def require_admin(principal: Principal | None, *, write: bool = False) -> Principal:
    """An admin key (a full one when ``write``)."""
    caller = require_someone(principal)
    if not caller.is_admin:
        raise ApiError(403, ADMIN_REQUIRED)
    if write and not caller.can_write:
        raise ApiError(403, ADMIN_READ_ONLY)
    return caller


def require_key_manager(principal: Principal | None) -> Principal:
    """A full admin key (key management, even listing)."""
    caller = require_admin(principal)
    if not caller.can_write:
        raise ApiError(403, KEYS_NEED_FULL)
    return caller


def require_owner_or_admin(
    principal: Principal | None, submission_id: uuid.UUID, *, write: bool = False
) -> Principal:
    """An admin key, or the submission's own key; another submission's key sees a 404."""
    caller = require_someone(principal)
    if caller.is_admin:
        if write and not caller.can_write:
            raise ApiError(403, ADMIN_READ_ONLY)
        return caller
    if caller.submission_id != submission_id:
        raise ApiError(404, "Not found.")
    if write and not caller.can_write:
        raise ApiError(403, OWNER_READ_ONLY)
    return caller
