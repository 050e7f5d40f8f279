"""Helpers of the admin console's tests: signing in through the real form (CSRF and all) and
reading the CSRF token an admin page carries."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from httpx import Response
from starlette.testclient import TestClient

from projections.admin_accounts import PostgresAdminCredentials
from web.ui.admin.accounts import AdminAccounts

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The first CSRF token in a page's forms."""
    match = _TOKEN.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def post_sign_in(client: TestClient, **fields: str) -> Response:
    """Post the sign-in form with ``fields`` and the CSRF token of a freshly loaded form
    (redirects not followed)."""
    form = client.get("/admin/sign-in/")
    assert form.status_code == 200, form.text
    data = {**fields, "csrf_token": csrf_of(form.text)}
    return client.post("/admin/sign-in/", data=data, follow_redirects=False)


def sign_in_with_key(client: TestClient, key: str, next_path: str = "/admin/") -> str:
    """Sign ``client`` in with an admin key; return the token of the admin pages' forms."""
    response = post_sign_in(client, admin_key=key, next=next_path)
    assert response.status_code == 303, response.text
    page = client.get("/admin/")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def sign_in_with_account(
    client: TestClient, username: str, password: str, totp: str | None = None
) -> str:
    """Sign ``client`` in with a named account; return the admin pages' CSRF token."""
    response = post_sign_in(client, username=username, password=password)
    if totp is not None:
        assert response.status_code == 200, response.text
        ticket = re.search(r'name="totp_ticket" value="([^"]+)"', response.text)
        assert ticket
        response = post_sign_in(client, username=username, totp=totp, totp_ticket=ticket[1])
    assert response.status_code == 303, response.text
    page = client.get("/admin/")
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


PASSWORD = "purple-harbour-lantern-42"


def accounts_of(site: Any) -> AdminAccounts:
    """The named accounts' service over the test site's database (as the CLI makes it)."""
    return AdminAccounts(
        site.live.app,
        PostgresAdminCredentials(site.live.read._pool),
        server_key=site.sessions.server_key,
    )


def make_account(site: Any, username: str, role: str, password: str = PASSWORD) -> UUID:
    """An account made as the CLI makes it, its password set through its setup link."""
    ident, token = accounts_of(site).create(username, role, actor="admin:test")
    form = site.client.get(f"/admin/setup/{token}")
    done = site.client.post(
        f"/admin/setup/{token}",
        data={"password": password, "confirm": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return ident
