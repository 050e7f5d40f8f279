"""CSRF protection of every unsafe method on the pages (spec/ui.md §3.2).

- With a session: a synchronizer token, the HMAC of the session's ``csrf_secret``.
- Without one (the anonymous registration form, the update sign-in): a signed double-submit
  token; the cookie ``registry_csrf`` (HttpOnly, SameSite=Strict) holds 32 random bytes and the
  form must carry ``HMAC(server key, cookie)``, so a cookie planted by another site is useless
  without the server key.
- In addition the ``Origin`` header, or else ``Sec-Fetch-Site``, must say same-origin when the
  browser sends it.

The token comes as the form field ``csrf_token`` or the ``X-CSRF-Token`` header (``app.js``
copies ``<meta name="csrf-token">`` into every htmx request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from schema.settings import Settings
from web.ui.session import Session, cookie_name, is_https

FIELD: Final = "csrf_token"
HEADER: Final = "x-csrf-token"
COOKIE: Final = "registry_csrf"
UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXPIRED_MESSAGE: Final = "This form expired. Check your answers and submit again."


class CsrfFailed(Exception):
    """An unsafe request without a valid token or from another origin (answered 403)."""


def _sign(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class Csrf:
    """Issues and checks the pages' CSRF tokens."""

    def __init__(self, settings: Settings, server_key: Callable[[], bytes]) -> None:
        self.settings = settings
        self._server_key = server_key

    def token(self, request: Request, session: Session | None) -> tuple[str, str | None]:
        """The token a form rendered for this request carries, and the value of a new
        ``registry_csrf`` cookie to set (None when the request already has one, or a session
        signs the token)."""
        if session is not None:
            return _sign(session.csrf_secret.encode(), "csrf"), None
        name = cookie_name(COOKIE, is_https(request, self.settings))
        cookie = request.cookies.get(name)
        fresh = None
        if not cookie:
            cookie = fresh = secrets.token_urlsafe(32)
        return _sign(self._server_key(), cookie), fresh

    def set_cookie(self, request: Request, response: Response, value: str) -> None:
        """Set the double-submit cookie :meth:`token` asked for."""
        https = is_https(request, self.settings)
        response.set_cookie(
            cookie_name(COOKIE, https),
            value,
            path="/",
            secure=https,
            httponly=True,
            samesite="strict",
        )

    def check(self, request: Request, session: Session | None, submitted: str | None) -> None:
        """Raise :class:`CsrfFailed` unless an unsafe request is same-origin and carries the
        token (``submitted`` from the form, else the header)."""
        if request.method not in UNSAFE:
            return
        if not self.same_origin(request):
            raise CsrfFailed("cross-origin request")
        given = submitted or request.headers.get(HEADER) or ""
        if session is not None:
            expected = _sign(session.csrf_secret.encode(), "csrf")
        else:
            cookie = request.cookies.get(cookie_name(COOKIE, is_https(request, self.settings)))
            if not cookie:
                raise CsrfFailed("no CSRF cookie")
            expected = _sign(self._server_key(), cookie)
        if not given or not hmac.compare_digest(given, expected):
            raise CsrfFailed("CSRF token missing or wrong")

    def passes(self, request: Request, session: Session | None, submitted: str | None) -> bool:
        """Whether :meth:`check` lets the request through."""
        try:
            self.check(request, session, submitted)
        except CsrfFailed:
            return False
        return True

    def same_origin(self, request: Request) -> bool:
        """Whether ``Origin`` (or, without it, ``Sec-Fetch-Site``) names this site."""
        origin = request.headers.get("origin")
        if origin is not None:
            return origin in self._origins(request)
        site = request.headers.get("sec-fetch-site")
        return site is None or site in ("same-origin", "none")

    def _origins(self, request: Request) -> set[str]:
        own = {f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"}
        if self.settings.public_base_url:
            base = self.settings.public_base_url.rstrip("/")
            scheme, _, rest = base.partition("://")
            own.add(f"{scheme}://{rest.split('/', 1)[0]}")
        return own
