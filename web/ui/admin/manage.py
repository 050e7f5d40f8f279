"""Named accounts managed in the browser ``/admin/accounts/`` (Manager; spec/ui.md §3.4): the
list with role, state and who created each; create (the one-time setup link shown once, never
stored), change role, disable or enable, reset the password. Each change is an event of the
account naming the acting admin, as from ``registry admins``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import RegistryError, ValidationFailed
from web.context import in_read_thread
from web.ui.admin.access import ACCOUNT_PREFIX, Admin, Role
from web.ui.admin.accounts import AdminAccounts
from web.ui.admin.pages import AdminPages
from web.ui.errors import error_page

PAGE = "/admin/accounts/"


class ManageAccountPages(AdminPages):
    """The account list and its actions."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/accounts/`` (GET, POST create) and ``/admin/accounts/{id}`` (POST)."""
        if not isinstance(self.access.accounts, AdminAccounts):
            return []
        return [
            Route(PAGE, self.accounts_page, methods=["GET", "HEAD", "POST"]),
            Route(PAGE + "{account_id}", self.change, methods=["POST"]),
        ]

    @property
    def accounts(self) -> AdminAccounts:
        found = self.access.accounts
        assert isinstance(found, AdminAccounts)
        return found

    async def _page(
        self,
        request: Request,
        admin: Admin,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        link: str = "",
        status: int = 200,
    ) -> Response:
        listing = await in_read_thread(self.accounts.listing)
        return await self.render(
            request,
            admin,
            "admin/accounts.html",
            {
                "section": "accounts",
                "accounts": listing,
                "errors": errors or {},
                "values": values or {},
                "link": link,
                "roles": [r.name.lower() for r in Role],
            },
            status=status,
        )

    async def accounts_page(self, request: Request) -> Response:
        """GET: the list and the create form. POST: create an account and show its setup link
        once (``no-store``)."""
        admin = await self.access.require(request, Role.MANAGER)
        if isinstance(admin, Response):
            return admin
        if request.method in ("GET", "HEAD"):
            return await self._page(request, admin)
        form = await request.form()
        username = str(form.get("username", ""))
        role = str(form.get("role", ""))
        try:
            _, token = await in_read_thread(
                lambda: self.accounts.create(username, role, actor=admin.actor)
            )
        except ValidationFailed as exc:
            errors = {name: messages[0] for name, messages in exc.errors.items() if messages}
            values = {"username": username, "role": role}
            return await self._page(request, admin, errors=errors, values=values, status=422)
        link = f"{self.ctx.base_url(request).rstrip('/')}/admin/setup/{token}"
        return await self._page(request, admin, link=link)

    async def change(self, request: Request) -> Response:
        """``action=role`` (with ``role``), ``disable``, ``enable`` or ``reset``."""
        admin = await self.access.require(request, Role.MANAGER)
        if isinstance(admin, Response):
            return admin
        try:
            ident = UUID(request.path_params["account_id"])
        except ValueError:
            return error_page(self.renderer, request, 404)
        form = await request.form()
        action = str(form.get("action", ""))
        if admin.subject == f"{ACCOUNT_PREFIX}{ident}" and action in ("disable", "role"):
            return error_page(
                self.renderer, request, 409, "You cannot disable yourself or change your own role."
            )

        def run() -> Any:
            if action == "role":
                return self.accounts.set_role(ident, str(form.get("role", "")), actor=admin.actor)
            if action in ("disable", "enable"):
                return self.accounts.set_active(ident, action == "enable", actor=admin.actor)
            if action == "reset":
                return self.accounts.reset_password(ident, actor=admin.actor)
            return None

        try:
            outcome = await in_read_thread(run)
        except ValidationFailed as exc:
            field, messages = next(iter(exc.errors.items()))
            return error_page(self.renderer, request, 400, f"{field}: {messages[0]}")
        except RegistryError as exc:
            return error_page(self.renderer, request, 404, str(exc))
        if outcome is None:
            return error_page(self.renderer, request, 400, "Choose an action (field action).")
        if action == "reset":
            link = f"{self.ctx.base_url(request).rstrip('/')}/admin/setup/{outcome}"
            return await self._page(request, admin, link=link)
        banner = {
            "role": "The role was changed.",
            "disable": "The account was disabled; its sessions have ended.",
            "enable": "The account was enabled.",
        }[action]
        return await self.back(request, admin, PAGE, banner if outcome else "Nothing changed.")
