"""The history in the pages (spec/ui.md §7): timeline entries in words, actor badges, the
readable diff of two versions (§7.3) and the record with per-field provenance (§7.4).

Pure functions over what the read port answers (``ReadPort.submission_timeline``,
``compare_versions``, ``field_provenance`` and served documents). Values come from the served
documents (references resolved to today's names); which fields changed comes from the raw
documents (ids and accessions), never from splitting display strings. Every string a person
reads is a field label from the catalogue (``domain.fields``) or one of the texts here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from markupsafe import Markup, escape

from domain.field_types import Field
from domain.fields import FIELDS, SECTION_TITLES
from domain.lifecycle import PRIMARY_TAG_LABELS, SECONDARY_TAG_LABELS, STATUS_LABELS

ERASED: Final = "[erased]"

#: Text longer than this many characters is compared word by word in one "Change" cell.
LONG_TEXT: Final = 120
#: Unchanged runs longer than this many words are collapsed.
KEEP_WORDS: Final = 40
#: Above this many tokens a line diff is used instead of a word diff.
TOKEN_BUDGET: Final = 10_000

#: The maturity tags' labels, primary and secondary alike.
MATURITY_LABELS: Final = {**PRIMARY_TAG_LABELS, **SECONDARY_TAG_LABELS}

#: The timeline filter ``type`` (§5.7.4): each event kind's group.
TYPE_GROUPS: Final[dict[str, str]] = {
    "Submission.Registered": "content",
    "Submission.Amended": "content",
    "Submission.RelatedServicesChanged": "content",
    "Submission.StatusChanged": "status",
    "Submission.MaturityTagsAssigned": "tags",
    "Submission.KeyIssued": "keys",
    "Submission.KeyRevoked": "keys",
    "Submission.BioToolsLinked": "biotools",
    "Submission.BioToolsUnlinked": "biotools",
    "Submission.Imported": "import",
    "Submission.HistoryImported": "import",
    "Submission.Erased": "content",
}
TYPE_FILTERS: Final[tuple[tuple[str, str], ...]] = (
    ("content", "Content"),
    ("status", "Status"),
    ("tags", "Tags"),
    ("keys", "Keys"),
    ("biotools", "bio.tools"),
    ("import", "Import"),
)

#: The record's fields (sections A–G, in catalogue order), personal ones included.
RECORD_FIELDS: Final[tuple[Field, ...]] = tuple(
    f for f in FIELDS if f.role == "content" and f.served and f.writable
)
_BY_NAME: Final[dict[str, Field]] = {f.name: f for f in FIELDS}


def status_label(value: Any) -> str:
    """The status's label (Appendix D)."""
    return STATUS_LABELS.get(str(value or ""), str(value or ""))


def actor_badge(changed_by: str) -> str:
    """The actor as the admin pages name it (Appendix B)."""
    if changed_by == "submitter":
        return "Submitter"
    if changed_by.startswith("api:"):
        return f"API: {changed_by[4:]}"
    if changed_by.startswith("admin:"):
        return f"Admin: {changed_by[6:]}"
    if changed_by == "worker:biotools":
        return "bio.tools sync"
    if changed_by == "recovery":
        return "Key recovery"
    if changed_by.startswith("import"):
        rest = changed_by.partition(":")[2]
        return f"Imported: {rest}" if rest else "Imported"
    return f"Imported: {changed_by}" if changed_by else "Unknown"


def type_group(event_type: str) -> str:
    """The filter group of an event kind (a bio.tools record's events: ``biotools``)."""
    if event_type.startswith("BioToolsRecord."):
        return "biotools"
    return TYPE_GROUPS.get(event_type, "content")


def heading(entry: Mapping[str, Any]) -> str:
    """The timeline entry's heading in words (§7.2)."""
    kind = str(entry["type"])
    name = kind.partition(".")[2]
    changes = entry.get("changes") or []
    first = changes[0] if changes else {}
    if kind.startswith("BioToolsRecord."):
        return "bio.tools sync failed" if name.endswith("SyncFailed") else "bio.tools synced"
    if name == "StatusChanged":
        old = status_label(entry.get("old_status"))
        new = status_label(entry.get("new_status"))
        return f"Status changed: {old} → {new}"
    if name == "KeyIssued":
        label, _, scope = str(first.get("new", "")).rpartition(" (")
        scope = scope.rstrip(")")
        scope_text = "read-only" if scope == "read" else "read-write"
        return f"Key issued: '{label}' ({scope_text})"
    return {
        "Registered": "Registered",
        "Amended": "Content edited",
        "RelatedServicesChanged": "Related services changed",
        "MaturityTagsAssigned": "Maturity tags assigned",
        "KeyRevoked": "Key revoked",
        "BioToolsLinked": "bio.tools record linked",
        "BioToolsUnlinked": "bio.tools record unlinked",
        "Imported": "Imported from the previous system",
        "HistoryImported": "Change recorded in the previous system",
        "Erased": "Personal data erased",
    }.get(name, name)


# --- values ---------------------------------------------------------------------------------


def _item_text(f: Field, item: Any) -> str:
    """One list item or reference as text: names with ids where both exist."""
    if isinstance(item, Mapping):
        if f.refers_to == "category":
            return str(item.get("name") or item.get("id"))
        if f.refers_to == "pi":
            last, first = item.get("last_name") or "", item.get("first_name") or ""
            return f"{last}, {first}".strip(", ") or str(item.get("id"))
        if f.refers_to in ("edam_topic", "edam_operation"):
            label = item.get("label")
            accession = item.get("accession") or ""
            return f"{label} ({accession})" if label else str(accession)
        if f.refers_to == "submission":
            return str(item.get("service_name") or item.get("id"))
        if f.refers_to == "centre":
            return f"{item.get('short_name', '')} — {item.get('full_name', '')}"
        return str(item.get("name") or item.get("label") or item.get("id"))
    if f.choices:
        return f.choice_label(item)
    return str(item)


def _item_key(item: Any) -> str:
    if isinstance(item, Mapping):
        return str(item.get("id") or item.get("accession") or item.get("uri") or item)
    return str(item)


def served_value(f: Field, doc: Mapping[str, Any]) -> Any:
    """The field's value in a served document (its wire name)."""
    return doc.get(f.served_as)


def is_erased(value: Any) -> bool:
    """Whether an erasure replaced the value."""
    return isinstance(value, str) and value == ERASED


def display_text(f: Field, value: Any) -> str:
    """A value as one line of text ("" when empty)."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_item_text(f, v) for v in value)
    if isinstance(value, Mapping) or f.choices:
        return _item_text(f, value)
    if f.kind == "file":
        return str(value).rsplit("/", 1)[-1]
    return str(value)


# --- the diff -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One field of a diff (§7.3): ``kind`` is ``set``, ``long`` or ``scalar``."""

    name: str
    label: str
    kind: str
    before: str = ""
    after: str = ""
    before_erased: bool = False
    after_erased: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    change: Markup = field(default_factory=Markup)
    times: int = 0
    steps: tuple[int, ...] = ()


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def word_diff(old: str, new: str) -> Markup:
    """A word-level diff: deleted runs in ``<del>``, inserted in ``<ins>`` (each with visually
    hidden "removed:"/"added:"), long unchanged runs collapsed; every token escaped first."""
    a, b = _tokens(old), _tokens(new)
    if len(a) + len(b) > TOKEN_BUDGET:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            run = a[i1:i2]
            words = [t for t in run if not t.isspace()]
            if len(words) > KEEP_WORDS:
                out.append(f'<span class="muted">… {len(words)} unchanged words …</span> ')
            else:
                out.append(str(escape("".join(run))))
            continue
        if op in ("delete", "replace"):
            removed = escape("".join(a[i1:i2]))
            out.append(f'<del><span class="visually-hidden">removed: </span>{removed}</del>')
        if op in ("insert", "replace"):
            added = escape("".join(b[j1:j2]))
            out.append(f'<ins><span class="visually-hidden">added: </span>{added}</ins>')
    return Markup("".join(out))  # noqa: S704 (every token escaped above)


def diff_row(
    f: Field,
    before_doc: Mapping[str, Any],
    after_doc: Mapping[str, Any],
    *,
    times: int = 0,
    steps: Sequence[int] = (),
) -> DiffRow:
    """The row of one changed field between two served documents."""
    old, new = served_value(f, before_doc), served_value(f, after_doc)
    name, label, steps_seen = f.name, f.label, tuple(steps)
    if f.is_list and isinstance(old or [], list) and isinstance(new or [], list):
        old_items = {_item_key(i): _item_text(f, i) for i in old or []}
        new_items = {_item_key(i): _item_text(f, i) for i in new or []}
        return DiffRow(
            kind="set",
            added=tuple(sorted(v for k, v in new_items.items() if k not in old_items)),
            removed=tuple(sorted(v for k, v in old_items.items() if k not in new_items)),
            name=name,
            label=label,
            times=times,
            steps=steps_seen,
        )
    before, after = display_text(f, old), display_text(f, new)
    if not is_erased(old) and not is_erased(new) and max(len(before), len(after)) > LONG_TEXT:
        return DiffRow(
            kind="long",
            change=word_diff(before, after),
            name=name,
            label=label,
            times=times,
            steps=steps_seen,
        )
    return DiffRow(
        kind="scalar",
        before=before,
        after=after,
        before_erased=is_erased(old),
        after_erased=is_erased(new),
        name=name,
        label=label,
        times=times,
        steps=steps_seen,
    )


def lifecycle_rows(before_doc: Mapping[str, Any], after_doc: Mapping[str, Any]) -> list[DiffRow]:
    """Status and maturity tags as rows with their labels (§7.3 "Status and tags")."""
    rows: list[DiffRow] = []
    if before_doc.get("status") != after_doc.get("status"):
        rows.append(
            DiffRow(
                name="status",
                label="Status",
                kind="scalar",
                before=status_label(before_doc.get("status")),
                after=status_label(after_doc.get("status")),
            )
        )
    for name, label in (
        ("primary_maturity_tag", "Maturity"),
        ("secondary_maturity_tags", "Secondary maturity"),
    ):
        old, new = before_doc.get(name), after_doc.get(name)
        if (old or None) == (new or None):
            continue
        rows.append(
            DiffRow(name=name, label=label, kind="scalar", before=_tags(old), after=_tags(new))
        )
    return rows


def _tags(value: Any) -> str:
    items = value if isinstance(value, list) else [value] if value else []
    return ", ".join(MATURITY_LABELS.get(str(t), str(t)) for t in items)


@dataclass(frozen=True)
class Comparison:
    """Two versions side by side: the changed rows and how many fields stayed the same."""

    older: int
    newer: int
    rows: tuple[DiffRow, ...]
    unchanged: tuple[DiffRow, ...]


def compare(found: Mapping[str, Any]) -> Comparison:
    """The readable comparison of ``ReadPort.compare_versions``' answer."""
    changed = set(found["fields"])
    before, after = found["from_served"], found["to_served"]
    rows = lifecycle_rows(before, after)
    unchanged: list[DiffRow] = []
    for f in RECORD_FIELDS:
        if f.name in changed:
            rows.append(
                diff_row(
                    f,
                    before,
                    after,
                    times=int(found["times"].get(f.name, 0)),
                    steps=found["steps"].get(f.name, ()),
                )
            )
        else:
            value = display_text(f, served_value(f, after))
            unchanged.append(DiffRow(name=f.name, label=f.label, kind="scalar", after=value))
    return Comparison(int(found["from"]), int(found["to"]), tuple(rows), tuple(unchanged))


def entry_rows(entry: Mapping[str, Any]) -> list[DiffRow]:
    """The diff of one timeline entry from its change records (display strings: imported and
    key records have nothing else)."""
    rows = []
    for change in entry.get("changes") or []:
        old, new = str(change.get("old", "")), str(change.get("new", ""))
        label = str(change.get("label") or change.get("field") or "")
        name = str(change.get("field") or "")
        empty = ("—", "")
        if max(len(old), len(new)) > LONG_TEXT and ERASED not in (old, new):
            rows.append(DiffRow(name=name, label=label, kind="long", change=word_diff(old, new)))
        else:
            rows.append(
                DiffRow(
                    name=name,
                    label=label,
                    kind="scalar",
                    before="" if old in empty else old,
                    after="" if new in empty else new,
                    before_erased=old == ERASED,
                    after_erased=new == ERASED,
                )
            )
    return rows


# --- the record with provenance ---------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    """One field of the record and who last changed it."""

    name: str
    label: str
    value: str
    erased: bool
    long: bool
    provenance: Mapping[str, Any] | None


@dataclass(frozen=True)
class RecordSection:
    """A section A–G of the record."""

    key: str
    title: str
    rows: tuple[RecordRow, ...]


def _noted(found: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A provenance entry with its actor badge."""
    if found is None:
        return None
    return {**found, "badge": actor_badge(str(found.get("changed_by", "")))}


def record_sections(
    doc: Mapping[str, Any], provenance: Mapping[str, Mapping[str, Any]] | None
) -> list[RecordSection]:
    """Every field of the record in sections A–G with its provenance note's data."""
    sections: list[RecordSection] = []
    for key, title in SECTION_TITLES.items():
        rows = []
        for f in RECORD_FIELDS:
            if f.section != key:
                continue
            value = served_value(f, doc)
            text = display_text(f, value)
            rows.append(
                RecordRow(
                    name=f.name,
                    label=f.label,
                    value=text,
                    erased=is_erased(value),
                    long=len(text) > LONG_TEXT,
                    provenance=_noted((provenance or {}).get(f.name)),
                )
            )
        if rows:
            sections.append(RecordSection(key, title, tuple(rows)))
    return sections


def field_label(name: str) -> str:
    """The catalogue's label of a raw field name."""
    f = _BY_NAME.get(name)
    return f.label if f is not None else name
