"""The admin console (spec/ui.md §3.4, §5.7): sign-in, roles, dashboard, submissions list with
bulk actions and exports, activity, bio.tools and system pages. Every route passes
:meth:`web.ui.admin.access.AdminAccess.require` with the role it needs."""

from __future__ import annotations

from starlette.routing import BaseRoute

from web.context import Context
from web.ui.admin.access import AdminAccess
from web.ui.admin.account import AccountPages
from web.ui.admin.activity import ActivityPages
from web.ui.admin.dashboard import DashboardPages
from web.ui.admin.detail import DetailPages
from web.ui.admin.history import HistoryPages
from web.ui.admin.manage import ManageAccountPages
from web.ui.admin.reference import ReferencePages
from web.ui.admin.signin import SignInPages
from web.ui.admin.submissions import SubmissionListPages
from web.ui.admin.system import SystemPages
from web.ui.render import Renderer


def admin_routes(ctx: Context, renderer: Renderer, access: AdminAccess) -> list[BaseRoute]:
    """Every admin route (the detail, history and reference pages one line each)."""
    routes: list[BaseRoute] = []
    routes += SignInPages(ctx, renderer, access).routes()
    routes += DashboardPages(ctx, renderer, access).routes()
    routes += AccountPages(ctx, renderer, access).routes()
    routes += SubmissionListPages(ctx, renderer, access).routes()
    routes += ActivityPages(ctx, renderer, access).routes()
    routes += SystemPages(ctx, renderer, access).routes()
    routes += ManageAccountPages(ctx, renderer, access).routes()
    routes += DetailPages(ctx, renderer, access).routes()
    routes += HistoryPages(ctx, renderer, access).routes()
    routes += ReferencePages(ctx, renderer, access).routes()
    return routes


__all__ = ["AdminAccess", "admin_routes"]
