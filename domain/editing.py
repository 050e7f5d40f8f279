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


#: Fields a status reset changes besides the owner's own.
_LIFECYCLE = frozenset({"status", "primary_maturity_tag", "secondary_maturity_tags"})


@dataclass(frozen=True)
class AmendmentImpact:
    """What saving an amendment would do, asked before saving (spec/ui.md §5.6, §9 item 1)."""

    version: int
    """The submission's version the preview was made against."""
    status: str
    changes: list[Change]
    """The real changes of the edit itself (the reset's status and tag changes left out)."""
    status_reset: bool
    """Whether saving sends an approved submission back to review."""
    review_fields: list[str]
    """Labels of the changed fields that need review (they cause the reset)."""
    free_fields: list[str]
    """Labels of the changed fields the exempt list lets through without review."""

    @property
    def changed(self) -> bool:
        """Whether saving would record anything."""
        return bool(self.changes)


def amendment_impact(
    plan: AmendmentPlan | None,
    *,
    version: int,
    status: str,
    exempt: frozenset[str],
    by_admin: bool,
) -> AmendmentImpact:
    """The preview of ``plan`` (None: nothing changes) with the reset rule's reasons: the same
    exempt list ``plan_amendment`` applied."""
    if plan is None:
        return AmendmentImpact(version, status, [], False, [], [])
    own = [c for c in plan.changes if not (plan.status_reset and c["field"] in _LIFECYCLE)]
    needs_review = [
        c["label"] for c in own if not by_admin and (not exempt or c["field"] not in exempt)
    ]
    free = [c["label"] for c in own if c["label"] not in needs_review]
    return AmendmentImpact(version, status, own, plan.status_reset, needs_review, free)
