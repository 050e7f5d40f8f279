"""A named account's own pages (spec/ui.md §3.4, §5.7.8): the one-time setup link
``/admin/setup/<token>`` (choose a password), and ``/admin/account`` (change the password,
enrol or remove TOTP, sign out of every other session)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin import totp
from web.ui.admin.access import ACCOUNT_PAGE, ACCOUNT_PREFIX, SIGN_IN, Admin, Role
from web.ui.admin.accounts import AdminAccounts
from web.ui.admin.pages import AdminPages
from web.ui.csrf import EXPIRED_MESSAGE, FIELD, CsrfFailed
from web.ui.errors import error_page


class AccountPages(AdminPages):
    """Setup link and the account page (only with named accounts configured)."""

    def routes(self) -> list[BaseRoute]:
        """The setup link and the account page's GET and POSTs."""
        if not isinstance(self.access.accounts, AdminAccounts):
            return []
        return [
            Route("/admin/setup/{token}", self.setup, methods=["GET", "HEAD", "POST"]),
            Route(ACCOUNT_PAGE, self.account, methods=["GET", "HEAD"]),
            Route(f"{ACCOUNT_PAGE}/password", self.password, methods=["POST"]),
            Route(f"{ACCOUNT_PAGE}/totp", self.totp_change, methods=["POST"]),
            Route(f"{ACCOUNT_PAGE}/sessions", self.other_sessions, methods=["POST"]),
        ]

    @property
    def accounts(self) -> AdminAccounts:
        found = self.access.accounts
        assert isinstance(found, AdminAccounts)
        return found

    # -- setup link ------------------------------------------------------------------------

    async def setup(self, request: Request) -> Response:
        """GET: the password form of a live link (else 404). POST: set the password."""
        token = request.path_params["token"]
        found = await in_read_thread(lambda: self.accounts.setup_account(token))
        if found is None:
            return error_page(
                self.renderer,
                request,
                404,
                "This setup link is not valid or has expired. Ask an administrator for a new one.",
            )
        _, username = found
        errors: dict[str, str] = {}
        status = 200
        if request.method == "POST":
            form = await request.form()
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            try:
                self.access.csrf.check(request, None, fields.get(FIELD))
            except CsrfFailed:
                errors, status = {"summary": EXPIRED_MESSAGE}, 403
            else:
                password, confirm = fields.get("password", ""), fields.get("confirm", "")
                errors = await in_read_thread(
                    lambda: self.accounts.set_password_with_token(token, password, confirm)
                )
                if not errors:
                    return RedirectResponse(
                        f"{SIGN_IN}?set=1", status_code=303, headers={"Cache-Control": "no-store"}
                    )
                status = 422
        csrf_token, cookie = self.access.csrf.token(request, None)
        response = await self.render(
            request,
            None,
            "admin/setup.html",
            {"username": username, "errors": errors, "csrf_token": csrf_token},
            status=status,
        )
        if cookie:
            self.access.csrf.set_cookie(request, response, cookie)
        return response

    # -- the account page --------------------------------------------------------------------

    async def _signed_in(self, request: Request) -> Admin | Response:
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        if not admin.is_account:
            return error_page(
                self.renderer,
                request,
                404,
                "Admin keys have no account page: they are managed with `registry admin-keys`.",
            )
        return admin

    async def account(self, request: Request) -> Response:
        """Password change, TOTP and other sessions."""
        admin = await self._signed_in(request)
        if isinstance(admin, Response):
            return admin
        return await self._page(request, admin, {}, 200)

    async def _page(
        self,
        request: Request,
        admin: Admin,
        errors: dict[str, str],
        status: int,
        pending: str | None = None,
    ) -> Response:
        ident = _ident(admin)
        enrolled = await in_read_thread(lambda: self.accounts.has_totp(ident))
        context: dict[str, Any] = {
            "section": "account",
            "errors": errors,
            "totp_enrolled": enrolled,
            "totp_required": self.accounts.require_totp,
            "pending_secret": pending,
            "pending_uri": totp.provisioning_uri(pending, admin.username, self.renderer.site.name)
            if pending
            else "",
        }
        return await self.render(request, admin, "admin/account.html", context, status=status)

    async def password(self, request: Request) -> Response:
        """Change the password (the current one checked)."""
        admin = await self._signed_in(request)
        if isinstance(admin, Response):
            return admin
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        errors = await in_read_thread(
            lambda: self.accounts.change_password(
                _ident(admin),
                fields.get("current_password", ""),
                fields.get("password", ""),
                fields.get("confirm", ""),
            )
        )
        if errors:
            return await self._page(request, admin, errors, 422)
        return await self.back(request, admin, ACCOUNT_PAGE, "Your password was changed.")

    async def totp_change(self, request: Request) -> Response:
        """``action=start``: a new secret to add to the app; ``action=confirm``: turn TOTP on
        with a code from it; ``action=remove``: turn it off with a current code."""
        admin = await self._signed_in(request)
        if isinstance(admin, Response):
            return admin
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        action = fields.get("action", "")
        code = fields.get("totp", "")
        ident = _ident(admin)
        if action == "start":
            return await self._page(request, admin, {}, 200, pending=totp.new_secret())
        if action == "confirm":
            secret = fields.get("secret", "")
            ok = await in_read_thread(lambda: self.accounts.enrol_totp(ident, secret, code))
            if not ok:
                errors = {"totp": "The code does not match. Enter the current code from the app."}
                return await self._page(request, admin, errors, 422, pending=secret)
            return await self.back(
                request, admin, "/admin/", "Two-step sign-in is on for your account."
            )
        if action == "remove":
            ok = await in_read_thread(lambda: self.accounts.remove_totp(ident, code))
            if not ok:
                message = (
                    "Two-step sign-in is required on this registry."
                    if self.accounts.require_totp
                    else "The code does not match. Enter the current code from the app."
                )
                return await self._page(request, admin, {"totp_remove": message}, 422)
            return await self.back(request, admin, ACCOUNT_PAGE, "Two-step sign-in is off.")
        return error_page(self.renderer, request, 400, "Unknown action.")

    async def other_sessions(self, request: Request) -> Response:
        """End every session of this account, then start a fresh one for this browser."""
        admin = await self._signed_in(request)
        if isinstance(admin, Response):
            return admin
        response = RedirectResponse(
            ACCOUNT_PAGE, status_code=303, headers={"Cache-Control": "no-store"}
        )

        def run() -> int:
            ended = self.access.sessions.store.delete_subject("admin", admin.subject)
            self.access.start(request, response, admin.subject, {})
            return ended - 1

        await in_read_thread(run)
        return response


def _ident(admin: Admin) -> UUID:
    return UUID(admin.subject.removeprefix(ACCOUNT_PREFIX))
