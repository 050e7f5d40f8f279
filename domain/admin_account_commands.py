"""Commands on named admin accounts (``domain.admin_account``): each saves one event that names
the acting admin; a command that would change nothing records nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.admin_account import ROLES, USERNAME, USERNAME_RULE, AdminAccount, account_id
from domain.errors import ConcurrentModification, NotFound, ValidationFailed
from domain.registry_base import RegistryBase


@dataclass(frozen=True)
class AccountOutcome:
    """The result of an account command."""

    account_id: UUID
    position: int | None
    version: int
    changed: bool


@dataclass(frozen=True)
class AccountState:
    """What the console needs of an account on every request."""

    account_id: UUID
    username: str
    role: str
    is_active: bool
    has_password: bool
    totp: bool
    created_by: str
    version: int


def _role(role: str) -> str:
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise ValidationFailed(
            {"role": [f'"{role}" is not a valid choice: viewer, editor or manager.']}
        )
    return value


class AdminAccountCommands(RegistryBase):
    """Create accounts and record their lifecycle."""

    def create_admin_account(self, username: str, role: str, *, actor: str) -> AccountOutcome:
        """A new, enabled account without a password; ValidationFailed naming ``username`` when
        it breaks the rule or is taken, or ``role``."""
        name = (username or "").strip().lower()
        errors: dict[str, list[str]] = {}
        if not USERNAME.match(name):
            errors["username"] = [USERNAME_RULE]
        try:
            wanted = _role(role)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            wanted = ""
        if errors:
            raise ValidationFailed(errors)
        if self._account_or_none(account_id(name)) is not None:
            raise ValidationFailed({"username": [f'An account named "{name}" already exists.']})
        account = AdminAccount._create(
            AdminAccount.Created, id=account_id(name), username=name, role=wanted, actor=actor
        )
        try:
            position = self._save(account)
        except ConcurrentModification:
            raise ValidationFailed(
                {"username": [f'An account named "{name}" already exists.']}
            ) from None
        return AccountOutcome(account.id, position, account.version, True)

    def set_admin_account_role(self, ident: UUID, role: str, *, actor: str) -> AccountOutcome:
        """Give the account ``role``."""
        return self._change_account(ident, lambda account: account.change_role(_role(role), actor))

    def set_admin_account_active(self, ident: UUID, active: bool, *, actor: str) -> AccountOutcome:
        """Disable (or enable again) the account."""
        change = AdminAccount.Enabled if active else AdminAccount.Disabled
        return self._change_account(ident, lambda account: account.switch(change, actor))

    def record_admin_password_reset(self, ident: UUID, *, actor: str) -> AccountOutcome:
        """Record that a new setup link replaced the password."""
        reset = AdminAccount.PasswordResetRequested
        return self._change_account(
            ident, lambda account: account.switch(reset, actor, always=True)
        )

    def record_admin_password_set(self, ident: UUID, *, actor: str) -> AccountOutcome:
        """Record that the account's password was set."""
        done = AdminAccount.PasswordSet
        return self._change_account(ident, lambda account: account.switch(done, actor, always=True))

    def record_admin_totp(self, ident: UUID, enrolled: bool, *, actor: str) -> AccountOutcome:
        """Record that TOTP was turned on or off."""
        change = AdminAccount.TotpEnrolled if enrolled else AdminAccount.TotpRemoved
        return self._change_account(ident, lambda account: account.switch(change, actor))

    def _change_account(
        self, ident: UUID, change: Callable[[AdminAccount], bool]
    ) -> AccountOutcome:
        """Load the account, apply ``change`` and save what it recorded (nothing: unchanged)."""
        account = self._account(ident)
        if not change(account):
            return AccountOutcome(account.id, None, account.version, False)
        return AccountOutcome(account.id, self._save(account), account.version, True)

    def admin_account_state(self, ident: UUID) -> AccountState | None:
        """The account's current state; None for an unknown id."""
        account = self._account_or_none(ident)
        if account is None:
            return None
        return AccountState(
            account.id,
            account.username,
            account.role,
            account.is_active,
            account.has_password,
            account.totp,
            account.created_by,
            account.version,
        )

    def admin_account_events(self, ident: UUID) -> list[dict[str, Any]]:
        """The account's lifecycle, oldest first: ``{version, type, actor, at, role?}``."""
        out: list[dict[str, Any]] = []
        for stored in self.events.get(ident):
            if not isinstance(stored, AdminAccount.Event):
                continue
            entry: dict[str, Any] = {
                "version": stored.originator_version,
                "type": type(stored).__name__,
                "actor": getattr(stored, "actor", ""),
                "at": stored.timestamp,
            }
            if hasattr(stored, "role"):
                entry["role"] = stored.role
            out.append(entry)
        return out

    def _account_or_none(self, ident: UUID) -> AdminAccount | None:
        try:
            found: Any = self.repository.get(ident)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, AdminAccount) else None

    def _account(self, ident: UUID) -> AdminAccount:
        account = self._account_or_none(ident)
        if account is None:
            raise NotFound(f"Admin account {ident} not found.")
        return account
