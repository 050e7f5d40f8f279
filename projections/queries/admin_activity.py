"""The admin console's activity timeline (spec/ui.md §5.7.6) and the dashboard's latest changes
(§5.7.2): the change feed (``submission_history`` in position order) newest first, filtered in
the statement, with the feed's top position and how many entries an admin has not marked seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from projections.queries.base import QueryBase
from projections.queries.submissions import feed_entry

# A day is compared as the feed serves `changed_at` (in the session's time zone, as psycopg
# loads it), so `from`/`to` mean the dates the page shows.
ACTIVITY: Final = """WITH t AS (SELECT
        (SELECT coalesce(max(h.position), 0) FROM submission_history h) AS top,
        (SELECT count(*) FROM submission_history h WHERE h.position > %(seen)s) AS unseen),
e AS (
    SELECT h.position, h.submission_id, h.event_type, h.changed_by, h.changed_at, h.changes
    FROM submission_history h
    WHERE h.position > %(after)s
      AND (%(type)s = '' OR h.event_type = %(type)s)
      AND (%(actor)s = '' OR strpos(lower(h.changed_by), lower(%(actor)s)) > 0)
      AND (%(submission)s = '' OR h.submission_id::text = %(submission)s)
      AND (%(from)s = '' OR to_char(h.changed_at, 'YYYY-MM-DD') >= %(from)s)
      AND (%(to)s = '' OR to_char(h.changed_at, 'YYYY-MM-DD') <= %(to)s)
    ORDER BY h.position DESC
    LIMIT %(limit)s)
SELECT t.top, t.unseen, e.position, e.submission_id, e.event_type, e.changed_by, e.changed_at,
    e.changes, s.service_name
FROM t LEFT JOIN e ON true LEFT JOIN submissions s ON s.id = e.submission_id
ORDER BY e.position DESC"""


class AdminActivityQueries(QueryBase):
    """The change feed as the admin pages show it."""

    def admin_activity(
        self, filters: Mapping[str, Any], limit: int | None = 50, seen: int | None = None
    ) -> dict[str, Any]:
        """The ``limit`` newest feed entries (None: all) passing ``filters`` (``type``,
        ``actor`` contained in any case, ``submission`` id, ``from``/``to`` days, ``after`` a
        position), newest first: ``{entries, top, unseen}``. Each entry is a feed entry
        (``position, id, type, changed_by, changed_at, changes``) with the ``service_name`` of
        its submission (None once erased); ``top`` is the feed's newest position (0 when
        empty), ``unseen`` how many entries come after ``seen``."""
        params: dict[str, Any] = {
            name: str(filters.get(name) or "")
            for name in ("type", "actor", "submission", "from", "to")
        }
        params.update(after=int(filters.get("after") or 0), seen=seen or 0, limit=limit)
        rows = self._all(ACTIVITY, params)
        first = rows[0]
        return {
            "entries": [
                {**feed_entry(r), "service_name": r["service_name"]}
                for r in rows
                if r["position"] is not None
            ],
            "top": int(first["top"]),
            "unseen": int(first["unseen"]),
        }
