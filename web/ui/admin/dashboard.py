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
from web.ui.admin.feed import TYPE_LABELS
from web.ui.admin.pages import AdminPages


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
            counted = self.ctx.read.admin_submissions({}, 1, 0)
            statuses = counted["facets"]["status"]
            cursor = self.access.cursor(admin.subject)
            activity = self.ctx.read.admin_activity({}, 10, cursor)
            lag = self.projection_lag()
            return {
                "cards": [
                    (
                        "Waiting for review",
                        statuses.get("submitted", 0) + statuses.get("under_review", 0),
                        "/admin/submissions/?status=submitted&status=under_review",
                    ),
                    (
                        "Changed since last approval",
                        counted["changed"],
                        "/admin/submissions/?changed_since_approval=1",
                    ),
                    (
                        "Approved",
                        statuses.get("approved", 0),
                        "/admin/submissions/?status=approved",
                    ),
                    (
                        "Deprecated",
                        statuses.get("deprecated", 0),
                        "/admin/submissions/?status=deprecated",
                    ),
                    (
                        "bio.tools sync failures",
                        counted["facets"]["biotools_sync"].get("error", 0),
                        "/admin/submissions/?biotools_sync=error",
                    ),
                ],
                "lag": lag,
                "new_count": activity["unseen"],
                "cursor": cursor,
                "cursors": self.access.cursors_enabled,
                "latest": activity["entries"],
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
