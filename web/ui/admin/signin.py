"""Signing in to and out of the admin console (spec/ui.md §3.4, §5.7.1).

``/admin/sign-in/`` (also ``/admin/login``): an admin key (read keys are Viewers, full keys
Managers) or a named account. Unknown and revoked keys get the same ``401``. The key is never
logged. Sign-out is a POST (``/admin/sign-out/``, also ``/admin/logout``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin.access import ACCOUNT_PREFIX, HOME, SIGN_IN, safe_next
from web.ui.admin.accounts import AdminAccounts, SignIn
from web.ui.admin.pages import AdminPages
from web.ui.csrf import EXPIRED_MESSAGE, FIELD, CsrfFailed
from web.ui.render import utc_text

log = logging.getLogger("registry.web.admin")

KEY_INVALID: Final = "The admin key is not valid."
KEY_REQUIRED: Final = "Enter an admin key."
ACCOUNT_INVALID: Final = "The username or password is not correct."
CODE_INVALID: Final = "The authentication code is not correct. Enter the current code."


class SignInPages(AdminPages):
    """The sign-in form and sign-out."""

    def routes(self) -> list[BaseRoute]:
        """Sign-in (GET, POST) and sign-out (POST), under both spellings of the spec."""
        return [
            Route(SIGN_IN, self.sign_in, methods=["GET", "HEAD", "POST"]),
            Route("/admin/login", self.sign_in, methods=["GET", "HEAD", "POST"]),
            Route("/admin/sign-out/", self.sign_out, methods=["POST"]),
            Route("/admin/logout", self.sign_out, methods=["POST"]),
        ]

    async def _form(
        self,
        request: Request,
        next_path: str,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Response:
        token, cookie = self.access.csrf.token(request, None)
        response = await self.render(
            request,
            None,
            "admin/sign_in.html",
            {
                "csrf_token": token,
                "next": next_path,
                "errors": errors or {},
                "values": values or {},
                "accounts": self.access.accounts is not None,
                "password_set": request.query_params.get("set") == "1",
                **(extra or {}),
            },
            status=status,
            headers=headers,
        )
        if cookie:
            self.access.csrf.set_cookie(request, response, cookie)
        return response

    async def sign_in(self, request: Request) -> Response:
        """GET: the form. POST: check the key (or account) and start a session."""
        next_path = safe_next(request.query_params.get("next"))
        if request.method in ("GET", "HEAD"):
            return await self._form(request, next_path)
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        next_path = safe_next(fields.get("next") or request.query_params.get("next"))
        try:
            self.access.csrf.check(request, None, fields.get(FIELD))
        except CsrfFailed:
            return await self._form(
                request, next_path, status=403, errors={"summary": EXPIRED_MESSAGE}
            )
        accounts = self.access.accounts
        if "username" in fields and isinstance(accounts, AdminAccounts):
            return await self._account_sign_in(request, accounts, fields, next_path)
        return await self._key_sign_in(request, fields, next_path)

    def _ip(self, request: Request) -> str:
        return self.ctx.client_ip(request) or "unknown"

    async def _throttled(self, request: Request, next_path: str, retry_at: Any) -> Response:
        log.info("admin sign-in throttled", extra={"result": "throttled"})
        self.access.counted("throttled")
        seconds = max(1, int((retry_at - self._now()).total_seconds()))
        return await self._form(
            request,
            next_path,
            status=429,
            headers={"Retry-After": str(seconds)},
            extra={"retry_at": utc_text(retry_at)},
        )

    @staticmethod
    def _now() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    async def _key_sign_in(
        self, request: Request, fields: dict[str, str], next_path: str
    ) -> Response:
        plaintext = fields.get("admin_key", "").strip()
        if not plaintext:
            return await self._form(
                request, next_path, status=422, errors={"admin_key": KEY_REQUIRED}
            )
        accounts = self.access.accounts
        ip = self._ip(request)
        # Throttled per (address, the key's first 8 characters): never more of the key.
        prefix = f"key:{plaintext[:8]}"
        if isinstance(accounts, AdminAccounts):
            throttled = accounts
            retry = await in_read_thread(lambda: throttled.throttled(ip, prefix))
            if retry is not None:
                return await self._throttled(request, next_path, retry)
        found = await in_read_thread(lambda: self.access.key_session(plaintext))
        if found is None:
            log.info("admin sign-in failed", extra={"method": "key", "result": "invalid"})
            self.access.counted("invalid")
            if isinstance(accounts, AdminAccounts):
                counted = accounts
                await in_read_thread(lambda: counted.failed(ip, prefix))
            return await self._form(
                request, next_path, status=401, errors={"admin_key": KEY_INVALID}
            )
        subject, data = found
        return await self._started(request, subject, data, next_path, "key")

    async def _account_sign_in(
        self,
        request: Request,
        accounts: AdminAccounts,
        fields: dict[str, str],
        next_path: str,
    ) -> Response:
        ip = self._ip(request)
        username = fields.get("username", "").strip()
        ticket = fields.get("totp_ticket", "")
        outcome: SignIn
        if ticket:
            code = fields.get("totp", "")
            outcome = await in_read_thread(lambda: accounts.second_step(ticket, code, ip))
        else:
            errors = {}
            if not username:
                errors["username"] = "Enter your username."
            if not fields.get("password"):
                errors["password"] = "Enter your password."  # noqa: S105 (a message)
            if errors:
                return await self._form(
                    request, next_path, status=422, errors=errors, values={"username": username}
                )
            password = fields.get("password", "")
            outcome = await in_read_thread(lambda: accounts.authenticate(username, password, ip))
        if outcome.result == "throttled":
            return await self._throttled(request, next_path, outcome.retry_at)
        if outcome.result == "invalid":
            log.info("admin sign-in failed", extra={"method": "account", "result": "invalid"})
            self.access.counted("invalid")
            return await self._form(
                request,
                next_path,
                status=401,
                errors={"password" if not ticket else "summary": ACCOUNT_INVALID},
                values={"username": username},
            )
        if outcome.result == "totp":
            wrong = bool(ticket)
            if wrong:
                log.info("admin sign-in failed", extra={"method": "totp", "result": "invalid"})
                self.access.counted("invalid")
            return await self._form(
                request,
                next_path,
                status=401 if wrong else 200,
                errors={"totp": CODE_INVALID} if wrong else {},
                values={"username": username},
                extra={"totp_step": True, "totp_ticket": outcome.ticket},
            )
        subject = f"{ACCOUNT_PREFIX}{outcome.account_id}"
        return await self._started(request, subject, {}, next_path, "account")

    async def _started(
        self, request: Request, subject: str, data: dict[str, Any], next_path: str, method: str
    ) -> Response:
        response = RedirectResponse(
            next_path, status_code=303, headers={"Cache-Control": "no-store"}
        )

        def run() -> None:
            self.access.start(request, response, subject, data)

        await in_read_thread(run)
        log.info("admin signed in", extra={"method": method, "subject": subject})
        self.access.counted("ok")
        return response

    async def sign_out(self, request: Request) -> Response:
        """End the admin session (a POST with the session's CSRF token)."""
        form = await request.form()
        value = form.get(FIELD)
        submitted = value if isinstance(value, str) else None
        response = RedirectResponse(SIGN_IN, status_code=303, headers={"Cache-Control": "no-store"})

        def run() -> bool:
            session = self.access.sessions.current(request, "admin", extend=False)
            if session is None:
                return True
            try:
                self.access.csrf.check(request, session, submitted)
            except CsrfFailed:
                return False
            self.access.sessions.end(request, response, "admin")
            log.info("admin signed out", extra={"subject": session.subject})
            return True

        if await in_read_thread(run):
            return response
        return await self._form(request, HOME, status=403, errors={"summary": EXPIRED_MESSAGE})
