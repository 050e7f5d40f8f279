"""The registry-wide activity timeline ``/admin/activity/`` (spec/ui.md §5.7.6): the change
feed newest first with filters, "Load newer" (an htmx fragment prepended; a plain link without
JavaScript), opt-in auto-refresh, and "Mark all as seen" (this admin's cursor, which the
dashboard's "New since your last visit" counts from)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin.access import Role
from web.ui.admin.feed import TYPE_LABELS, FeedParams, everything_after, newest_first
from web.ui.admin.pages import AdminPages
from web.ui.admin.submissions import load_listing, names_by_id


class ActivityPages(AdminPages):
    """The timeline and "mark all as seen"."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/activity/`` and ``/admin/activity/seen``."""
        return [
            Route("/admin/activity/", self.activity, methods=["GET", "HEAD"]),
            Route("/admin/activity/seen", self.seen, methods=["POST"]),
        ]

    async def activity(self, request: Request) -> Response:
        """The timeline (Viewer); with ``HX-Request`` and ``after`` only the newer entries."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        params = FeedParams.parse(request.query_params)
        fragment = request.headers.get("hx-request") == "true" and bool(params.after)

        def run() -> dict[str, Any]:
            feed = everything_after(self.ctx.read)
            top = int(feed[-1]["position"]) if feed else 0
            entries = newest_first(feed, params, 0 if fragment else 50)
            cursor = self.access.cursor(admin.subject)
            return {
                "entries": entries,
                "top": max(top, params.after),
                "cursor": cursor,
                "unseen": sum(1 for e in feed if int(e["position"]) > (cursor or 0)),
                "names": names_by_id(load_listing(self.ctx.read).docs),
            }

        data = await in_read_thread(run)
        context = {
            **data,
            "section": "activity",
            "params": params,
            "type_labels": TYPE_LABELS,
            "cursors": self.access.cursors_enabled,
        }
        template = "admin/activity/_newer.html" if fragment else "admin/activity/page.html"
        return await self.render(request, admin, template, context)

    async def seen(self, request: Request) -> Response:
        """Store the feed's top position as seen by this admin (key or account)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        form = await request.form()
        top = str(form.get("top", ""))
        if not top.isdigit() or len(top) > 18:
            return await self.back(request, admin, "/admin/activity/", "Nothing to mark.")

        def run() -> None:
            self.access.mark_seen(admin.subject, int(top))

        await in_read_thread(run)
        return await self.back(
            request, admin, "/admin/activity/", "Every change up to now is marked as seen."
        )
