"""Reading a page of the notification log, with the personal-data keys of its subjects.

One statement on the caller's connection returns the page and, joined to each notification, the
key of its originator from `registry_subject_keys` (see `projections.decoding`): a page and the
keys to decode it cost one round trip, where the upstream recorder's `select_notifications` plus
a key lookup per new submission cost one each (and a connection from the application's pool).
Rows come back as tuples; the page is the same list of notifications (`id > position`, in id
order, at most `limit`) the recorder returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification

from projections.versions import EVENTS_TABLE

_COLUMNS = "e.notification_id, e.originator_id, e.originator_version, e.topic, e.state"
_PLAIN = (
    f"SELECT {_COLUMNS} FROM {EVENTS_TABLE} e"
    " WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
)
_KEYED = (
    f"SELECT {_COLUMNS}, k.subject IS NOT NULL, k.key FROM {EVENTS_TABLE} e"
    " LEFT JOIN registry_subject_keys k ON k.subject = e.originator_id"
)
_WITH_KEYS = f"{_KEYED} WHERE e.notification_id > %s ORDER BY e.notification_id LIMIT %s"
_IDS_PLAIN = (
    f"SELECT {_COLUMNS} FROM {EVENTS_TABLE} e"
    " WHERE e.notification_id = ANY(%s) ORDER BY e.notification_id"
)
_IDS_WITH_KEYS = f"{_KEYED} WHERE e.notification_id = ANY(%s) ORDER BY e.notification_id"


@dataclass
class Page:
    """Notifications after a position and, when asked for, the stored keys of their subjects
    (None for a destroyed key; subjects without a stored key are absent)."""

    notifications: list[Notification]
    keys: dict[UUID, bytes | None] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.notifications)

    @property
    def last(self) -> int:
        """The id of the last notification (the page must not be empty)."""
        last: int = self.notifications[-1].id
        return last


class PageReader:
    """Reads pages on a caller-supplied connection; `with_keys` joins the subjects' keys (the
    reader falls back to plain pages, for good, in a database without the key table)."""

    def __init__(self, *, with_keys: bool) -> None:
        self.with_keys = with_keys

    def read(self, conn: psycopg.Connection[Any], position: int, limit: int) -> Page:
        """The page after `position` (outside any transaction the caller is about to commit)."""
        if self.with_keys:
            try:
                rows = conn.execute(_WITH_KEYS, (position, limit)).fetchall()
            except psycopg.errors.UndefinedTable:
                if not conn.autocommit:
                    conn.rollback()  # the failed transaction is the one this query opened
                self.with_keys = False
            else:
                return Page(
                    [_notification(row) for row in rows],
                    {row[1]: _key(row[6]) for row in rows if row[5]},
                )
        rows = conn.execute(_PLAIN, (position, limit)).fetchall()
        return Page([_notification(row) for row in rows])

    def read_ids(self, conn: psycopg.Connection[Any], ids: list[int]) -> Page:
        """The notifications with these ids, in order (held events released again)."""
        if self.with_keys:
            rows = conn.execute(_IDS_WITH_KEYS, (ids,)).fetchall()
            return Page(
                [_notification(row) for row in rows],
                {row[1]: _key(row[6]) for row in rows if row[5]},
            )
        rows = conn.execute(_IDS_PLAIN, (ids,)).fetchall()
        return Page([_notification(row) for row in rows])


def _notification(row: tuple[Any, ...]) -> Notification:
    return Notification(
        id=row[0], originator_id=row[1], originator_version=row[2], topic=row[3], state=row[4]
    )


def _key(value: Any) -> bytes | None:
    return bytes(value) if value is not None else None
