"""The reviewer's reads of one submission's event log (spec/ui.md §5.7.4, §7, §9 items 2 and 3):
the timeline of every event with the document after it, any version's document, the comparison
of two versions, per-field provenance ("last changed by … in version n") and the last approved
version.

All of them are one fold over the submission's events (and its bio.tools record's), decoded once
per process and change (:class:`TimelineCache`; the API's ``as_of`` reads the same), with the
projector's own ``fold``: a
version's document here equals the live document at that version by construction. The change
records of each step are the history projection's (``item_of``), so the timeline and the API's
history say the same thing; which fields a step changed is found by comparing the raw documents
before and after it (reference ids and accessions, never display strings).
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from domain.fields import PERSONAL_FIELDS
from domain.ids import biotools_record_id, category_id
from projections.projectors.events import ERASED, attr, iso, kind
from projections.projectors.history import item_of, redact
from projections.projectors.submission_doc import Doc, fold
from projections.queries.submission_sql import AS_OF
from projections.queries.submissions import SubmissionQueries, _at, _uuid, as_of_document, served

#: Keys of a document that every step moves and that are no field of the record.
_BOOKKEEPING = frozenset({"id", "version", "updated_at", "submitted_at"})


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(repr, old)) == sorted(map(repr, new))
    if old in (None, "", []) and new in (None, "", []):
        return True
    return bool(old == new)


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """The document keys whose raw values differ (lists compared as sets), sorted."""
    old = before or {}
    new = after or {}
    keys = (old.keys() | new.keys()) - _BOOKKEEPING
    # A fold copies the document shallowly: a value it did not set is the same object.
    return sorted(
        k for k in keys if old.get(k) is not new.get(k) and not _same(old.get(k), new.get(k))
    )


def _redacted(doc: Doc | None) -> Doc | None:
    if doc is None:
        return None
    return {k: (ERASED if k in PERSONAL_FIELDS else v) for k, v in doc.items()}


def timeline_of(events: Iterable[Any]) -> list[Doc]:
    """One entry per recorded change, oldest first: ``{seq, version, type, changed_by,
    changed_at, comment, old_status, new_status, changes, fields, doc}``.

    ``version`` is the submission's version after the step (a bio.tools record's events keep
    the submission's version); ``fields`` the document keys the step changed; ``doc`` the raw
    document after it (None from the erasure on). An erased submission's personal values read
    ``"[erased]"`` in every step, its documents and its change records alike.
    """
    ordered = list(events)
    erased = any(kind(e) == "Submission.Erased" for e in ordered)
    entries: list[Doc] = []
    doc: Doc | None = None
    version = 0
    for event in ordered:
        item = item_of(event, 0)
        before = doc
        doc = fold(doc, event)
        if item is None:
            continue
        if item["version"] is not None:
            version = int(item["version"])
        shown = _redacted(doc) if erased else doc
        recorded = list(item["changes"])
        entries.append(
            {
                "seq": len(entries) + 1,
                "version": version,
                "type": kind(event),
                "changed_by": item["changed_by"],
                "changed_at": iso(item["changed_at"]),
                "recorded_at": iso(attr(event, "timestamp")),
                "comment": str(attr(event, "comment", "") or ""),
                "old_status": attr(event, "old_status"),
                "new_status": attr(event, "new_status"),
                "changes": redact(recorded) if erased else recorded,
                "fields": changed_fields(before, doc),
                "doc": shown,
            }
        )
    return entries


def document_at(entries: Sequence[Doc], version: int) -> Doc | None:
    """The raw document as it was at ``version`` (after the last step of that version, bio.tools
    syncs included); None when the submission never had that version or it was erased."""
    found: Doc | None = None
    for entry in entries:
        if entry["version"] == version and entry["doc"] is not None:
            found = entry["doc"]
        elif entry["version"] > version:
            break
    return found


def provenance(entries: Sequence[Doc], version: int | None = None) -> dict[str, Doc]:
    """For each document key, the last step at or before ``version`` (None: the latest) that
    changed it: ``{version, seq, type, changed_by, changed_at}``."""
    out: dict[str, Doc] = {}
    for entry in entries:
        if version is not None and entry["version"] > version:
            break
        for name in entry["fields"]:
            out[name] = {
                "version": entry["version"],
                "seq": entry["seq"],
                "type": entry["type"],
                "changed_by": entry["changed_by"],
                "changed_at": entry["changed_at"],
            }
    return out


def last_approved_version(entries: Sequence[Doc]) -> int | None:
    """The newest version at which the submission was approved, when it is not approved now
    (the baseline of "what changed since it was approved"); None otherwise."""
    current = next((e["doc"] for e in reversed(entries) if e["doc"] is not None), None)
    if current is None or current.get("status") == "approved":
        return None
    for entry in reversed(entries):
        doc = entry["doc"]
        if doc is not None and doc.get("status") == "approved":
            return int(entry["version"])
    return None


def comparison(entries: Sequence[Doc], a: int, b: int) -> Doc | None:
    """Versions ``a`` and ``b`` side by side (``a`` the older after swapping): ``{from, to,
    from_doc, to_doc, fields, times, steps}``: the keys whose values differ, how many steps in
    between changed each, and those steps' ``seq``; None when either version is unknown."""
    low, high = sorted((a, b))
    older = document_at(entries, low)
    newer = document_at(entries, high)
    if older is None or newer is None:
        return None
    between = [e for e in entries if low < e["version"] <= high]
    times: dict[str, int] = {}
    steps: dict[str, list[int]] = {}
    for entry in between:
        for name in entry["fields"]:
            times[name] = times.get(name, 0) + 1
            steps.setdefault(name, []).append(entry["seq"])
    return {
        "from": low,
        "to": high,
        "from_doc": older,
        "to_doc": newer,
        "fields": changed_fields(older, newer),
        "times": times,
        "steps": steps,
    }


#: Per reference kind: the list of ids (or the one id) of a submission document naming it.
_USAGE: dict[str, str] = {
    "category": """SELECT x.id, count(*) AS n FROM submissions s,
        jsonb_array_elements_text(coalesce(s.doc->'service_category_ids', '[]'::jsonb)) AS x(id)
        GROUP BY x.id""",
    "pi": """SELECT x.id, count(*) AS n FROM submissions s,
        jsonb_array_elements_text(coalesce(s.doc->'responsible_pi_ids', '[]'::jsonb)) AS x(id)
        GROUP BY x.id""",
    "centre": """SELECT s.doc->>'service_center_id' AS id, count(*) AS n FROM submissions s
        WHERE s.doc->>'service_center_id' IS NOT NULL GROUP BY 1""",
}

_REFERENCE_KINDS = {
    "category": "ServiceCategory",
    "centre": "ServiceCentre",
    "pi": "PrincipalInvestigator",
}


def reference_steps(events: Iterable[Any]) -> list[Doc]:
    """One entry per event of a reference record, oldest first: ``{version, type, changed_by,
    changed_at, changes}`` (creation: every value set; deactivation and reactivation: the
    ``is_active`` change)."""
    out: list[Doc] = []
    for event in events:
        name = kind(event).partition(".")[2]
        if name == "Created":
            recorded = [
                {"field": k, "label": k, "old": "", "new": "" if v is None else str(v)}
                for k, v in sorted(dict(attr(event, "values") or {}).items())
            ]
        elif name in ("Deactivated", "Reactivated"):
            active = name == "Reactivated"
            recorded = [
                {
                    "field": "is_active",
                    "label": "Active",
                    "old": "No" if active else "Yes",
                    "new": "Yes" if active else "No",
                }
            ]
        else:
            recorded = [dict(c) for c in attr(event, "changes", None) or []]
        out.append(
            {
                "version": attr(event, "originator_version"),
                "type": name,
                "changed_by": str(attr(event, "actor") or ""),
                "changed_at": iso(attr(event, "timestamp")),
                "changes": recorded,
            }
        )
    return out


TIMELINES_KEPT = 32
"""Submissions whose decoded events and folded timeline are kept per process at most."""


@dataclass(frozen=True)
class _Kept:
    """A submission's decoded events (its own, its bio.tools record's) and their timeline."""

    own: tuple[Any, ...]
    record: tuple[Any, ...]
    entries: list[Doc]


class TimelineCache:
    """Decoded events and folded timelines by submission, least recently read first out.

    Never stale: every read fetches the events after the last ones held (one query per
    aggregate) and folds again when there are any. Decrypted personal values must not outlive an
    erasure: a submission whose events show an erasure is never kept, and the erasure
    notification drops it at once (``ReadModel.forget_timelines``, wired in ``registry.webapp``).
    Thread-safe.

    Target: spec/ui.md §2.6's admin timeline of 1,000 events within 150 ms p95 (the first fold
    of such a submission takes 167–231 ms; kept, the page takes ~25 ms: ``registry bench --only
    pages``) and the API's ``as_of`` p99 < 20 ms. Kept correct by
    ``tests/integration/projections/read/test_timeline_queries.py``
    (``test_a_kept_timeline_is_never_stale``, the erasure tests)."""

    def __init__(self, size: int = TIMELINES_KEPT) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[UUID, _Kept] = OrderedDict()

    def get(self, sid: UUID) -> _Kept | None:
        """What is held for ``sid``."""
        with self._lock:
            found = self._kept.get(sid)
            if found is not None:
                self._kept.move_to_end(sid)
            return found

    def put(self, sid: UUID, kept: _Kept) -> None:
        """Hold ``kept`` (dropping the least recently read past the size)."""
        with self._lock:
            self._kept[sid] = kept
            self._kept.move_to_end(sid)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)

    def forget(self, sid: UUID | None) -> None:
        """Drop one submission (None: every one)."""
        with self._lock:
            if sid is None:
                self._kept.clear()
            else:
                self._kept.pop(sid, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)


def _after(store: Any, aggregate: UUID, known: tuple[Any, ...]) -> tuple[Any, ...]:
    """The aggregate's events after the ones ``known`` (all when none)."""
    last = known[-1].originator_version if known else None
    return tuple(store.get(aggregate, gt=last))


class TimelineQueries(SubmissionQueries):
    """The timeline reads over the event store (``registry`` must be set)."""

    _timelines: TimelineCache | None = None

    def submission_timeline(self, submission_id: UUID | str) -> list[Doc] | None:
        """Every step of the submission, oldest first (see :func:`timeline_of`); None when the
        registry never had it. The entries are shared: callers must not change them."""
        sid = _uuid(submission_id)
        kept = self._decoded(sid) if sid is not None else None
        return (kept.entries or None) if kept is not None else None

    def submission_as_of(self, submission_id: UUID | str, at: datetime) -> dict[str, Any] | None:
        """The detail shape as it was at ``at``: the submission's events (and its bio.tools
        record's) folded through the projector's own ``fold``; None before it existed and from
        its erasure on (before it, an erased submission's personal values read ``"[erased]"``).
        The events come decoded from the timeline's store (:class:`TimelineCache`, which never
        keeps an erased submission's), so the API's as-of read and the reviewer's pages share
        one fold of one decoding."""
        doc = self.raw_as_of(submission_id, at)
        if doc is None:
            return None
        row = self._one(AS_OF, (Jsonb(doc),))
        return served(row, full_record=True) if row else None

    def raw_as_of(self, submission_id: UUID | str, at: datetime) -> Doc | None:
        """The raw document (reference ids, as stored) of :meth:`submission_as_of`."""
        sid = _uuid(submission_id)
        kept = self._decoded(sid) if sid is not None else None
        if kept is None:
            return None
        erased = any(kind(e) == "Submission.Erased" for e in kept.own)
        events = heapq.merge(kept.own, kept.record, key=lambda e: e.timestamp)
        return as_of_document(events, _at(at), erased=erased)

    def _decoded(self, sid: UUID) -> _Kept | None:
        """The submission's decoded events and timeline, brought up to date with one query per
        aggregate (kept unless the submission was erased); None when the registry never had it."""
        if self.registry is None:
            return None
        if self._timelines is None:
            self._timelines = TimelineCache()
        store = self.registry.events
        record_id = biotools_record_id(sid)
        kept = self._timelines.get(sid)
        own_known, record_known = (kept.own, kept.record) if kept else ((), ())
        new_own = _after(store, sid, own_known)
        new_record = _after(store, record_id, record_known)
        if kept is not None and not new_own and not new_record:
            return kept
        if any(kind(e) == "Submission.Erased" for e in new_own):
            # Decoded before the erasure: read everything again (personal values now erased).
            self._timelines.forget(sid)
            own_known, record_known = (), ()
            new_own, new_record = tuple(store.get(sid)), tuple(store.get(record_id))
        own, record = own_known + new_own, record_known + new_record
        if not own:
            return None
        events = list(heapq.merge(own, record, key=lambda e: e.timestamp))
        fresh = _Kept(own, record, timeline_of(events))
        if fresh.entries and not any(e["type"] == "Submission.Erased" for e in fresh.entries):
            self._timelines.put(sid, fresh)
        return fresh

    def forget_timelines(self, submission_id: UUID | None) -> None:
        """The erasure of ``submission_id`` committed (None: erasures may have been missed):
        drop the decoded events and timelines held for it. Subscribed to the process's erasure
        notifications (``registry.webapp``)."""
        if self._timelines is not None:
            self._timelines.forget(submission_id)

    def submission_version(self, submission_id: UUID | str, version: int) -> Doc | None:
        """The served document as it was at ``version`` (references resolved against today's
        reference data); None when the submission never had that version."""
        entries = self.submission_timeline(submission_id) or []
        doc = document_at(entries, version)
        return None if doc is None else self._resolve(doc)

    def field_provenance(
        self, submission_id: UUID | str, version: int | None = None
    ) -> dict[str, Doc] | None:
        """Per field, the step that last changed it at or before ``version`` (None: now)."""
        entries = self.submission_timeline(submission_id)
        return None if entries is None else provenance(entries, version)

    def last_approved_version(self, submission_id: UUID | str) -> int | None:
        """The newest approved version when the submission is not approved now, else None."""
        return last_approved_version(self.submission_timeline(submission_id) or [])

    def compare_versions(self, submission_id: UUID | str, a: int, b: int) -> Doc | None:
        """Two versions side by side (see :func:`comparison`), each document also served
        (``from_served``, ``to_served``); None when either version is unknown."""
        found = comparison(self.submission_timeline(submission_id) or [], a, b)
        if found is None:
            return None
        found["from_served"] = self._resolve(found["from_doc"])
        found["to_served"] = self._resolve(found["to_doc"])
        return found

    def _resolve(self, doc: Mapping[str, Any]) -> Doc:
        """The served shape (spec §3.3) of a raw document: references resolved (one round
        trip)."""
        row = self._one(AS_OF, (Jsonb(dict(doc)),))
        assert row is not None
        return served(row, full_record=True)

    def reference_history(self, kind_name: str, ref_id: int | UUID | str) -> list[Doc] | None:
        """Every event of a category, centre or PI, oldest first (see
        :func:`reference_steps`); None when unknown."""
        if self.registry is None or kind_name not in _REFERENCE_KINDS:
            return None
        try:
            aggregate = (
                category_id(int(str(ref_id))) if kind_name == "category" else UUID(str(ref_id))
            )
        except ValueError:
            return None
        events = [
            e
            for e in self.registry.events.get(aggregate)
            if kind(e).startswith(_REFERENCE_KINDS[kind_name] + ".")
        ]
        return reference_steps(events) or None

    def reference_usage(self, kind_name: str) -> dict[str, int]:
        """How many submissions (not erased) name each category, centre or PI, by id."""
        query = _USAGE.get(kind_name)
        if query is None:
            return {}
        return {str(r["id"]): int(r["n"]) for r in self._all(query)}
