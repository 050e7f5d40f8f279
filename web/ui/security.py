"""The pages' Content Security Policy and caching headers (spec/ui.md §3.3).

The policy allows scripts and styles from this origin only: no ``unsafe-inline``, no
``unsafe-eval``, no inline ``<script>`` or ``style=""`` in any template (a unit test checks the
rendered pages). A ``<script type="application/ld+json">`` data block is not executed, so the
policy does not need to allow it. :class:`web.edge.EdgeMiddleware` keeps the CSP a
page sets and adds the other headers (nosniff, frame denial, referrer policy, HSTS).
"""

from __future__ import annotations

from typing import Final

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'; manifest-src 'self'"
)

#: Pages that show a key or personal data (admin, update, the one-time key page).
NO_STORE: Final = "no-store"

#: Public pages: shared caches may keep them a minute; the ETag makes revalidation cheap.
PUBLIC: Final = "public, max-age=60"


def csp(https: bool) -> str:
    """The policy, upgrading insecure requests when the site is served over https."""
    return f"{CSP}; upgrade-insecure-requests" if https else CSP


def page_headers(*, https: bool, private: bool) -> dict[str, str]:
    """CSP and Cache-Control of one page (``private``: a key or personal data is shown)."""
    return {
        "Content-Security-Policy": csp(https),
        "Cache-Control": NO_STORE if private else PUBLIC,
    }
