"""The admin dashboard ``/admin/`` (spec/ui.md §5.7.2)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.ui.admin.access import Role
from web.ui.admin.pages import AdminPages


class DashboardPages(AdminPages):
    """The dashboard."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/``."""
        return [Route("/admin/", self.dashboard, methods=["GET", "HEAD"])]

    async def dashboard(self, request: Request) -> Response:
        """Counts that link to filtered lists (Viewer)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        return await self.render(request, admin, "admin/dashboard.html", {"section": "dashboard"})
