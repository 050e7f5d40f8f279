"""The admin dashboard ``/admin/`` (spec/ui.md §5.7.2): counts that link to filtered lists,
bio.tools sync failures, projection lag, "New since your last visit" from this admin's cursor on
the change feed, and the latest activity."""

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


class DashboardPages(AdminPages):
    """The dashboard."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/``."""
        return [Route("/admin/", self.dashboard, methods=["GET", "HEAD"])]

    async def dashboard(self, request: Request) -> Response:
        """Cards with counts that link to filtered lists (Viewer)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin

        def run() -> dict[str, Any]:
            listing = load_listing(self.ctx.read)
            docs = listing.docs
            statuses = [str(d.get("status")) for d in docs]
            failures = sum(1 for d in docs if (d.get("biotoolsrecord") or {}).get("sync_error"))
            feed = everything_after(self.ctx.read)
            cursor = self.access.cursor(admin.subject)
            new = sum(1 for e in feed if int(e["position"]) > (cursor or 0))
            lag = self.projection_lag()
            return {
                "cards": [
                    (
                        "Waiting for review",
                        statuses.count("submitted") + statuses.count("under_review"),
                        "/admin/submissions/?status=submitted&status=under_review",
                    ),
                    (
                        "Changed since last approval",
                        len(listing.in_review),
                        "/admin/submissions/?changed_since_approval=1",
                    ),
                    ("Approved", statuses.count("approved"), "/admin/submissions/?status=approved"),
                    (
                        "Deprecated",
                        statuses.count("deprecated"),
                        "/admin/submissions/?status=deprecated",
                    ),
                    (
                        "bio.tools sync failures",
                        failures,
                        "/admin/submissions/?biotools_sync=error",
                    ),
                ],
                "lag": lag,
                "new_count": new,
                "cursor": cursor,
                "cursors": self.access.cursors_enabled,
                "latest": newest_first(feed, FeedParams(), 10),
                "names": names_by_id(docs),
            }

        data = await in_read_thread(run)
        return await self.render(
            request,
            admin,
            "admin/dashboard.html",
            {**data, "section": "dashboard", "type_labels": TYPE_LABELS},
        )

    def projection_lag(self) -> list[dict[str, Any]] | None:
        """The live projections' lag (None when this app has no projection status)."""
        status = self.access.projection_status
        if status is None:
            return None
        return [dict(s) for s in status() if s.get("live")]
