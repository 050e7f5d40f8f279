"""Server-side page sessions (spec/ui.md §3.1): an opaque 256-bit token in an HttpOnly cookie,
only its SHA-256 stored (``SessionStore``); idle and absolute timeouts per kind; a new token at
every sign-in (no fixation); ``__Host-`` names and ``Secure`` over https.

The store is synchronous (PostgreSQL); callers run these methods in a worker thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from schema.settings import Settings
from web.ports import SessionStore

KINDS: Final = ("admin", "owner", "flow")
COOKIES: Final = {"admin": "registry_admin", "owner": "registry_owner", "flow": "registry_flow"}
FLOW_IDLE: Final = 15 * 60
ABSOLUTE: Final = {"admin": 12 * 3600, "owner": 8 * 3600, "flow": None}

Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def token_hash(token: str) -> str:
    """The stored id of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_https(request: Request, settings: Settings) -> bool:
    """Whether the site is served over https (configured base URL, else the request; the
    request's scheme reflects ``X-Forwarded-Proto`` only behind a proxy uvicorn trusts)."""
    if settings.public_base_url:
        return settings.public_base_url.startswith("https://")
    return request.url.scheme == "https"


def cookie_name(base: str, https: bool) -> str:
    """``__Host-<name>`` over https (Secure, Path=/, no Domain), the plain name on http."""
    return f"__Host-{base}" if https else base


@dataclass(frozen=True)
class Session:
    """A live session as the pages see it."""

    id_hash: str
    kind: str
    subject: str
    csrf_secret: str
    idle_expires_at: dt.datetime
    data: Mapping[str, Any] = field(default_factory=dict)


class Sessions:
    """Starts, finds, extends and ends sessions over a ``SessionStore``."""

    def __init__(self, store: SessionStore, settings: Settings, clock: Clock = _now) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def idle_seconds(self, kind: str) -> int:
        """The idle timeout of a kind (settings for admin and owner, 15 minutes for flow)."""
        if kind == "admin":
            return self.settings.ui_admin_idle_seconds
        if kind == "owner":
            return self.settings.ui_owner_idle_seconds
        return FLOW_IDLE

    def start(
        self,
        request: Request,
        response: Response,
        kind: str,
        subject: str,
        data: Mapping[str, Any] | None = None,
    ) -> Session:
        """A new session with a fresh token (any session of this kind the request carried is
        ended first), its cookie set on ``response``."""
        if kind not in KINDS:
            raise ValueError(f"unknown session kind {kind!r}")
        self.end(request, response, kind)
        token = secrets.token_urlsafe(32)
        now = self.clock()
        # Expired rows go at each sign-in (an indexed delete): nothing else would remove the
        # sessions people never sign out of.
        self.store.sweep(now)
        idle = now + dt.timedelta(seconds=self.idle_seconds(kind))
        absolute = ABSOLUTE[kind]
        until = now + dt.timedelta(seconds=absolute) if absolute else None
        session = Session(
            token_hash(token), kind, subject, secrets.token_urlsafe(32), idle, dict(data or {})
        )
        self.store.create(
            session.id_hash, kind, subject, session.csrf_secret, idle, until, session.data
        )
        https = is_https(request, self.settings)
        response.set_cookie(
            cookie_name(COOKIES[kind], https),
            token,
            max_age=absolute or self.idle_seconds(kind),
            path="/",
            secure=https,
            httponly=True,
            samesite="lax",
        )
        return session

    def current(self, request: Request, kind: str, *, extend: bool = True) -> Session | None:
        """The request's live session of ``kind`` (its idle clock restarted unless
        ``extend`` is false), or None when it has none, or it expired or was ended."""
        token = request.cookies.get(cookie_name(COOKIES[kind], is_https(request, self.settings)))
        if not token:
            return None
        now = self.clock()
        row = self.store.get(token_hash(token), now)
        if row is None or row.kind != kind:
            return None
        session = Session(
            row.id_hash,
            row.kind,
            row.subject,
            row.csrf_secret,
            row.idle_expires_at,
            dict(row.data),
        )
        if extend:
            idle = now + dt.timedelta(seconds=self.idle_seconds(kind))
            self.store.touch(row.id_hash, idle, session.data)
            session = Session(
                row.id_hash, row.kind, row.subject, row.csrf_secret, idle, session.data
            )
        return session

    def end(self, request: Request, response: Response, kind: str) -> None:
        """Delete the request's session of ``kind`` (if any) and expire its cookie."""
        https = is_https(request, self.settings)
        name = cookie_name(COOKIES[kind], https)
        token = request.cookies.get(name)
        if token:
            self.store.delete(token_hash(token))
            response.delete_cookie(name, path="/", secure=https, httponly=True, samesite="lax")
