"""Reading the existing system's ``dumpdata`` export into the domain's import inputs.

The export is a JSON list of ``{"model": "<app>.<model>", "pk": …, "fields": {…}}`` objects
(spec §1). This module only maps shapes (old names to wire names, EDAM and licence pks to
accessions and SPDX ids, the legacy licence slug and ``submitter_name`` of §1.11); the rules of
what may be recorded are the domain's (``domain.import_commands``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.legacy import LegacyChange, LegacyKey, LegacySubmission

CATEGORY = "registry.servicecategory"
CENTRE = "registry.servicecenter"
PI = "registry.principalinvestigator"
SUBMISSION = "submissions.servicesubmission"
KEY = "submissions.submissionapikey"
CHANGELOG = "submissions.submissionchangelog"
ADMIN_KEY = "api.adminapikey"
BIOTOOLS = "biotools.biotoolsrecord"
FUNCTION = "biotools.biotoolsfunction"
EDAM = "edam.edamterm"
LICENCE = "licenses.spdxlicense"
USER = "auth.user"

#: Migration 0016's mapping of the legacy ``license`` slug (spec §1.11).
LEGACY_LICENCES: dict[str, str] = {
    "agpl3": "AGPL-3.0-only",
    "gpl3": "GPL-3.0-only",
    "gpl2": "GPL-2.0-only",
    "lgpl3": "LGPL-3.0-only",
    "lgpl21": "LGPL-2.1-only",
    "mpl2": "MPL-2.0",
    "apache2": "Apache-2.0",
    "mit": "MIT",
    "bsd2": "BSD-2-Clause",
    "bsd3": "BSD-3-Clause",
    "isc": "ISC",
    "boost": "BSL-1.0",
    "epl2": "EPL-2.0",
    "eupl12": "EUPL-1.2",
    "cc0": "CC0-1.0",
    "cc_by4": "CC-BY-4.0",
    "cc_by_sa4": "CC-BY-SA-4.0",
    "artistic2": "Artistic-2.0",
    "unlicense": "Unlicense",
}
LEGACY_LICENCE_NOTES: dict[str, str] = {"other": "Other", "na": "Not applicable"}

# Old field name -> wire name, where they differ (M2M and FK fields are mapped separately).
_RENAMED = {"kpi_start_year": "kpi_since"}
# Fields of the old model that are not content: state, derived or removed (§1.1, §1.11).
_NOT_CONTENT = frozenset(
    {
        "status",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "submitted_at",
        "updated_at",
        "submission_ip",
        "user_agent_hash",
        "last_change_summary",
        "data_protection_consent",
        "outreach_consent",
        "submitter_name",
        "license",
        "service_categories",
        "responsible_pis",
        "service_center",
        "edam_topics",
        "edam_operations",
        "licenses",
    }
)


class BadRecord(Exception):
    """Raised when an exported object cannot be mapped (the message is the reason)."""


@dataclass(frozen=True)
class Obj:
    """One exported object."""

    model: str
    pk: Any
    fields: Mapping[str, Any]

    @property
    def ref(self) -> str:
        """``<model> <pk>``, how reports name it."""
        return f"{self.model} {self.pk}"


@dataclass
class Export:
    """The export's objects by model, with the lookup tables the mapping needs."""

    objects: dict[str, list[Obj]] = field(default_factory=lambda: defaultdict(list))
    skipped_lines: tuple[int, int] = (0, 0)
    """Lines before and after the JSON list that were not part of it (log output)."""

    def of(self, model: str) -> list[Obj]:
        """Every object of ``model`` in file order."""
        return list(self.objects.get(model, []))

    def lookup(self, model: str, name: str) -> dict[Any, Any]:
        """``pk -> fields[name]`` of every object of ``model``."""
        return {o.pk: o.fields.get(name) for o in self.of(model)}


_LIST_START = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _json_list(text: str) -> tuple[list[Any], tuple[int, int]]:
    """The first JSON list in ``text`` that starts a line, and how many lines before and after
    it are not part of it. ``manage.py dumpdata … > export.json`` captures whatever the old
    system logs to standard output too, typically a line before the data."""
    first_error: ValueError | None = None
    decoder = json.JSONDecoder()
    for start in _LIST_START.finditer(text):
        at = start.end() - 1
        try:
            raw, end = decoder.raw_decode(text, at)
        except ValueError as exc:
            first_error = first_error or exc
            continue
        if isinstance(raw, list):
            before = sum(1 for line in text[: start.start()].splitlines() if line.strip())
            after = sum(1 for line in text[end:].splitlines() if line.strip())
            return raw, (before, after)
    if first_error is not None:
        raise ValueError(f"no JSON list could be read: {first_error}")
    raise ValueError("the export must be a JSON list of objects")


def load_export(path: Path) -> Export:
    """Parse a ``dumpdata`` JSON file; raises ValueError when it holds no list of objects.

    Lines before and after the list that are not JSON (log output) are skipped and counted in
    ``skipped_lines`` for the caller to warn about.
    """
    raw, skipped = _json_list(path.read_text(encoding="utf-8"))
    export = Export(skipped_lines=skipped)
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("model"), str):
            fields = item.get("fields") if isinstance(item.get("fields"), dict) else {}
            export.objects[item["model"].lower()].append(
                Obj(item["model"].lower(), item.get("pk"), fields or {})
            )
    return export


def moment(raw: Any, what: str) -> datetime:
    """A Django datetime (ISO, ``Z`` or offset; naive is UTC)."""
    if not isinstance(raw, str) or not raw:
        raise BadRecord(f"{what} is missing")
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise BadRecord(f"{what} is not a date-time: {raw!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def uuid_of(raw: Any, what: str) -> UUID:
    """A UUID pk or foreign key."""
    try:
        return UUID(str(raw))
    except ValueError:
        raise BadRecord(f"{what} is not a UUID: {raw!r}") from None


def uuid_text(raw: object) -> str:
    """A UUID pk or foreign key as normalised text (anything else as it is), for matching."""
    try:
        return str(UUID(str(raw)))
    except ValueError:
        return str(raw)


def split_submitter_name(name: str) -> tuple[str, str, str]:
    """Migration 0003's split of ``"First Last, Affiliation"``: the first word is the first
    name, the rest of the part before the first comma the last name, the rest the affiliation."""
    person, _, affiliation = name.partition(",")
    first, _, last = person.strip().partition(" ")
    return first.strip(), last.strip(), affiliation.strip()


def _mapped(pks: Any, table: Mapping[Any, Any], what: str) -> list[Any]:
    if pks is None:
        return []
    if not isinstance(pks, list):
        raise BadRecord(f"{what} is not a list")
    out = []
    for pk in pks:
        value = table.get(pk)
        if not value:
            raise BadRecord(f"{what}: {pk!r} is not in the export")
        out.append(value)
    return out


def _legacy_licence(data: dict[str, Any], slug: Any) -> None:
    """Apply §1.11's slug mapping when the M2M field did not say anything."""
    if not isinstance(slug, str) or not slug.strip() or data["licenses"]:
        return
    slug = slug.strip()
    if slug in LEGACY_LICENCES:
        data["licenses"] = [LEGACY_LICENCES[slug]]
    elif not str(data.get("license_note") or "").strip():
        data["license_note"] = LEGACY_LICENCE_NOTES.get(slug, f"Legacy: {slug}")


def submission_data(obj: Obj, export: Export) -> dict[str, Any]:
    """The content fields of a ``servicesubmission`` under today's wire names (raw values)."""
    f = obj.fields
    data: dict[str, Any] = {_RENAMED.get(k, k): v for k, v in f.items() if k not in _NOT_CONTENT}
    centre = f.get("service_center")
    data["service_center_id"] = str(centre) if centre else None
    data["service_category_ids"] = list(f.get("service_categories") or [])
    data["responsible_pi_ids"] = [str(p) for p in f.get("responsible_pis") or []]
    accessions = export.lookup(EDAM, "accession")
    data["edam_topic_ids"] = _mapped(f.get("edam_topics"), accessions, "edam_topics")
    data["edam_operation_ids"] = _mapped(f.get("edam_operations"), accessions, "edam_operations")
    data["licenses"] = _mapped(f.get("licenses"), export.lookup(LICENCE, "license_id"), "licenses")
    _legacy_licence(data, f.get("license"))
    legacy_name = f.get("submitter_name")
    if isinstance(legacy_name, str) and not (
        f.get("submitter_first_name") or f.get("submitter_last_name")
    ):
        first, last, affiliation = split_submitter_name(legacy_name)
        data.update(submitter_first_name=first, submitter_last_name=last)
        if not f.get("submitter_affiliation"):
            data["submitter_affiliation"] = affiliation
    return data


def _key(obj: Obj) -> LegacyKey:
    f = obj.fields
    return LegacyKey(
        key_id=uuid_of(obj.pk, "pk"),
        key_hash=str(f.get("key_hash") or "").lower(),
        label=str(f.get("label") or "Initial key"),
        scope=str(f.get("scope") or "write"),
        created_by=str(f.get("created_by") or "submitter"),
        created_at=moment(f.get("created_at"), "created_at"),
        is_active=bool(f.get("is_active", True)),
    )


def _change(obj: Obj) -> LegacyChange:
    f = obj.fields
    changes = f.get("changes")
    if isinstance(changes, str):  # some exports keep JSON fields as text
        changes = json.loads(changes)
    if not isinstance(changes, list):
        raise BadRecord("changes is not a list")
    return LegacyChange(
        changed_by=str(f.get("changed_by") or ""),
        changed_at=moment(f.get("changed_at"), "changed_at"),
        changes=[c for c in changes if isinstance(c, dict)],
    )


def submission_of(obj: Obj, export: Export, keys: list[Obj], log: list[Obj]) -> LegacySubmission:
    """A ``servicesubmission`` with its keys and change-log rows; BadRecord when unmappable."""
    f = obj.fields
    try:
        parsed_keys = [_key(k) for k in keys]
        history = [_change(c) for c in log]
    except (BadRecord, ValueError) as exc:
        raise BadRecord(f"its keys or change log: {exc}") from None
    return LegacySubmission(
        submission_id=uuid_of(obj.pk, "pk"),
        data=submission_data(obj, export),
        status=str(f.get("status") or "submitted"),
        submitted_at=moment(f.get("submitted_at"), "submitted_at"),
        updated_at=moment(f.get("updated_at") or f.get("submitted_at"), "updated_at"),
        primary_maturity_tag=f.get("primary_maturity_tag") or None,
        secondary_maturity_tags=list(f.get("secondary_maturity_tags") or []),
        submission_ip=f.get("submission_ip") or None,
        user_agent_hash=str(f.get("user_agent_hash") or ""),
        keys=parsed_keys,
        history=history,
    )


def admin_key_creator(raw: Any, export: Export) -> str:
    """``created_by`` of an admin key: a user pk (or natural key) as the username."""
    if raw is None:
        return ""
    if isinstance(raw, list):
        return str(raw[0]) if raw else ""
    username = export.lookup(USER, "username").get(raw)
    return str(username) if username else f"user {raw}"


def biotools_content(obj: Obj, functions: list[Obj]) -> dict[str, Any]:
    """A ``biotoolsrecord`` (and its functions) in the flat shape a worker sync records."""
    f = obj.fields
    record: dict[str, Any] = {"biotools_id": str(f.get("biotools_id") or "")}
    for name in ("name", "description", "homepage", "version", "license", "maturity", "cost"):
        record[name] = str(f.get(name) or "")
    for name in (
        "tool_type",
        "operating_system",
        "publications",
        "documentation",
        "download",
        "links",
        "edam_topic_uris",
    ):
        value = f.get(name)
        record[name] = list(value) if isinstance(value, list) else []
    ordered = sorted(functions, key=lambda fn: int(fn.fields.get("position") or 0))
    record["functions"] = [
        {
            "position": int(fn.fields.get("position") or 0),
            "operations": list(fn.fields.get("operations") or []),
            "inputs": list(fn.fields.get("inputs") or []),
            "outputs": list(fn.fields.get("outputs") or []),
            "cmd": str(fn.fields.get("cmd") or ""),
            "note": str(fn.fields.get("note") or ""),
        }
        for fn in ordered
    ]
    return record
