"""The one error tree of the registry: every refusal the domain can give.

The web layer maps each class to one problem document type in a single table, so a new kind of
refusal is a new class here, never a string match on a message.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Raised when the registry refuses a command; the root of every domain error."""


class ValidationFailed(RegistryError):
    """Raised when input breaks one or more field rules; carries every failing field at once."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in sorted(errors.items())}
        summary = "; ".join(f"{f}: {' '.join(m)}" for f, m in self.errors.items())
        super().__init__(summary or "validation failed")


class NotFound(RegistryError):
    """Raised when the addressed aggregate does not exist (or was erased)."""


class Gone(NotFound):
    """Raised when the addressed submission existed and was erased (a ``NotFound`` whose
    answer can say so: the API's 410)."""


class InvalidTransition(RegistryError):
    """Raised when a status change is not allowed from the current status."""


class StaleVersion(RegistryError):
    """Raised when the caller's expected version is not the aggregate's current version."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"expected version {expected}, current version is {actual}")


class ConcurrentModification(RegistryError):
    """Raised when another writer saved the same aggregate first (optimistic concurrency)."""


class PermissionDenied(RegistryError):
    """Raised when the actor may not perform the command (e.g. a read key writing)."""


class Conflict(RegistryError):
    """Raised when the command clashes with existing state (e.g. a duplicate category name)."""


class TagsNotAllowed(Conflict):
    """Raised when maturity tags are assigned to a submission that is not approved."""


class OutcomeUnknown(RegistryError):
    """Raised when the connection to the event store was lost while a commit was in flight and,
    within the wait for the database, it could not be found out whether the events were recorded
    (reload the resource before repeating the change)."""
