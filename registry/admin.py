"""``registry admin-keys create|list|revoke``: admin API keys from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from uuid import UUID

from projections.progress import ProgressListener
from projections.queries import ReadModel
from registry.runtime import Services, opened
from schema.settings import Settings

#: How long `create` waits for the key to become usable (the api_keys projection).
USABLE_WITHIN = 10.0


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch one admin-keys action; the plaintext of a new key is the last line printed."""
    with opened(settings) as (_, services):
        if args.action == "create":
            return _create(services, args.label, args.scope)
        if args.action == "list":
            return _list(services, as_json=bool(getattr(args, "json", False)))
        return _revoke(services, args.key_id)


def _create(services: Services, label: str, scope: str) -> int:
    issued = services.registry.create_admin_key(label, scope, created_by="cli")
    listener = ProgressListener(services.database_url, poll_interval=0.2)
    try:
        usable = issued.position is None or listener.wait_for(
            "api_keys", issued.position, USABLE_WITHIN
        )
    finally:
        listener.close()
    if not usable:
        print(
            "registry: the key works once a projection runner has caught up "
            "(is `registry up` or `registry project` running?)",
            file=sys.stderr,
        )
    print(f"admin key {issued.key_id} '{issued.label}' scope={issued.scope} (shown once):")
    print(issued.api_key)
    return 0


def _list(services: Services, *, as_json: bool = False) -> int:
    keys = ReadModel(services.pool).admin_keys()
    if as_json:
        print(json.dumps(keys, default=str, indent=2))
        return 0
    for key in keys:
        state = "active" if key.get("is_active") else "revoked"
        print(f"{key['id']}  {key['label']!r}  {key['scope']}  {state}  {key.get('created_at')}")
    return 0


def _revoke(services: Services, key_id: str) -> int:
    try:
        ident = UUID(key_id)
    except ValueError:
        print(
            f"registry: not a key id: {key_id!r} (ids are UUIDs: see `registry admin-keys list`)",
            file=sys.stderr,
        )
        return 2
    services.registry.revoke_admin_key(ident, actor="admin:cli")
    print(f"revoked {ident}")
    return 0
