"""Signing in to and out of the admin console (spec/ui.md §3.4, §5.7.1).

``/admin/sign-in/`` (also ``/admin/login``): an admin key (read keys are Viewers, full keys
Managers) or a named account. Unknown and revoked keys get the same ``401``. The key is never
logged. Sign-out is a POST (``/admin/sign-out/``, also ``/admin/logout``).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin.access import HOME, SIGN_IN, safe_next
from web.ui.admin.pages import AdminPages
from web.ui.csrf import EXPIRED_MESSAGE, FIELD, CsrfFailed

log = logging.getLogger("registry.web.admin")

KEY_INVALID: Final = "The admin key is not valid."
KEY_REQUIRED: Final = "Enter an admin key."


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
        if "username" in fields and self.access.accounts is not None:
            return await self._account_sign_in(request, fields, next_path)
        return await self._key_sign_in(request, fields, next_path)

    async def _key_sign_in(
        self, request: Request, fields: dict[str, str], next_path: str
    ) -> Response:
        plaintext = fields.get("admin_key", "").strip()
        if not plaintext:
            return await self._form(
                request, next_path, status=422, errors={"admin_key": KEY_REQUIRED}
            )
        found = await in_read_thread(lambda: self.access.key_session(plaintext))
        if found is None:
            log.info("admin sign-in failed", extra={"method": "key", "result": "invalid"})
            return await self._form(
                request, next_path, status=401, errors={"admin_key": KEY_INVALID}
            )
        subject, data = found
        return await self._started(request, subject, data, next_path, "key")

    async def _account_sign_in(
        self, request: Request, fields: dict[str, str], next_path: str
    ) -> Response:
        return await self._form(request, next_path, status=401)

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
