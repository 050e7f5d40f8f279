"""Statuses, maturity tags and the enforced transition table (decisions.md item 1)."""

from __future__ import annotations

from typing import Final

from domain.errors import InvalidTransition, PermissionDenied, ValidationFailed

STATUS_LABELS: Final[dict[str, str]] = {
    "draft": "Draft",
    "submitted": "Submitted",
    "under_review": "Under Review",
    "approved": "Approved",
    "rejected": "Rejected",
    "deprecated": "Deprecated",
}
PRIMARY_TAG_LABELS: Final[dict[str, str]] = {
    "mature": "Mature",
    "emerging": "Emerging",
    "legacy": "Legacy",
}
SECONDARY_TAG_LABELS: Final[dict[str, str]] = {"unstable": "Unstable"}
KPI_LABELS: Final[dict[str, str]] = {"yes": "Yes", "planned": "Planned"}

# target -> (allowed sources, admin only). "draft" is reserved: no action reaches it.
TRANSITIONS: Final[dict[str, tuple[frozenset[str], bool]]] = {
    "approved": (frozenset({"submitted", "under_review", "rejected"}), True),
    "rejected": (frozenset({"submitted", "under_review", "approved"}), True),
    "under_review": (frozenset({"submitted", "approved", "rejected"}), True),
    "deprecated": (
        frozenset({"draft", "submitted", "under_review", "approved", "rejected"}),
        False,
    ),
    "submitted": (frozenset({"deprecated"}), True),
}


def check_transition(current: str, target: str, *, by_admin: bool) -> None:
    """Raise PermissionDenied/InvalidTransition unless ``current -> target`` is allowed.

    The same status (a no-op) is the caller's concern and is not checked here.
    """
    if target not in STATUS_LABELS:
        raise ValidationFailed({"status": [f'"{target}" is not a valid choice.']})
    rule = TRANSITIONS.get(target)
    if rule is None:
        msg = f"No action moves a submission to {target!r}."
        raise InvalidTransition(msg)
    sources, admin_only = rule
    if admin_only and not by_admin:
        msg = f"Only an admin may change the status to {STATUS_LABELS[target]}."
        raise PermissionDenied(msg)
    if current not in sources:
        msg = (
            f"Cannot change status from {STATUS_LABELS.get(current, current)} "
            f"to {STATUS_LABELS[target]}."
        )
        raise InvalidTransition(msg)


def validate_tags(primary: str | None, secondary: list[str]) -> dict[str, list[str]]:
    """Check tag values (not the status); return field errors with the original messages."""
    errors: dict[str, list[str]] = {}
    if primary is not None and primary not in PRIMARY_TAG_LABELS:
        errors["primary_maturity_tag"] = ["Invalid primary maturity tag."]
    bad = [
        f"'{t}' is not a valid secondary maturity tag."
        for t in secondary
        if t not in SECONDARY_TAG_LABELS
    ]
    if bad:
        errors["secondary_maturity_tags"] = bad
    return errors
