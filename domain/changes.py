"""Field-level change records ``{field, label, old, new}`` with the display rules of §2.4.

Choice fields show their label, booleans "Yes"/"No", references their display name, lists are
sorted and ", "-joined, empty values are "—"; records are sorted by field name. Names, labels,
choices and what a reference points at come from the field catalogue (``domain.fields``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from domain.field_types import Field
from domain.fields import FIELDS, change_name, label_for
from domain.text import storable_display

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


Show = Callable[[Any, DisplayNames], str]

# How each kind of reference is named (the lists' items one by one).
_NAMES: dict[str, Callable[[DisplayNames, Any], str]] = {
    "centre": lambda names, v: names.centre(str(v)),
    "category": lambda names, v: names.category(int(v)),
    "pi": lambda names, v: names.pi(str(v)),
    "edam_topic": lambda names, v: names.edam(str(v)),
    "edam_operation": lambda names, v: names.edam(str(v)),
    "submission": lambda names, v: names.service(str(v)),
}


def _shower(f: Field) -> Show | None:
    """How a field's values are shown, when not as plain text or a plain list."""
    if f.choices:
        if f.is_list:
            return lambda value, names: _join([f.choice_label(v) for v in value])
        return lambda value, names: f.choice_label(value)
    name = _NAMES.get(f.refers_to or "")
    if name is not None:
        if f.is_list:
            return lambda value, names: _join([name(names, v) for v in value])
        return lambda value, names: name(names, value)
    if f.kind == "file":
        return lambda value, names: str(value).rsplit("/", 1)[-1] or EMPTY
    return None


_SHOW: dict[str, Show] = {f.name: s for f in FIELDS if (s := _shower(f)) is not None}


def display(wire_field: str, value: Any, names: DisplayNames) -> str:
    """Render one raw value as the change log shows it."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    show = _SHOW.get(wire_field)
    if show is not None:
        return show(value, names)
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
                # A legacy value PostgreSQL cannot store would make the record unstorable.
                "old": storable_display(display(wire_field, old, names)),
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
