"""Metrics from events ``/admin/stats/`` (SHOULD; spec/ui.md §9 item 14), as tables and CSV:
time from submission to first decision (median, p90), edits per month, approvals reset by owner
edits per month, approvals per centre. Everything is computed from the change feed: the event
log, not a counter kept on the side."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.lifecycle import STATUS_LABELS
from web.context import in_read_thread
from web.ports import Doc
from web.ui.admin.access import Role
from web.ui.admin.feed import everything_after
from web.ui.admin.pages import AdminPages

DECISIONS: Final = (STATUS_LABELS["approved"], STATUS_LABELS["rejected"])


def _status_change(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    for change in entry.get("changes") or []:
        if change.get("field") == "status":
            return str(change.get("old") or ""), str(change.get("new") or "")
    return None


def _at(entry: Mapping[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(entry["changed_at"]))


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def compute(feed: Sequence[Doc], centres: Mapping[str, str]) -> dict[str, Any]:
    """The figures of the stats page from the feed (oldest first) and each submission's centre."""
    registered: dict[str, dt.datetime] = {}
    decided: dict[str, float] = {}
    edits: Counter[str] = Counter()
    resets: Counter[str] = Counter()
    approvals: Counter[str] = Counter()
    for entry in feed:
        sid = str(entry["id"])
        kind = entry.get("type")
        if kind in ("Registered", "Imported"):
            registered.setdefault(sid, _at(entry))
            continue
        status = _status_change(entry)
        month = str(entry["changed_at"])[:7]
        if kind == "Amended":
            edits[month] += 1
            if status and status[0] == STATUS_LABELS["approved"]:
                resets[month] += 1
        if kind == "StatusChanged" and status and status[1] in DECISIONS:
            if sid in registered and sid not in decided:
                decided[sid] = (_at(entry) - registered[sid]).total_seconds() / 3600
            if status[1] == STATUS_LABELS["approved"]:
                approvals[centres.get(sid, "No centre")] += 1
    hours = list(decided.values())
    months = sorted(set(edits) | set(resets))
    return {
        "decided": len(hours),
        "median_hours": statistics.median(hours) if hours else None,
        "p90_hours": _percentile(hours, 0.9) if hours else None,
        "months": [(m, edits[m], resets[m]) for m in months],
        "approvals": sorted(approvals.items(), key=lambda kv: (-kv[1], kv[0])),
    }


class StatsPages(AdminPages):
    """The stats page and its CSV."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/stats/`` and ``/admin/stats.csv``."""
        return [
            Route("/admin/stats/", self.stats, methods=["GET", "HEAD"]),
            Route("/admin/stats.csv", self.stats_csv, methods=["GET", "HEAD"]),
        ]

    def _figures(self) -> dict[str, Any]:
        docs = self.ctx.read.admin_documents({})
        centres = {
            str(d["id"]): str((d.get("service_center") or {}).get("short_name") or "No centre")
            for d in docs
        }
        return compute(everything_after(self.ctx.read), centres)

    async def stats(self, request: Request) -> Response:
        """The figures as tables (Viewer)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        figures = await in_read_thread(self._figures)
        return await self.render(
            request, admin, "admin/stats.html", {**figures, "section": "stats"}
        )

    async def stats_csv(self, request: Request) -> Response:
        """The same figures as CSV rows ``metric, key, value``."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        figures = await in_read_thread(self._figures)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric", "key", "value"])
        writer.writerow(["decided_submissions", "", figures["decided"]])
        for name in ("median_hours", "p90_hours"):
            value = figures[name]
            writer.writerow(
                [f"time_to_first_decision_{name}", "", "" if value is None else f"{value:.2f}"]
            )
        for month, edits, resets in figures["months"]:
            writer.writerow(["edits", month, edits])
            writer.writerow(["approvals_reset_by_owner_edits", month, resets])
        for centre, count in figures["approvals"]:
            writer.writerow(["approvals", centre, count])
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": 'attachment; filename="stats.csv"',
            },
        )
