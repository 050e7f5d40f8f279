"""Named admin accounts (spec/ui.md §3.4, §5.7.8): setup links, argon2id passwords, optional
TOTP (mandatory with ``REGISTRY_ADMIN_REQUIRE_TOTP``), throttled failures.

The lifecycle (created, role changed, disabled, password reset requested, password set, TOTP on
or off) is recorded by the domain (``AdminAccountRegistry``), naming the acting admin; the
secrets (hashes, seeds, setup tokens) go only to the ``AdminCredentialStore`` support tables.
The ``registry admins`` command and the console pages both use this class. Synchronous: pages
call it in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.admin_account import account_id
from domain.errors import ValidationFailed
from web.ports import AdminAccountRegistry, AdminCredentialStore
from web.ui.admin import totp
from web.ui.admin.access import Binding, Role
from web.ui.admin.common_passwords import COMMON

SETUP_VALID: Final = dt.timedelta(hours=24)
MIN_PASSWORD: Final = 12
MAX_PASSWORD: Final = 1024
THROTTLE_FAILURES: Final = 5
THROTTLE_WINDOW: Final = dt.timedelta(minutes=15)
TICKET_SECONDS: Final = 300

#: A hash of nothing, verified when the username is unknown so both cases take as long.
_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))

Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    """The stored hash of a setup token."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_problem(password: str, confirm: str, username: str) -> dict[str, str]:
    """The errors of a new password, by field (empty when it is acceptable)."""
    if len(password) < MIN_PASSWORD:
        return {"password": f"Enter a password of at least {MIN_PASSWORD} characters."}
    if len(password) > MAX_PASSWORD:
        return {"password": f"Enter a password of at most {MAX_PASSWORD} characters."}
    folded = password.lower()
    if folded in COMMON or len(set(password)) <= 2 or (username and username in folded):
        return {
            "password": "This password is too easy to guess. Choose a longer or less common one."
        }
    if password != confirm:
        return {"confirm": "The two passwords do not match."}
    return {}


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password check."""

    result: Literal["ok", "totp", "invalid", "throttled"]
    account_id: UUID | None = None
    retry_at: dt.datetime | None = None
    ticket: str = ""
    must_enrol: bool = False


class AdminAccounts:
    """Accounts over the domain's account commands and the credential store."""

    def __init__(
        self,
        registry: AdminAccountRegistry,
        store: AdminCredentialStore,
        *,
        server_key: Callable[[], bytes],
        require_totp: bool = False,
        clock: Clock = _now,
    ) -> None:
        self.registry = registry
        self.store = store
        self.server_key = server_key
        self.require_totp = require_totp
        self.clock = clock
        self.hasher = _HASHER

    # -- lifecycle (CLI and pages) --------------------------------------------------------

    def create(self, username: str, role: str, *, actor: str) -> tuple[UUID, str]:
        """A new account and its one-time setup token (valid 24 h)."""
        outcome: Any = self.registry.create_admin_account(username, role, actor=actor)
        ident: UUID = outcome.account_id
        token = secrets.token_urlsafe(32)
        name = (username or "").strip().lower()
        self.store.create(ident, name, token_hash(token), self.clock() + SETUP_VALID)
        return ident, token

    def find(self, username: str) -> UUID:
        """The id of ``username``; ValidationFailed naming ``username`` when unknown."""
        name = (username or "").strip().lower()
        row = self.store.by_username(name)
        if row is not None:
            return row.account_id
        # An account whose credentials row is missing (created while the support table was
        # not migrated yet): the event log knows it; a password reset gives it a row.
        state = self.registry.admin_account_state(account_id(name)) if name else None
        if state is None:
            raise ValidationFailed({"username": [f'No account is named "{username}".']})
        return state.account_id

    def reset_password(self, ident: UUID, *, actor: str) -> str:
        """Forget the password (and its sessions' use) and issue a new setup token."""
        row = self.store.by_id(ident)
        state = self.registry.admin_account_state(ident)
        if state is None:
            raise ValidationFailed({"username": ["No such account."]})
        token = secrets.token_urlsafe(32)
        self.registry.record_admin_password_reset(ident, actor=actor)
        expires = self.clock() + SETUP_VALID
        if row is None:
            self.store.create(ident, state.username, token_hash(token), expires)
        else:
            self.store.reset(ident, token_hash(token), expires)
        return token

    def set_role(self, ident: UUID, role: str, *, actor: str) -> bool:
        """Give the account ``role``; whether anything changed."""
        outcome: Any = self.registry.set_admin_account_role(ident, role, actor=actor)
        return bool(outcome.changed)

    def set_active(self, ident: UUID, active: bool, *, actor: str) -> bool:
        """Disable or enable the account; whether anything changed."""
        outcome: Any = self.registry.set_admin_account_active(ident, active, actor=actor)
        return bool(outcome.changed)

    def listing(self) -> list[dict[str, Any]]:
        """Every account: username, role, state, whether set up, TOTP, who created it."""
        out = []
        for row in self.store.all():
            state = self.registry.admin_account_state(row.account_id)
            if state is None:
                continue
            out.append(
                {
                    "id": str(row.account_id),
                    "username": state.username,
                    "role": state.role,
                    "is_active": state.is_active,
                    "has_password": row.password_hash is not None,
                    "totp": row.totp_secret is not None,
                    "created_by": state.created_by,
                }
            )
        return out

    # -- setup link ----------------------------------------------------------------------

    def setup_account(self, token: str) -> tuple[UUID, str] | None:
        """The account (id, username) a live setup token belongs to, or None."""
        row = self.store.by_setup_token(token_hash(token), self.clock())
        if row is None:
            return None
        state = self.registry.admin_account_state(row.account_id)
        if state is None or not state.is_active:
            return None
        return row.account_id, row.username

    def set_password_with_token(self, token: str, password: str, confirm: str) -> dict[str, str]:
        """Set the first (or reset) password through a setup link; errors by field."""
        found = self.setup_account(token)
        if found is None:
            return {"summary": "This setup link is not valid or has expired. Ask for a new one."}
        ident, username = found
        errors = password_problem(password, confirm, username)
        if errors:
            return errors
        self.store.set_password(ident, self.hasher.hash(password))
        self.registry.record_admin_password_set(ident, actor=f"admin:{username}")
        return {}

    def change_password(
        self, ident: UUID, current: str, password: str, confirm: str
    ) -> dict[str, str]:
        """Change a signed-in account's password (the current one is checked); errors."""
        row = self.store.by_id(ident)
        if row is None or not self._verify(row.password_hash, current):
            return {"current_password": "The current password is not correct."}
        errors = password_problem(password, confirm, row.username)
        if errors:
            return errors
        self.store.set_password(ident, self.hasher.hash(password))
        self.registry.record_admin_password_set(ident, actor=f"admin:{row.username}")
        return {}

    # -- signing in ----------------------------------------------------------------------

    def throttled(self, ip: str, subject: str) -> dt.datetime | None:
        """When (ip, subject) may try again, if it failed too often recently; else None."""
        now = self.clock()
        failures = self.store.failures_since(ip, subject, now - THROTTLE_WINDOW)
        if len(failures) < THROTTLE_FAILURES:
            return None
        return failures[-THROTTLE_FAILURES] + THROTTLE_WINDOW

    def failed(self, ip: str, subject: str) -> None:
        """Count one failed sign-in of (ip, subject)."""
        self.store.record_failure(ip, subject, self.clock())

    def authenticate(self, username: str, password: str, ip: str) -> SignIn:
        """Check a username and password (throttled per ip and username)."""
        name = (username or "").strip().lower()
        subject = f"user:{name}"
        retry = self.throttled(ip, subject)
        if retry is not None:
            return SignIn("throttled", retry_at=retry)
        row = self.store.by_username(name) if name else None
        good = self._verify(row.password_hash if row else None, password)
        state = self.registry.admin_account_state(row.account_id) if row and good else None
        if row is None or not good or state is None or not state.is_active:
            self.failed(ip, subject)
            return SignIn("invalid")
        assert row.password_hash is not None
        if self.hasher.check_needs_rehash(row.password_hash):
            self.store.set_password(row.account_id, self.hasher.hash(password))
        if row.totp_secret:
            return SignIn("totp", row.account_id, ticket=self._ticket(row.account_id))
        self.store.clear_failures(ip, subject)
        return SignIn("ok", row.account_id, must_enrol=self.require_totp)

    def second_step(self, ticket: str, code: str, ip: str) -> SignIn:
        """Check the TOTP code of a password-checked sign-in (its ticket, 5 minutes)."""
        ident = self._ticket_account(ticket)
        row = self.store.by_id(ident) if ident else None
        if row is None or not row.totp_secret:
            return SignIn("invalid")
        subject = f"user:{row.username}"
        retry = self.throttled(ip, subject)
        if retry is not None:
            return SignIn("throttled", retry_at=retry)
        step = totp.matching_step(row.totp_secret, code, self.clock().timestamp())
        if step is None or not self.store.use_totp_step(row.account_id, step):
            self.failed(ip, subject)
            return SignIn("totp", row.account_id, ticket=ticket)
        self.store.clear_failures(ip, subject)
        return SignIn("ok", row.account_id)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or _DUMMY, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def _ticket(self, ident: UUID) -> str:
        expires = int(time.time()) + TICKET_SECONDS
        body = f"{ident}.{expires}"
        mac = hmac.new(self.server_key(), f"totp:{body}".encode(), hashlib.sha256).hexdigest()
        return f"{body}.{mac}"

    def _ticket_account(self, ticket: str) -> UUID | None:
        parts = ticket.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        body = f"{parts[0]}.{parts[1]}"
        mac = hmac.new(self.server_key(), f"totp:{body}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, parts[2]) or int(parts[1]) < time.time():
            return None
        try:
            return UUID(parts[0])
        except ValueError:
            return None

    # -- TOTP enrolment (the account page) ------------------------------------------------

    def enrol_totp(self, ident: UUID, secret: str, code: str) -> bool:
        """Turn TOTP on with ``secret`` once ``code`` proves the app has it."""
        row = self.store.by_id(ident)
        step = totp.matching_step(secret, code, self.clock().timestamp())
        if row is None or step is None:
            return False
        self.store.set_totp(ident, secret)
        self.store.use_totp_step(ident, step)
        self.registry.record_admin_totp(ident, True, actor=f"admin:{row.username}")
        return True

    def remove_totp(self, ident: UUID, code: str) -> bool:
        """Turn TOTP off (a current code needed; refused while the setting requires it)."""
        row = self.store.by_id(ident)
        if self.require_totp or row is None or not row.totp_secret:
            return False
        if totp.matching_step(row.totp_secret, code, self.clock().timestamp()) is None:
            return False
        self.store.set_totp(ident, None)
        self.registry.record_admin_totp(ident, False, actor=f"admin:{row.username}")
        return True

    # -- the per-request check (AccountCheck) --------------------------------------------

    def binding(self, account_id: str) -> Binding | None:
        """The account's current name, role and actor; None when unknown, disabled, or its
        password was reset."""
        try:
            ident = UUID(account_id)
        except ValueError:
            return None
        state = self.registry.admin_account_state(ident)
        if state is None or not state.is_active or not state.has_password:
            return None
        must_enrol = self.require_totp and not state.totp
        return Binding(
            username=state.username,
            role=Role.parse(state.role),
            actor=f"admin:{state.username}",
            must_enrol=must_enrol,
        )

    def has_totp(self, ident: UUID) -> bool:
        """Whether the account signs in with TOTP."""
        row = self.store.by_id(ident)
        return bool(row and row.totp_secret)
