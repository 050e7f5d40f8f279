"""Security headers on every response (spec §6 "HTTP headers"), set once for the whole app by
``web.edge.EdgeMiddleware``."""

from __future__ import annotations

#: Sent with every response unless the endpoint set the header itself (the docs pages set a
#: Content-Security-Policy of their own that allows their vendored scripts).
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains; preload"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"permissions-policy", b"geolocation=(), microphone=(), camera=()"),
)
