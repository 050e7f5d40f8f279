"""Named admin accounts (spec/ui.md §3.4): who may use the admin console, with which role.

The account's lifecycle is event-sourced so that "who granted this role" has an answer: every
event names the acting admin (``admin:<username>``, ``admin:<key label>`` or ``admin:cli``).
Secrets never enter an event: the password hash and the TOTP seed live in the support table
``admin_credentials`` (``schema/ddl/admin_accounts``); the events only say that a password was
set, a reset requested, or TOTP enrolled or removed.

The id is ``uuid5(NAMESPACE, "admin-account:<username>")``: a second account under the same
username collides with the first in the event store, so usernames are unique without a lookup.
"""

from __future__ import annotations

import re
from typing import Final
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.ids import NAMESPACE

ROLES: Final = ("viewer", "editor", "manager")
USERNAME: Final = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
USERNAME_RULE: Final = (
    "Use 2 to 40 lower-case letters, digits, dots, hyphens or underscores, starting with a"
    " letter or digit."
)


def account_id(username: str) -> UUID:
    """The id of the account named ``username``."""
    return uuid5(NAMESPACE, f"admin-account:{username}")


class AdminAccount(Aggregate):
    """A named admin account: username, role, whether it is enabled, whether TOTP is on."""

    TOPIC = "registry/AdminAccount/v1"

    class Event(Aggregate.Event):
        """Base of admin account events."""

        TOPIC = "registry/AdminAccount.Event/v1"

    class Created(Event, Aggregate.Created):
        """The account was created (it has no password until its setup link is used)."""

        TOPIC = "registry/AdminAccount.Created/v1"
        username: str
        role: str
        actor: str

    class RoleChanged(Event):
        """The account's role changed."""

        TOPIC = "registry/AdminAccount.RoleChanged/v1"
        old_role: str
        role: str
        actor: str

    class Disabled(Event):
        """The account may no longer sign in; its sessions end."""

        TOPIC = "registry/AdminAccount.Disabled/v1"
        actor: str

    class Enabled(Event):
        """A disabled account may sign in again."""

        TOPIC = "registry/AdminAccount.Enabled/v1"
        actor: str

    class PasswordResetRequested(Event):
        """A new setup link was issued; the old password no longer works."""

        TOPIC = "registry/AdminAccount.PasswordResetRequested/v1"
        actor: str

    class PasswordSet(Event):
        """The account's password was set or changed (the hash is not recorded here)."""

        TOPIC = "registry/AdminAccount.PasswordSet/v1"
        actor: str

    class TotpEnrolled(Event):
        """Two-step sign-in with an authenticator app was turned on (the seed is not here)."""

        TOPIC = "registry/AdminAccount.TotpEnrolled/v1"
        actor: str

    class TotpRemoved(Event):
        """Two-step sign-in was turned off."""

        TOPIC = "registry/AdminAccount.TotpRemoved/v1"
        actor: str

    @event(Created)
    def __init__(self, username: str, role: str, actor: str) -> None:
        self.username = username
        self.role = role
        self.created_by = actor
        self.is_active = True
        self.has_password = False
        self.totp = False

    @event(RoleChanged)
    def change_role(self, old_role: str, role: str, actor: str) -> None:
        """Give the account another role."""
        self.role = role

    @event(Disabled)
    def disable(self, actor: str) -> None:
        """Stop the account from signing in."""
        self.is_active = False

    @event(Enabled)
    def enable(self, actor: str) -> None:
        """Let a disabled account sign in again."""
        self.is_active = True

    @event(PasswordResetRequested)
    def request_password_reset(self, actor: str) -> None:
        """Invalidate the password; a new setup link sets the next one."""
        self.has_password = False

    @event(PasswordSet)
    def password_set(self, actor: str) -> None:
        """Record that a password was set."""
        self.has_password = True

    @event(TotpEnrolled)
    def totp_enrolled(self, actor: str) -> None:
        """Record that TOTP was turned on."""
        self.totp = True

    @event(TotpRemoved)
    def totp_removed(self, actor: str) -> None:
        """Record that TOTP was turned off."""
        self.totp = False
