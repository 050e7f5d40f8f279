"""Submission queries: detail, list, history, the change feed and the state as of an instant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson
import psycopg

from domain.fields import PERSONAL_FIELDS
from projections.projectors.events import ERASED as ERASED_VALUE
from projections.projectors.events import iso, kind
from projections.projectors.submission_doc import Doc, fold
from projections.queries import shapes
from projections.queries.base import QueryBase, execute, keep
from projections.queries.page_refs import refs_of
from projections.queries.submission_sql import DETAIL, NO_STAMP, Stamp, list_query

COUNT_CACHE_SIZE = 1_000
"""List counts kept per process at most (the cache starts over when full)."""

CountKey = tuple[tuple[str, str | None], ...]


# A submission's history rows, oldest first, each with its served JSON (`submission_history`
# v3's `entry`, less the version), as UTF-8 bytes in binary format: the read joins them into
# the served array without decoding them. The version at a row is the highest recorded up to
# it (bio.tools rows, another aggregate's, carry none). Measured in one process (1,000
# changes, 333 kB): 4.1 ms median; as text into dicts 9 ms; the array built by the server
# from v2's rows (`json_agg`, below) 15.5 ms. `live` (one InitPlan) tells whether the
# submission is (still) in the read table; the one row of a submission without history rows
# has no entry. The bio.tools record an import brought along is part of the imported state
# (the `Imported` row): its rows (another aggregate's, version NULL) would repeat the
# submission's version, so the history leaves them to the feed.
HISTORY = """SELECT EXISTS (SELECT FROM submissions s WHERE s.id = %s) AS live,
    h.version, h.event_type = 'Erased' AS erasure, convert_to(h.entry, 'UTF8') AS entry
FROM (VALUES (1)) AS one
LEFT JOIN submission_history h ON h.submission_id = %s
    AND NOT (h.version IS NULL AND h.changed_by = 'import')
ORDER BY h.position"""

# The history from v2's rows, which have no `entry` (v2 serves while v3 is built, and after a
# rollback): the server builds the array, `changed_at` as Python's isoformat writes it; `erased`
# tells whether the history records its erasure (an erased submission keeps its redacted one).
HISTORY_V2 = """SELECT
    EXISTS (SELECT FROM submissions s WHERE s.id = %s) AS live,
    EXISTS (SELECT FROM submission_history e
            WHERE e.submission_id = %s AND e.event_type = 'Erased') AS erased,
    (SELECT coalesce(json_agg(json_build_object(
                'version', coalesce(h.running, 0),
                'changed_by', h.changed_by,
                'changed_at', to_char(h.changed_at, 'YYYY-MM-DD"T"HH24:MI:SS')
                    || CASE WHEN date_part('microseconds', h.changed_at)::integer %% 1000000 = 0
                            THEN '' ELSE to_char(h.changed_at, '.US') END
                    || to_char(h.changed_at, 'TZH:TZM'),
                'changes', h.changes) ORDER BY h.position), '[]')::text
     FROM (SELECT h.position, h.changed_by, h.changed_at, h.changes,
                  max(h.version) OVER (ORDER BY h.position ROWS UNBOUNDED PRECEDING) AS running
           FROM submission_history h WHERE h.submission_id = %s
             AND NOT (h.version IS NULL AND h.changed_by = 'import')) AS h) AS history"""

# The erasure's tombstone: the key row it set to NULL in the transaction of the event.
ERASED = """SELECT EXISTS (SELECT FROM registry_subject_keys
    WHERE subject = %s AND key IS NULL) AS erased"""

FEED = """SELECT h.position, h.submission_id, h.event_type, h.changed_by, h.changed_at, h.changes
FROM submission_history h WHERE h.position > %s ORDER BY h.position LIMIT %s"""

FEED_MAX = 1000


def feed_entry(row: Mapping[str, Any]) -> dict[str, Any]:
    """A change-feed entry from a ``submission_history`` row."""
    return {
        "position": int(row["position"]),
        "id": str(row["submission_id"]),
        "type": row["event_type"],
        "changed_by": row["changed_by"],
        "changed_at": iso(row["changed_at"]),
        "changes": row["changes"],
    }


class EventSource(Protocol):
    """What ``submission_as_of`` needs of the domain application: its event store."""

    @property
    def events(self) -> Any:
        """An eventsourcing ``EventStore`` (``get(originator_id)`` yields domain events)."""


def _uuid(value: UUID | str) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None


def served(row: Mapping[str, Any], *, full_record: bool = True) -> dict[str, Any]:
    """The served shape of a row of `DETAIL` (or a statement with its columns)."""
    return shapes.submission(row["doc"], row, full_record=full_record)


def _listed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A list page's documents (compact bio.tools summary), each with its references picked
    from the page's (on the first row)."""
    page = rows[0]["refs"]
    return [
        shapes.submission(r["doc"], refs_of(r["doc"], page), full_record=False)
        for r in rows
        if r["doc"] is not None
    ]


def _stamp(row: Mapping[str, Any]) -> Stamp:
    return (row["version"], row["position"], row["centres_version"], row["centres_position"])


def _at(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SubmissionQueries(QueryBase):
    """Detail, list, history, feed and as-of reads of submissions."""

    registry: EventSource | None = None
    _counts: dict[CountKey, tuple[Stamp, int]]

    def submission(self, submission_id: UUID | str) -> dict[str, Any] | None:
        """The detail shape (full bio.tools record) with ``version``, or None when unknown."""
        sid = _uuid(submission_id)
        if sid is None:
            return None
        row = self._one(DETAIL, (sid,))
        return served(row, full_record=True) if row else None

    def list_submissions(
        self,
        filters: Mapping[str, str | None],
        ordering: str | None = None,
        page: int = 1,
        page_size: int = 20,
    ) -> tuple[int, list[dict[str, Any]]]:
        """``(count, items)`` of one page (compact bio.tools summary in each item).

        ``filters`` are the raw query-string values of spec §3.2 (``status``,
        ``service_center``, ``year_established``, ``register_as_elixir``,
        ``primary_maturity_tag``, ``secondary_maturity_tags``) plus ``id`` to restrict the list
        to one submission; ``ordering`` is ``?ordering=``; the page size is clamped to 1..100.

        The count of a filter is kept per process under the read tables' stamp and reused
        while the tables still have that stamp, checked in the same statement (so a write the
        caller has seen always counts): counting every matching row was most of a list page.
        """
        key: CountKey = tuple(sorted(filters.items()))
        cached = self._counts.get(key)
        query, params = list_query(
            filters, ordering, page, page_size, cached[0] if cached else NO_STAMP
        )
        rows = self._all(query, params)
        first = rows[0]
        if first["total"] is None:
            # Null only when the stamp was the one passed in: the cached count is current.
            assert cached is not None
            return cached[1], _listed(rows)
        total = int(first["total"])
        if None not in _stamp(first):  # no live version (a table being set up): no key for it
            keep(self._counts, key, (_stamp(first), total), COUNT_CACHE_SIZE)
        return total, _listed(rows)

    def history(self, submission_id: UUID | str) -> list[dict[str, Any]]:
        """Every recorded change, oldest first: ``{version, changed_by, changed_at, changes}``
        (an erased submission's too, redacted)."""
        found = self._history(submission_id)
        return [] if found is None else list(orjson.loads(found[1]))

    def history_json(self, submission_id: UUID | str) -> bytes | None:
        """``history`` as the JSON array the API serves (an erased submission's redacted one
        included), or None when the submission is unknown or its history does not show its
        erasure yet (one round trip answers both)."""
        found = self._history(submission_id)
        return found[1] if found is not None and found[0] else None

    def _history(self, submission_id: UUID | str) -> tuple[bool, bytes] | None:
        """``(served, text)``: served when the submission is live or recorded as erased."""
        sid = _uuid(submission_id)
        if sid is None:
            return None
        try:
            with self._connection() as conn, conn.cursor(binary=True) as cur:
                execute(cur, HISTORY, (sid, sid))
                rows = cur.fetchall()
        except psycopg.errors.UndefinedColumn:  # v2 is live: no stored entries
            row = self._one(HISTORY_V2, (sid, sid, sid))
            assert row is not None
            return bool(row["live"] or row["erased"]), str(row["history"]).encode()
        entries: list[bytes] = []
        running, erased = 0, False
        for _, version, erasure, entry in rows:
            if entry is not None:
                running = max(running, version or 0)
                erased = erased or erasure
                entries.append(b'{"version":%d,%s' % (running, entry[1:]))
        return bool(rows[0][0] or erased), b"[" + b",".join(entries) + b"]"

    def erased(self, submission_id: UUID | str) -> bool:
        """Whether the submission was erased (its erasure committed)."""
        sid = _uuid(submission_id)
        if sid is None:
            return False
        row = self._one(ERASED, (sid,))
        return bool(row and row["erased"])

    def changes(self, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """The registry-wide change feed after ``after``, in commit order (limit 1..1000):
        ``{position, id, type, changed_by, changed_at, changes}``."""
        bounded = max(1, min(limit, FEED_MAX))
        return [feed_entry(r) for r in self._all(FEED, (max(after, 0), bounded))]


def as_of_document(
    events: Iterable[Any], at: datetime, *, erased: bool | None = None
) -> Doc | None:
    """Fold the events (oldest first) up to ``at``; None when there are none yet, and from the
    erasure on (``fold`` ends the document at ``Erased``). Events after ``at`` are not looked at
    (not decoded, when ``events`` is lazy) unless ``erased`` is None, when the erasure is found
    among them. Before an erasure, its personal values read ``"[erased]"`` whatever the events
    were decoded with (a key cached past the erasure)."""
    if erased is None:
        events = list(events)
        erased = any(kind(e) == "Submission.Erased" for e in events)
    doc: Doc | None = None
    for event in events:
        if _at(event.timestamp) > at:
            break
        doc = fold(doc, event)
    if doc is not None and erased:
        doc = {k: (ERASED_VALUE if k in PERSONAL_FIELDS else v) for k, v in doc.items()}
    return doc
