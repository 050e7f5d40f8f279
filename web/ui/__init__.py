"""The web pages (spec/ui.md): server-rendered Jinja2 over the same ports as the API.

``web.ui`` imports only ``web``, ``schema``, ``domain`` (errors and field metadata), Jinja2 and
the standard library; never ``projections`` or ``workers`` (an import-linter contract).
:func:`page_routes` assembles the pages of one app; ``web.app`` mounts them next to the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.context import Context, in_read_thread
from web.ports import (
    AdminAccountRegistry,
    AdminCredentialStore,
    BioToolsLookup,
    BioToolsRefresh,
    OwnerPort,
    QueueDepth,
    SessionStore,
)
from web.ui.admin import admin_routes
from web.ui.admin.access import AdminAccess
from web.ui.admin.accounts import AdminAccounts
from web.ui.csrf import Csrf, CsrfFailed
from web.ui.errors import error_page
from web.ui.owner import OwnerPages
from web.ui.public_history import PublicHistoryPages
from web.ui.register import RegisterPages
from web.ui.render import Renderer
from web.ui.routes import PublicPages
from web.ui.session import Sessions


class SessionPages:
    """``POST /session/extend``: the timeout warning's "Stay signed in" (§5.6)."""

    def __init__(self, renderer: Renderer, sessions: Sessions, csrf: Csrf) -> None:
        self.renderer = renderer
        self.sessions = sessions
        self.csrf = csrf

    async def extend(self, request: Request) -> Response:
        """Restart the idle clock of the caller's owner or admin session: 204; 403 without a
        session or a valid CSRF token."""
        form = await request.form()
        token = form.get("csrf_token")
        submitted = token if isinstance(token, str) else None

        def run() -> bool:
            for kind in ("admin", "owner"):
                session = self.sessions.current(request, kind, extend=False)
                if session is None:
                    continue
                try:
                    self.csrf.check(request, session, submitted)
                except CsrfFailed:
                    return False
                self.sessions.current(request, kind)
                return True
            return False

        if await in_read_thread(run):
            return Response(status_code=204, headers={"Cache-Control": "no-store"})
        return error_page(self.renderer, request, 403)


def page_routes(
    ctx: Context | None,
    renderer: Renderer,
    sessions: SessionStore | None,
    *,
    biotools: BioToolsLookup | None = None,
    admin_credentials: AdminCredentialStore | None = None,
    projection_status: Callable[[], Any] | None = None,
    signins: Callable[[str], None] | None = None,
    biotools_refresh: BioToolsRefresh | None = None,
    queue_depth: QueueDepth | None = None,
) -> list[BaseRoute]:
    """The pages served over ``ctx`` (none without a read side) and the session endpoint
    (only with a session store); ``biotools``: the registration form's prefill look-up; named
    admin accounts with ``admin_credentials`` (and a registry that records their lifecycle)."""
    routes: list[BaseRoute] = []
    if ctx is not None:
        routes += PublicPages(ctx, renderer).routes()
        routes += PublicHistoryPages(ctx, renderer).routes()
    if sessions is not None:
        manager = Sessions(sessions, renderer.settings)
        csrf = Csrf(renderer.settings, sessions.server_key)
        pages = SessionPages(renderer, manager, csrf)
        routes.append(Route("/session/extend", pages.extend, methods=["POST"]))
        if ctx is not None:
            routes += RegisterPages(ctx, renderer, manager, csrf, biotools).routes()
        if ctx is not None and isinstance(ctx.registry, OwnerPort):
            routes += OwnerPages(ctx, renderer, manager, csrf, ctx.registry).routes()
        if ctx is not None:
            accounts = None
            if admin_credentials is not None and isinstance(ctx.registry, AdminAccountRegistry):
                accounts = AdminAccounts(
                    ctx.registry,
                    admin_credentials,
                    server_key=sessions.server_key,
                    require_totp=renderer.settings.admin_require_totp,
                )
            access = AdminAccess(
                ctx.read,
                manager,
                csrf,
                renderer,
                accounts,
                cursors=admin_credentials,
                projection_status=projection_status,
                signins=signins,
                biotools_refresh=biotools_refresh,
                queue_depth=queue_depth,
            )
            routes += admin_routes(ctx, renderer, access)
    return routes


__all__ = ["Renderer", "page_routes"]
