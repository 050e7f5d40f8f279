"""Named admin accounts (spec/ui.md §3.4, §5.7.8) over the real stack: the CLI's setup link,
argon2id passwords, roles applied at once, disabling and resets ending sessions, throttled
failures, TOTP, and a lifecycle recorded as events naming the acting admin without secrets."""

from __future__ import annotations

import os
import re

import pytest

from domain.admin_account import account_id
from projections.admin_accounts import PostgresAdminCredentials
from registry.cli import main
from schema.settings import Settings
from tests.ui.admin_helpers import (
    PASSWORD,
    accounts_of,
    csrf_of,
    make_account,
    post_sign_in,
    sign_in_with_account,
    sign_in_with_key,
)
from tests.ui.conftest import Site, app_client
from web.ui.admin import totp

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    # The command configures logging for a process; here it would point the root logger at
    # this test's captured stdout, closed after it.
    monkeypatch.setattr("registry.logs.configure_logging", lambda *args: None)
    monkeypatch.setenv("REGISTRY_DATABASE_URL", site.url)
    monkeypatch.setenv("REGISTRY_PUBLIC_BASE_URL", "https://registry.example.org/")
    for name in list(os.environ):
        if name.startswith("REGISTRY_") and name not in (
            "REGISTRY_DATABASE_URL",
            "REGISTRY_PUBLIC_BASE_URL",
        ):
            monkeypatch.delenv(name)


def test_an_account_from_the_cli_sets_its_password_by_the_setup_link_and_signs_in(
    site: Site, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admins", "create", "--username", "Alice", "--role", "editor"]) == 0
    out = capsys.readouterr().out
    link = re.search(r"https://registry\.example\.org(/admin/setup/\S+)", out)
    assert link, out
    path = link.group(1)
    form = site.client.get(path)
    assert form.status_code == 200
    assert "Choose a password for alice" in form.text
    short = site.client.post(
        path, data={"password": "short", "confirm": "short", "csrf_token": csrf_of(form.text)}
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    common = site.client.post(
        path,
        data={
            "password": "password1234",
            "confirm": "password1234",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert "too easy to guess" in common.text
    done = site.client.post(
        path,
        data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert site.client.get(path).status_code == 404  # used up

    sign_in_with_account(site.client, "alice", PASSWORD)
    assert "alice (Editor)" in site.client.get("/admin/").text

    events = site.live.app.admin_account_events(account_id("alice"))
    assert [(e["type"], e["actor"]) for e in events] == [
        ("Created", "admin:cli"),
        ("PasswordSet", "admin:alice"),
    ]
    assert main(["admins", "list"]) == 0
    listed = capsys.readouterr().out
    assert "alice  editor  active  password set  no totp  created by admin:cli" in listed


def test_the_cli_refuses_a_bad_or_taken_username_naming_the_field(
    site: Site, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admins", "create", "--username", "x y", "--role", "viewer"]) == 2
    assert "username:" in capsys.readouterr().err
    assert main(["admins", "create", "--username", "bob", "--role", "viewer"]) == 0
    assert main(["admins", "create", "--username", "bob", "--role", "manager"]) == 2
    assert 'An account named "bob" already exists.' in capsys.readouterr().err


def test_secrets_never_enter_the_events(site: Site) -> None:
    ident = make_account(site, "carol", "viewer")
    row = PostgresAdminCredentials(site.live.read._pool).by_id(ident)
    assert row is not None
    assert row.password_hash is not None
    assert row.password_hash.startswith("$argon2id$")
    with site.live.read._pool.connection() as conn:
        stored = conn.execute(
            "SELECT topic, state FROM registry_events WHERE originator_id = %s", (ident,)
        ).fetchall()
    assert len(stored) == 2
    for _, state in stored:
        text = bytes(state).decode(errors="replace")
        assert PASSWORD not in text
        assert "argon2" not in text


def test_a_role_change_and_a_disable_apply_at_once_and_name_the_acting_admin(
    site: Site,
) -> None:
    ident = make_account(site, "dave", "viewer")
    sign_in_with_account(site.client, "dave", PASSWORD)
    old_token = site.client.cookies["registry_admin"]
    accounts = accounts_of(site)
    assert accounts.set_role(ident, "manager", actor="admin:alice")
    # A change of privilege ends the session's token: the new role comes with a new one.
    assert site.client.get("/admin/", follow_redirects=False).status_code == 303
    sign_in_with_account(site.client, "dave", PASSWORD)
    assert site.client.cookies["registry_admin"] != old_token
    assert "dave (Manager)" in site.client.get("/admin/").text
    assert accounts.set_active(ident, False, actor="admin:alice")
    assert site.client.get("/admin/", follow_redirects=False).status_code == 303
    refused = post_sign_in(site.client, username="dave", password=PASSWORD)
    assert refused.status_code == 401
    events = site.live.app.admin_account_events(ident)
    assert [(e["type"], e["actor"]) for e in events][2:] == [
        ("RoleChanged", "admin:alice"),
        ("Disabled", "admin:alice"),
    ]


def test_a_password_reset_ends_the_session_and_the_old_password(site: Site) -> None:
    ident = make_account(site, "erin", "editor")
    sign_in_with_account(site.client, "erin", PASSWORD)
    accounts_of(site).reset_password(ident, actor="admin:cli")
    assert site.client.get("/admin/", follow_redirects=False).status_code == 303
    refused = post_sign_in(site.client, username="erin", password=PASSWORD)
    assert refused.status_code == 401
    assert "The username or password is not correct." in refused.text


def test_five_failed_sign_ins_are_throttled_with_retry_after(site: Site) -> None:
    make_account(site, "frank", "viewer")
    for attempt in range(6):
        response = post_sign_in(site.client, username="frank", password="wrong-password!")
        assert response.status_code == (401 if attempt < 5 else 429), attempt
    assert int(response.headers["retry-after"]) > 0
    assert "Too many failed sign-ins. Try again after" in response.text
    still = post_sign_in(site.client, username="frank", password=PASSWORD)
    assert still.status_code == 429  # even the right password waits


def test_admin_key_failures_are_throttled_by_key_prefix(site: Site) -> None:
    for attempt in range(6):
        response = post_sign_in(site.client, admin_key=f"badprefix{attempt}" + "x" * 30)
        assert response.status_code == (401 if attempt < 5 else 429), attempt


def _enrol(site: Site, token: str) -> str:
    started = site.client.post("/admin/account/totp", data={"action": "start", "csrf_token": token})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', started.text)
    assert secret, started.text
    code = totp.code(secret.group(1), totp.current_step())
    done = site.client.post(
        "/admin/account/totp",
        data={"action": "confirm", "secret": secret.group(1), "totp": code, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return secret.group(1)


def test_with_totp_enrolled_a_sign_in_needs_a_fresh_code(site: Site) -> None:
    ident = make_account(site, "gina", "viewer")
    token = sign_in_with_account(site.client, "gina", PASSWORD)
    secret = _enrol(site, token)
    site.client.cookies.clear()
    step_two = post_sign_in(site.client, username="gina", password=PASSWORD)
    assert step_two.status_code == 200
    assert 'name="totp"' in step_two.text
    ticket = re.search(r'name="totp_ticket" value="([^"]+)"', step_two.text)
    assert ticket
    replay = totp.code(secret, totp.current_step())  # the enrolment used this step already
    for code in ("000000", replay):
        refused = post_sign_in(site.client, username="gina", totp=code, totp_ticket=ticket[1])
        assert refused.status_code == 401, code
    row = PostgresAdminCredentials(site.live.read._pool).by_id(ident)
    assert row is not None
    assert row.totp_secret == secret
    events = site.live.app.admin_account_events(ident)
    assert events[-1]["type"] == "TotpEnrolled"
    with site.live.read._pool.connection() as conn:
        states = conn.execute(
            "SELECT state FROM registry_events WHERE originator_id = %s", (ident,)
        ).fetchall()
    assert all(secret not in bytes(s[0]).decode(errors="replace") for s in states)


def test_a_required_totp_sends_an_account_without_it_to_enrol_first(site: Site) -> None:
    make_account(site, "hugo", "manager")
    settings = Settings(rate_limits="off", database_url=site.url, admin_require_totp=True)
    credentials = PostgresAdminCredentials(site.live.read._pool)
    with app_client(site, settings=settings, admin_credentials=credentials) as client:
        signed = post_sign_in(client, username="hugo", password=PASSWORD)
        assert signed.status_code == 303
        away = client.get("/admin/", follow_redirects=False)
        assert away.status_code == 303
        assert away.headers["location"] == "/admin/account"
        page = client.get("/admin/account")
        assert "This registry requires two-step sign-in." in page.text
        token = csrf_of(page.text)
        started = client.post("/admin/account/totp", data={"action": "start", "csrf_token": token})
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', started.text)
        assert secret
        client.post(
            "/admin/account/totp",
            data={
                "action": "confirm",
                "secret": secret.group(1),
                "totp": totp.code(secret.group(1), totp.current_step()),
                "csrf_token": token,
            },
        )
        assert client.get("/admin/", follow_redirects=False).status_code == 200


def test_changing_the_password_needs_the_current_one(site: Site) -> None:
    make_account(site, "ines", "viewer")
    token = sign_in_with_account(site.client, "ines", PASSWORD)
    new = "another-long-passphrase-7"
    wrong = site.client.post(
        "/admin/account/password",
        data={"current_password": "nope", "password": new, "confirm": new, "csrf_token": token},
    )
    assert wrong.status_code == 422
    assert "The current password is not correct." in wrong.text
    done = site.client.post(
        "/admin/account/password",
        data={"current_password": PASSWORD, "password": new, "confirm": new, "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Your password was changed." in site.client.get("/admin/account").text
    site.client.cookies.clear()
    sign_in_with_account(site.client, "ines", new)


def test_a_manager_manages_accounts_in_the_browser_and_the_events_name_them(site: Site) -> None:
    token = sign_in_with_key(site.client, site.live.admin_full)
    created = site.client.post(
        "/admin/accounts/", data={"username": "Jo", "role": "viewer", "csrf_token": token}
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    link = re.search(r"http://testserver(/admin/setup/[^<\s]+)", created.text)
    assert link
    taken = site.client.post(
        "/admin/accounts/", data={"username": "jo", "role": "viewer", "csrf_token": token}
    )
    assert taken.status_code == 422
    assert "An account named &#34;jo&#34; already exists." in taken.text
    ident = account_id("jo")
    changed = site.client.post(
        f"/admin/accounts/{ident}",
        data={"action": "role", "role": "editor", "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    site.client.post(f"/admin/accounts/{ident}", data={"action": "disable", "csrf_token": token})
    events = site.live.app.admin_account_events(ident)
    assert [(e["type"], e["actor"]) for e in events] == [
        ("Created", "admin:ops"),
        ("RoleChanged", "admin:ops"),
        ("Disabled", "admin:ops"),
    ]
    assert events[1]["role"] == "editor"


def test_only_managers_reach_the_account_management_even_by_direct_post(site: Site) -> None:
    make_account(site, "kim", "editor")
    token = sign_in_with_account(site.client, "kim", PASSWORD)
    assert site.client.get("/admin/accounts/").status_code == 403
    refused = site.client.post(
        "/admin/accounts/", data={"username": "sneaky", "role": "manager", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert site.live.app.admin_account_state(account_id("sneaky")) is None
    promote = site.client.post(
        f"/admin/accounts/{account_id('kim')}",
        data={"action": "role", "role": "manager", "csrf_token": token},
    )
    assert promote.status_code == 403
    site.client.cookies.clear()
    viewer_token = sign_in_with_key(site.client, site.live.admin_read)
    assert (
        site.client.post(
            "/admin/accounts/",
            data={"username": "sneaky", "role": "viewer", "csrf_token": viewer_token},
        ).status_code
        == 403
    )


def test_an_account_without_its_credentials_row_is_mended_by_a_password_reset(
    site: Site,
) -> None:
    # As when `registry admins create` ran before `migrate` had made the support table.
    site.live.app.create_admin_account("zed", "viewer", actor="admin:cli")
    accounts = accounts_of(site)
    token = accounts.reset_password(accounts.find("zed"), actor="admin:cli")
    form = site.client.get(f"/admin/setup/{token}")
    assert form.status_code == 200
    assert "Choose a password for zed" in form.text
