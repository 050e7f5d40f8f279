"""A submission's history in the admin console (spec/ui.md §5.7.4 History, As-of, Compare; §7):
the full timeline from the event log with filters and no cap, any version's record with
provenance, and the readable comparison of any two versions. Viewer and above."""

from __future__ import annotations

import uuid
from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.ports import Doc
from web.ui.admin.access import Admin, Role
from web.ui.admin.detail import BASE, DetailPages
from web.ui.admin.pages import gated
from web.ui.errors import error_page
from web.ui.versions import TYPE_FILTERS, actor_badge, compare

PAGE_SIZE: Final = 50


def _number(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 10 else None


class HistoryPages(DetailPages):
    """History, versions and compare of one submission."""

    def routes(self) -> list[BaseRoute]:
        """``history``, ``versions/<n>`` and ``compare``."""
        return [
            Route(BASE + "history", self.history, methods=["GET", "HEAD"]),
            Route(BASE + "versions/{n}", self.version, methods=["GET", "HEAD"]),
            Route(BASE + "compare", self.compare, methods=["GET", "HEAD"]),
        ]

    @gated(DetailPages._gate, Role.VIEWER, erased_ok=True)
    async def history(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The timeline: filters ``type`` and ``actor``, ``order=oldest``, ``from``/``to``
        (versions), pages of 50 with "Show more" (htmx appends the next entries)."""
        query = request.query_params
        group = query.get("type", "")
        actor = query.get("actor", "")
        oldest = query.get("order") == "oldest"
        low, high = _number(query.get("from")), _number(query.get("to"))
        page = _number(query.get("page")) or 1
        entries = await self._timeline(sid)
        actors = sorted({str(e["changed_by"]) for e in entries})
        shown = [self._entry(e, sid) for e in entries]
        if group:
            shown = [e for e in shown if e["group"] == group]
        if actor:
            shown = [e for e in shown if e["changed_by"] == actor]
        if low is not None and high is not None:
            shown = [e for e in shown if low < e["version"] <= high]
        if not oldest:
            shown.reverse()
        total = len(shown)
        page_entries = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        params = {
            k: v
            for k, v in (
                ("type", group),
                ("actor", actor),
                ("order", "oldest" if oldest else ""),
                ("from", query.get("from", "")),
                ("to", query.get("to", "")),
            )
            if v
        }
        more = (
            f"/admin/submissions/{sid}/history?" + urlencode({**params, "page": page + 1})
            if page * PAGE_SIZE < total
            else ""
        )
        context: dict[str, Any] = {
            **self._header(doc, "history"),
            "entries": page_entries,
            "total": total,
            "count": len(entries),
            "group": group,
            "actor": actor,
            "oldest": oldest,
            "more": more,
            "type_filters": TYPE_FILTERS,
            "actors": [(a, actor_badge(a)) for a in actors],
            "toggle": f"/admin/submissions/{sid}/history?"
            + urlencode({**params, "order": "" if oldest else "oldest"}),
            "latest": int(doc["version"]),
        }
        if request.headers.get("hx-request") == "true" and page > 1:
            return await self.render(request, admin, "admin/history/_more.html", context)
        return await self.render(request, admin, "admin/history/timeline.html", context)

    @gated(DetailPages._gate, Role.VIEWER, erased_ok=True)
    async def version(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The record as it was at version ``n`` (404 for a version it never had)."""
        n = _number(request.path_params["n"])
        then = None if n is None else await self.ctx.call(self.ctx.read.submission_version, sid, n)
        if then is None:
            return error_page(self.renderer, request, 404, "The submission never had this version.")
        return await self.version_page(request, admin, sid, doc, then)

    @gated(DetailPages._gate, Role.VIEWER, erased_ok=True)
    async def compare(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """Versions ``from`` and ``to`` side by side (§7.3); 400 without two valid versions."""
        low, high = (
            _number(request.query_params.get("from")),
            _number(request.query_params.get("to")),
        )
        if low is None or high is None:
            return error_page(
                self.renderer, request, 400, "Choose two versions to compare (from and to)."
            )
        if low > high:
            target = f"/admin/submissions/{sid}/compare?from={high}&to={low}"
            return RedirectResponse(target, status_code=303)
        found = await self.ctx.call(self.ctx.read.compare_versions, sid, low, high)
        if found is None:
            return error_page(self.renderer, request, 404, "The submission never had this version.")
        context = {**self._header(doc, "history"), "comparison": compare(found)}
        return await self.render(request, admin, "admin/history/compare.html", context)
