"""Field-level change records ``{field, label, old, new}`` with the display rules of §2.4.

Choice fields show their label, booleans "Yes"/"No", references their display name, lists are
sorted and ", "-joined, empty values are "—"; records are sorted by field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from domain.fields import DATA_ACCESS_TYPES, change_name, label_for
from domain.lifecycle import KPI_LABELS, PRIMARY_TAG_LABELS, SECONDARY_TAG_LABELS, STATUS_LABELS

EMPTY = "—"

Change = dict[str, str]


class DisplayNames(Protocol):
    """Port: how references are shown in change records (the original's ``str(obj)``)."""

    def centre(self, centre_id: str) -> str:
        """``"<short> — <full>"`` of a service centre."""
        ...

    def category(self, category_id: int) -> str:
        """The category's name."""
        ...

    def pi(self, pi_id: str) -> str:
        """``"Last, First"`` (or the associated-partner text)."""
        ...

    def edam(self, accession: str) -> str:
        """``"<label> (<accession>)"`` of an EDAM term."""
        ...

    def service(self, submission_id: str) -> str:
        """The service name of another submission (related services)."""
        ...


class RawDisplayNames:
    """Shows references by their ids; used where no reference data is at hand."""

    def centre(self, centre_id: str) -> str:
        """The id itself."""
        return centre_id

    def category(self, category_id: int) -> str:
        """The id as text."""
        return str(category_id)

    def pi(self, pi_id: str) -> str:
        """The id itself."""
        return pi_id

    def edam(self, accession: str) -> str:
        """The accession itself."""
        return accession

    def service(self, submission_id: str) -> str:
        """The id itself."""
        return submission_id


def _join(items: list[str]) -> str:
    return ", ".join(sorted(items)) if items else EMPTY


def display(wire_field: str, value: Any, names: DisplayNames) -> str:
    """Render one raw value as the change log shows it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if wire_field == "status":
        return STATUS_LABELS.get(value, str(value))
    if wire_field == "kpi_monitoring":
        return KPI_LABELS.get(value, str(value))
    if wire_field == "data_access_type":
        return DATA_ACCESS_TYPES.get(value, str(value))
    if wire_field == "related_service_ids":
        return _join([names.service(str(v)) for v in value])
    if wire_field == "primary_maturity_tag":
        return PRIMARY_TAG_LABELS.get(value, str(value))
    if wire_field == "secondary_maturity_tags":
        return _join([SECONDARY_TAG_LABELS.get(t, t) for t in value])
    if wire_field == "service_center_id":
        return names.centre(str(value))
    if wire_field == "service_category_ids":
        return _join([names.category(int(v)) for v in value])
    if wire_field == "responsible_pi_ids":
        return _join([names.pi(str(v)) for v in value])
    if wire_field in ("edam_topic_ids", "edam_operation_ids"):
        return _join([names.edam(str(v)) for v in value])
    if wire_field == "logo":
        return str(value).rsplit("/", 1)[-1] or EMPTY
    if isinstance(value, list):
        return _join([str(v) for v in value])
    return str(value).strip() or EMPTY


def build_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], names: DisplayNames
) -> list[Change]:
    """Change records for every key of ``after`` whose raw value differs from ``before``."""
    records: list[Change] = []
    for wire_field, new in after.items():
        old = before.get(wire_field)
        if _same(old, new):
            continue
        field = change_name(wire_field)
        records.append(
            {
                "field": field,
                "label": label_for(field),
                "old": display(wire_field, old, names),
                "new": display(wire_field, new, names),
            }
        )
    records.sort(key=lambda c: c["field"])
    return records


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    if old in (None, "") and new in (None, ""):
        return True
    return bool(old == new)
