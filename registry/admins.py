"""``registry admins create|list|disable|enable|reset-password|set-role``: named admin accounts
of the console (spec/ui.md §3.4). Each change is an event of the account naming the acting
admin (``--by USERNAME``, else ``admin:cli``); a setup link is printed once, never stored."""

from __future__ import annotations

import argparse
import json
import sys

from domain.errors import ValidationFailed
from projections.admin_accounts import PostgresAdminCredentials
from registry.runtime import opened
from schema.settings import Settings
from web.ui.admin.accounts import SETUP_VALID, AdminAccounts


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch one ``admins`` action (exit 2 with the field's message on bad input)."""
    with opened(settings) as (_, services):
        store = PostgresAdminCredentials(services.pool)
        accounts = AdminAccounts(
            services.registry,
            store,
            server_key=lambda: b"",
            require_totp=settings.admin_require_totp,
        )
        actor = f"admin:{args.by}" if getattr(args, "by", "") else "admin:cli"
        base = (settings.public_base_url or f"http://{settings.host}:{settings.port}/").rstrip("/")
        try:
            return _run(accounts, args, actor, base)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    print(f"registry: {field}: {message}", file=sys.stderr)
            return 2


def _run(accounts: AdminAccounts, args: argparse.Namespace, actor: str, base: str) -> int:
    hours = int(SETUP_VALID.total_seconds() // 3600)
    if args.action == "create":
        _, token = accounts.create(args.username, args.role, actor=actor)
        print(f"admin account '{args.username.strip().lower()}' ({args.role}) created.")
        print(f"Setup link (valid {hours} h, shown once):")
        print(f"{base}/admin/setup/{token}")
        return 0
    if args.action == "list":
        rows = accounts.listing()
        if args.json:
            print(json.dumps(rows, indent=2))
            return 0
        for row in rows:
            state = "active" if row["is_active"] else "disabled"
            ready = "password set" if row["has_password"] else "awaiting setup"
            second = "totp" if row["totp"] else "no totp"
            print(
                f"{row['username']}  {row['role']}  {state}  {ready}  {second}"
                f"  created by {row['created_by']}"
            )
        return 0
    ident = accounts.find(args.username)
    if args.action in ("disable", "enable"):
        changed = accounts.set_active(ident, args.action == "enable", actor=actor)
        print(f"{args.username}: {args.action}d" if changed else f"{args.username}: unchanged")
        return 0
    if args.action == "set-role":
        changed = accounts.set_role(ident, args.role, actor=actor)
        print(f"{args.username}: role {args.role}" if changed else f"{args.username}: unchanged")
        return 0
    token = accounts.reset_password(ident, actor=actor)
    print(f"{args.username}: password reset. New setup link (valid {hours} h, shown once):")
    print(f"{base}/admin/setup/{token}")
    return 0
