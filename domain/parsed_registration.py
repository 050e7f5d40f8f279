"""What checking a registration yields (``SubmissionCommands.check_registration`` and
``register_submission`` share the check): the merged values, every error, and the display
names the registration's counterpart events use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.lookups import DisplayAdapter


@dataclass(frozen=True)
class CheckedRegistration:
    """A registration's input after parsing and validation (nothing recorded)."""

    values: dict[str, Any]
    """The parsed values with every default (the consent still among them)."""
    errors: dict[str, list[str]]
    """Field -> messages; empty when the registration is valid."""
    names: DisplayAdapter
