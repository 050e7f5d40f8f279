"""Who is signed in to the admin console, with which role (spec/ui.md §3.4, §5.7).

An admin session (``ui_sessions`` kind ``admin``) is bound to an admin key (subject
``key:<id>``) or a named account (subject ``account:<id>``). Every request re-checks the binding:
a revoked key or a disabled account ends the session at once, and a changed role applies at
once. :meth:`AdminAccess.require` is the one gate of every admin route and action.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain import keys
from web.context import in_read_thread
from web.ports import AdminCredentialStore, BioToolsRefresh, QueueDepth, ReadPort
from web.ui.csrf import FIELD, Csrf, CsrfFailed
from web.ui.errors import error_page
from web.ui.render import Renderer
from web.ui.session import Session, Sessions

log = logging.getLogger("registry.web.admin")

SIGN_IN: Final = "/admin/sign-in/"
HOME: Final = "/admin/"
ACCOUNT_PAGE: Final = "/admin/account"
KEY_PREFIX: Final = "key:"
ACCOUNT_PREFIX: Final = "account:"


class Role(enum.IntEnum):
    """What an admin may do (spec/ui.md §3.4 roles); higher includes lower."""

    VIEWER = 1
    EDITOR = 2
    MANAGER = 3

    @property
    def label(self) -> str:
        """``Viewer``, ``Editor`` or ``Manager``."""
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named ``viewer``, ``editor`` or ``manager`` (any case); ValueError else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown role {text!r}: viewer, editor or manager") from None


#: The role an admin key signs in with, by scope (spec/ui.md §3.4).
KEY_ROLES: Final = {"read": Role.VIEWER, "full": Role.MANAGER}


@dataclass(frozen=True)
class Admin:
    """The signed-in person (or admin key)."""

    actor: str  # what events record: "admin:<username>" or the key's actor
    username: str
    role: Role
    csrf_token: str  # for forms on admin pages
    subject: str = ""  # "key:<id>" or "account:<id>" (the per-admin cursor's owner)
    session_id: str = ""  # the session's id hash (banners)
    must_enrol: bool = False  # TOTP is required and this account has not enrolled yet
    idle_expires: dt.datetime | None = None  # when the session ends without activity

    @property
    def is_account(self) -> bool:
        """Whether a named account (not an admin key) is signed in."""
        return self.subject.startswith(ACCOUNT_PREFIX)

    def may(self, role: Role) -> bool:
        """Whether this admin has at least ``role``."""
        return self.role >= role


@dataclass(frozen=True)
class Binding:
    """What a session's subject is bound to right now: its display name, role and actor."""

    username: str
    role: Role
    actor: str
    must_enrol: bool = False  # TOTP required by the setting and not yet enrolled


class AccountCheck(Protocol):
    """The named accounts' side of the per-request check (``web.ui.admin.accounts``)."""

    def binding(self, account_id: str) -> Binding | None:
        """The account's current name, role and actor; None when unknown or disabled."""


def safe_next(value: str | None) -> str:
    """A same-origin admin path to go to after signing in (spec/ui.md §3.3), else the home."""
    if value and value.startswith("/admin/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


class AdminAccess:
    """Starts, checks and ends admin sessions; the gate of every admin route."""

    def __init__(
        self,
        read: ReadPort,
        sessions: Sessions,
        csrf: Csrf,
        renderer: Renderer,
        accounts: AccountCheck | None = None,
        *,
        cursors: AdminCredentialStore | None = None,
        projection_status: Callable[[], Any] | None = None,
        signins: Callable[[str], None] | None = None,
        biotools_refresh: BioToolsRefresh | None = None,
        queue_depth: QueueDepth | None = None,
    ) -> None:
        self.read = read
        self.sessions = sessions
        self.csrf = csrf
        self.renderer = renderer
        self.accounts = accounts
        self.cursors = cursors
        self.projection_status = projection_status
        self._signins = signins
        self.biotools_refresh = biotools_refresh
        self.queue_depth = queue_depth

    def counted(self, result: str) -> None:
        """Count a sign-in attempt in ``ui_signins_total{result}`` (ok, invalid, throttled)."""
        if self._signins is not None:
            self._signins(result)

    # -- each admin's position on the change feed (spec/ui.md §9 item 4) ---------------------

    @property
    def cursors_enabled(self) -> bool:
        """Whether "mark all as seen" can be stored."""
        return self.cursors is not None

    def cursor(self, subject: str) -> int | None:
        """The feed position ``subject`` marked as seen (None: never, or no store)."""
        return self.cursors.cursor(subject) if self.cursors is not None else None

    def mark_seen(self, subject: str, position: int) -> None:
        """Store ``position`` as seen by ``subject`` (never moves backwards)."""
        if self.cursors is not None:
            self.cursors.set_cursor(subject, position)

    # -- the gate -----------------------------------------------------------------------------

    async def require(self, request: Request, role: Role) -> Admin | Response:
        """Admin when signed in with at least ``role``, and (unsafe methods) the CSRF check
        passed; else a Response: 303 to the sign-in page with ``next`` when not signed in, the
        HTML 403 page when the role is too low or CSRF failed."""
        submitted: str | None = None
        if request.method not in ("GET", "HEAD"):
            form = await request.form()
            value = form.get(FIELD)
            submitted = value if isinstance(value, str) else None
        found = await in_read_thread(lambda: self._current(request, submitted))
        if found is None:
            target = request.url.path
            if request.method in ("GET", "HEAD") and request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(
                f"{SIGN_IN}?next={quote(target, safe='/')}",
                status_code=303,
                headers={"Cache-Control": "no-store"},
            )
        if isinstance(found, str):
            return error_page(self.renderer, request, 403, found)
        if found.must_enrol and not request.url.path.startswith(ACCOUNT_PAGE):
            return RedirectResponse(
                ACCOUNT_PAGE, status_code=303, headers={"Cache-Control": "no-store"}
            )
        if not found.may(role):
            return error_page(
                self.renderer,
                request,
                403,
                f"This needs the {role.label} role; you are signed in as {found.role.label}.",
            )
        return found

    def _current(self, request: Request, submitted: str | None) -> Admin | str | None:
        session = self.sessions.current(request, "admin")
        if session is None:
            return None
        binding = self.bound(session)
        granted = session.data.get("role")
        if binding is None or (granted is not None and granted != int(binding.role)):
            # Revoked, disabled, reset, or the role changed: this token ends (a change of
            # privilege gets a new token at the next sign-in, spec/ui.md §3.1).
            self.sessions.store.delete(session.id_hash)
            return None
        try:
            self.csrf.check(request, session, submitted)
        except CsrfFailed:
            return "This form expired. Go back, reload the page and try again."
        token, _ = self.csrf.token(request, session)
        return Admin(
            actor=binding.actor,
            username=binding.username,
            role=binding.role,
            csrf_token=token,
            subject=session.subject,
            session_id=session.id_hash,
            must_enrol=binding.must_enrol,
            idle_expires=session.idle_expires_at,
        )

    def bound(self, session: Session) -> Binding | None:
        """What the session's subject is bound to now; None when the key was revoked or the
        account disabled (the session then ends)."""
        subject = session.subject
        if subject.startswith(KEY_PREFIX):
            key_hash = str(session.data.get("key_hash", ""))
            record = self.read.api_key(key_hash) if key_hash else None
            if (
                record is None
                or not record.is_active
                or record.submission_id is not None
                or str(record.key_id) != subject.removeprefix(KEY_PREFIX)
            ):
                return None
            return key_binding(record.label, record.scope)
        if subject.startswith(ACCOUNT_PREFIX) and self.accounts is not None:
            return self.accounts.binding(subject.removeprefix(ACCOUNT_PREFIX))
        return None

    # -- signing in and out -------------------------------------------------------------------

    def key_session(self, plaintext: str) -> tuple[str, dict[str, Any]] | None:
        """The session subject and data for a valid, active admin key; None for any other
        (unknown, revoked, a submission key: the same answer)."""
        key_hash = keys.hash_key(plaintext)
        record = self.read.api_key(key_hash)
        usable = (
            record is not None
            and record.is_active
            and record.submission_id is None
            and record.scope in KEY_ROLES
        )
        if not keys.verify(plaintext, record.key_hash if record is not None and usable else None):
            return None
        assert record is not None
        return f"{KEY_PREFIX}{record.key_id}", {"key_hash": key_hash}

    def start(
        self, request: Request, response: Response, subject: str, data: Mapping[str, Any]
    ) -> None:
        """A new admin session (a fresh token) bound to ``subject``, remembering the role it
        was granted (a later change of role ends it)."""
        stored = dict(data)
        probe = Session("", "admin", subject, "", dt.datetime.now(dt.UTC), stored)
        binding = self.bound(probe)
        if binding is not None:
            stored["role"] = int(binding.role)
        self.sessions.start(request, response, "admin", subject, stored)

    # -- banners (spec/ui.md §8: consumed from the session) ---------------------------------

    def flash(self, request: Request, admin: Admin, text: str, *, alert: bool = False) -> None:
        """Queue a banner for the next admin page of this session."""
        session = self.sessions.current(request, "admin", extend=False)
        if session is None or session.id_hash != admin.session_id:
            return
        data = dict(session.data)
        data["flash"] = [*data.get("flash", []), {"text": text, "alert": alert}]
        self.sessions.store.touch(session.id_hash, session.idle_expires_at, data)

    def take_flash(self, request: Request) -> list[dict[str, Any]]:
        """The banners queued for this session (removed from it)."""
        session = self.sessions.current(request, "admin", extend=False)
        if session is None or not session.data.get("flash"):
            return []
        data = dict(session.data)
        shown = list(data.pop("flash"))
        self.sessions.store.touch(session.id_hash, session.idle_expires_at, data)
        return shown


def key_binding(label: str, scope: str) -> Binding:
    """An admin key's binding: read keys are Viewers, full keys Managers; the actor is
    ``admin:<key label>`` (decisions.md)."""
    return Binding(username=label, role=KEY_ROLES.get(scope, Role.VIEWER), actor=f"admin:{label}")
