"""Deciding what an amendment records: real changes only, and whether it resets the status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.changes import Change, DisplayNames, build_changes
from domain.fields import change_name


@dataclass(frozen=True)
class AmendmentPlan:
    """The raw values and change records one ``Amended`` event will carry."""

    values: dict[str, Any]
    changes: list[Change]
    status_reset: bool


def plan_amendment(
    current: Mapping[str, Any],
    updates: Mapping[str, Any],
    *,
    by_admin: bool,
    exempt: frozenset[str],
    names: DisplayNames,
) -> AmendmentPlan | None:
    """None when nothing really changes; else the values, changes and the status decision.

    An owner's real change to a field outside ``exempt`` (change-log names) resets an approved
    submission to ``submitted`` and clears its tags; with an empty exempt list any change resets.
    Admin edits never reset.
    """
    changes = build_changes(current, updates, names)
    if not changes:
        return None
    changed_wire = {w for w in updates if change_name(w) in {c["field"] for c in changes}}
    values = {w: updates[w] for w in sorted(changed_wire)}
    reset = (
        not by_admin
        and current.get("status") == "approved"
        and (not exempt or any(c["field"] not in exempt for c in changes))
    )
    if reset:
        lifecycle: dict[str, Any] = {
            "status": "submitted",
            "primary_maturity_tag": None,
            "secondary_maturity_tags": [],
        }
        changes = sorted(
            changes + build_changes(current, lifecycle, names), key=lambda c: c["field"]
        )
        values.update(lifecycle)
    return AmendmentPlan(values=values, changes=changes, status_reset=reset)
