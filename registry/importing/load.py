"""Loading an export into a Registry, kind by kind, never stopping at a bad record.

Order: categories, centres, PIs (so submissions can reference them), admin keys, submissions
(with their keys and change log), bio.tools records (which need their submission). Every record
ends as ``created``, ``skipped`` (recorded by an earlier run) or ``failed`` with its model, pk
and reason. A dry run loads everything into a scratch in-memory Registry instead (so the domain
checks every record, references included) and asks the real store which records exist already.

Notes are what an operator should know about records that were imported: a stale bio.tools
record (imported and marked, see ``ImportCommands.import_biotools_record``) and a logo that
could not be carried over (the submission imported without it, see ``media``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TextIO
from uuid import UUID

from domain import ids
from domain.application import Registry
from domain.biotools import biotools_id_from_url
from domain.errors import RegistryError
from registry.importing.export import (
    ADMIN_KEY,
    BIOTOOLS,
    CATEGORY,
    CENTRE,
    CHANGELOG,
    FUNCTION,
    KEY,
    PI,
    SUBMISSION,
    BadRecord,
    Export,
    Obj,
    admin_key_creator,
    biotools_content,
    moment,
    submission_of,
    uuid_of,
    uuid_text,
)
from registry.importing.media import Logos

KINDS = ("categories", "centres", "pis", "admin_keys", "submissions", "biotools_records")
PROGRESS_EVERY = 50
_BAD = (RegistryError, BadRecord, ValueError, TypeError, KeyError)


@dataclass
class Summary:
    """Counts per kind, and every failure as ``(model pk, reason)``."""

    created: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    """``(kind, "<model> <pk>", reason)``."""
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    """``("STALE" | "LOGO", "<model> <pk>", what happened)``: imported, but worth a look."""

    def report(self, out: TextIO, *, dry_run: bool) -> None:
        """The final summary: one line per kind, then each failure."""
        would = "would create" if dry_run else "created"
        failures = Counter(kind for kind, _, _ in self.failed)
        print(f"import summary{' (dry run, nothing recorded)' if dry_run else ''}:", file=out)
        for kind in KINDS:
            print(
                f"  {kind:<17} {would} {self.created[kind]:>5}  skipped {self.skipped[kind]:>5}"
                f"  failed {failures[kind]:>5}",
                file=out,
            )
        for _, ref, reason in self.failed:
            print(f"  FAILED {ref}: {reason}", file=out)
        for label, ref, note in self.notes:
            print(f"  {label} {ref}: {note}", file=out)


class Loader:
    """Loads one export into ``registry``; ``existing`` answers "recorded already?" (dry run:
    the real store; otherwise the registry itself)."""

    def __init__(
        self,
        registry: Registry,
        export: Export,
        out: TextIO,
        *,
        existing: Callable[[UUID], bool] | None = None,
        logos: Logos | None = None,
    ) -> None:
        self.registry = registry
        self.export = export
        self.out = out
        self.existing = existing
        self.logos = logos
        self.summary = Summary()

    def run(self) -> Summary:
        """Load every kind in order; return the summary."""
        self._each("categories", self.export.of(CATEGORY), self._category)
        self._each("centres", self.export.of(CENTRE), self._centre)
        self._each("pis", self.export.of(PI), self._pi)
        self._each("admin_keys", self.export.of(ADMIN_KEY), self._admin_key)
        self._submissions()
        self._biotools()
        return self.summary

    # -- bookkeeping --------------------------------------------------------------------------

    def _each(
        self, kind: str, objects: list[Obj], load: Callable[[Obj], tuple[UUID, Callable[[], bool]]]
    ) -> None:
        total = len(objects)
        for done, obj in enumerate(objects, start=1):
            self._one(kind, obj, load)
            if done % PROGRESS_EVERY == 0 or done == total:
                print(f"import: {kind} {done}/{total}", file=self.out, flush=True)

    def _one(
        self, kind: str, obj: Obj, load: Callable[[Obj], tuple[UUID, Callable[[], bool]]]
    ) -> None:
        try:
            aggregate_id, record = load(obj)
            known = self.existing(aggregate_id) if self.existing else False
            recorded = record()
        except _BAD as exc:
            self.summary.failed.append((kind, obj.ref, str(exc) or type(exc).__name__))
            return
        if recorded and not known:
            self.summary.created[kind] += 1
        else:
            self.summary.skipped[kind] += 1

    def _fail(self, kind: str, obj: Obj, reason: str) -> None:
        self.summary.failed.append((kind, obj.ref, reason))

    # -- kinds --------------------------------------------------------------------------------

    def _category(self, obj: Obj) -> tuple[UUID, Callable[[], bool]]:
        if isinstance(obj.pk, bool) or not isinstance(obj.pk, int):
            raise BadRecord(f"pk is not an integer: {obj.pk!r}")
        number, f = obj.pk, obj.fields
        active = bool(f.get("is_active", True))
        name = str(f.get("name") or "")
        return ids.category_id(number), lambda: self.registry.import_category(
            number, name, is_active=active
        )

    def _centre(self, obj: Obj) -> tuple[UUID, Callable[[], bool]]:
        centre_id, f = uuid_of(obj.pk, "pk"), obj.fields
        data = {k: f.get(k) for k in ("short_name", "full_name", "website") if k in f}
        active = bool(f.get("is_active", True))
        return centre_id, lambda: self.registry.import_centre(centre_id, data, is_active=active)

    def _pi(self, obj: Obj) -> tuple[UUID, Callable[[], bool]]:
        pi_id, f = uuid_of(obj.pk, "pk"), obj.fields
        names = ("last_name", "first_name", "email", "institute", "orcid", "is_associated_partner")
        data = {k: f.get(k) for k in names if k in f}
        active = bool(f.get("is_active", True))
        return pi_id, lambda: self.registry.import_pi(pi_id, data, is_active=active)

    def _admin_key(self, obj: Obj) -> tuple[UUID, Callable[[], bool]]:
        key_id, f = uuid_of(obj.pk, "pk"), obj.fields
        created_at = moment(f.get("created_at"), "created_at")
        creator = admin_key_creator(f.get("created_by"), self.export)
        return key_id, lambda: self.registry.import_admin_key(
            key_id,
            label=str(f.get("label") or ""),
            scope=str(f.get("scope") or "full"),
            key_hash=str(f.get("key_hash") or "").lower(),
            created_by=creator,
            created_at=created_at,
            is_active=bool(f.get("is_active", True)),
        )

    def _submissions(self) -> None:
        submissions = self.export.of(SUBMISSION)
        known = {uuid_text(s.pk) for s in submissions}
        keys: dict[str, list[Obj]] = defaultdict(list)
        log: dict[str, list[Obj]] = defaultdict(list)
        for model, grouped in ((KEY, keys), (CHANGELOG, log)):
            for obj in self.export.of(model):
                owner = uuid_text(obj.fields.get("submission"))
                if owner in known:
                    grouped[owner].append(obj)
                else:
                    self._fail("submissions", obj, f"submission {owner} is not in the export")

        def load(obj: Obj) -> tuple[UUID, Callable[[], bool]]:
            pk = uuid_text(obj.pk)
            legacy = submission_of(obj, self.export, keys[pk], log[pk])

            def record() -> bool:
                old = legacy.data.get("logo")
                if not old or self.registry.exists(legacy.submission_id):
                    return self.registry.import_submission(legacy)
                carried = self.logos.carry(str(old)) if self.logos else None
                if carried is not None and carried.problem:
                    self.summary.notes.append(("LOGO", obj.ref, f"{carried.problem}; no logo"))
                logo = carried.path if carried else None
                return self.registry.import_submission(
                    replace(legacy, data={**legacy.data, "logo": logo})
                )

            return legacy.submission_id, record

        self._each("submissions", submissions, load)

    def _biotools(self) -> None:
        functions: dict[object, list[Obj]] = defaultdict(list)
        for fn in self.export.of(FUNCTION):
            functions[fn.fields.get("record")].append(fn)
        urls = {
            uuid_text(s.pk): str(s.fields.get("biotools_url") or "")
            for s in self.export.of(SUBMISSION)
        }

        def load(obj: Obj) -> tuple[UUID, Callable[[], bool]]:
            submission_id = uuid_of(obj.fields.get("submission"), "submission")
            content = biotools_content(obj, functions[obj.pk])
            linked = biotools_id_from_url(urls.get(str(submission_id), ""))
            record_id = ids.biotools_record_id(submission_id)
            if not obj.fields.get("last_synced_at"):
                # Never synced successfully: no content to keep; a worker sync will fetch it.
                return record_id, lambda: False
            synced_at = moment(obj.fields.get("last_synced_at"), "last_synced_at")

            def record() -> bool:
                recorded = self.registry.import_biotools_record(
                    submission_id, content["biotools_id"], content, last_synced_at=synced_at
                )
                if recorded and linked != content["biotools_id"]:
                    now = f"links {linked}" if linked else "links no bio.tools entry"
                    self.summary.notes.append(
                        (
                            "STALE",
                            obj.ref,
                            f"the record is of {content['biotools_id']}, the submission now "
                            f"{now}: imported and marked stale (the next sync replaces or "
                            "removes it)",
                        )
                    )
                return recorded

            return record_id, record

        self._each("biotools_records", self.export.of(BIOTOOLS), load)
