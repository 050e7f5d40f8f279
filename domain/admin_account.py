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
from typing import Any, ClassVar, Final, Self
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
    """A named admin account: username, role, whether it is enabled, whether TOTP is on. Its
    commands say whether they recorded an event: giving the account a role or a flag it has
    records nothing (a password reset or set is always recorded)."""

    TOPIC = "registry/AdminAccount/v1"

    class Event(Aggregate.Event):
        """Base of admin account events: each names the acting admin."""

        TOPIC = "registry/AdminAccount.Event/v1"
        actor: str

    class Created(Event, Aggregate.Created):
        """The account was created (it has no password until its setup link is used)."""

        TOPIC = "registry/AdminAccount.Created/v1"
        username: str
        role: str

    class RoleChanged(Event):
        """The account's role changed."""

        TOPIC = "registry/AdminAccount.RoleChanged/v1"
        old_role: str
        role: str

        def apply(self, aggregate: Any) -> None:
            """Give the account the new role."""
            aggregate.role = self.role

    class Switched(Event):
        """Base of the events that only turn one of the account's flags on or off."""

        TOPIC = "registry/AdminAccount.Switched/v1"
        flag: ClassVar[tuple[str, bool]]

        def apply(self, aggregate: Any) -> None:
            """Set the flag."""
            setattr(aggregate, *self.flag)

        @classmethod
        def named(cls, name: str, flag: str, value: bool) -> type[Self]:
            """The event ``AdminAccount.<name>`` (topic ``registry/AdminAccount.<name>/v1``)
            that sets ``flag`` to ``value``."""
            qualname = f"AdminAccount.{name}"
            namespace = {"__module__": __name__, "__qualname__": qualname, "flag": (flag, value)}
            return type(name, (cls,), {**namespace, "TOPIC": f"registry/{qualname}/v1"})

    # The account may no longer sign in (its sessions end), or may again; a new setup link
    # invalidated its password, or a password was set (the hash is not in the event); two-step
    # sign-in with an authenticator app was turned on or off (the seed is not in the event).
    Disabled = Switched.named("Disabled", "is_active", False)
    Enabled = Switched.named("Enabled", "is_active", True)
    PasswordResetRequested = Switched.named("PasswordResetRequested", "has_password", False)
    PasswordSet = Switched.named("PasswordSet", "has_password", True)
    TotpEnrolled = Switched.named("TotpEnrolled", "totp", True)
    TotpRemoved = Switched.named("TotpRemoved", "totp", False)

    @event(Created)
    def __init__(self, username: str, role: str, actor: str) -> None:
        self.username = username
        self.role = role
        self.created_by = actor
        self.is_active = True
        self.has_password = False
        self.totp = False

    def change_role(self, role: str, actor: str) -> bool:
        """Give the account ``role``; False (nothing recorded) when it has it."""
        if role == self.role:
            return False
        self.trigger_event(self.RoleChanged, old_role=self.role, role=role, actor=actor)
        return True

    def switch(self, change: type[Switched], actor: str, *, always: bool = False) -> bool:
        """Record ``change`` (``Disabled``, ``TotpEnrolled`` …); False (nothing recorded) when
        the account's flag already has its value, unless ``always``."""
        name, value = change.flag
        if getattr(self, name) == value and not always:
            return False
        self.trigger_event(change, actor=actor)
        return True
