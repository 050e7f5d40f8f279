"""The per-process cache of key lookups: a key used again is not looked up again until the
`api_keys` projection advances, and a revoked key is refused as soon as the revoke answered."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.web.conftest import Live


def _count_lookups(live: Live, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the key's lookups in the database (each one, alone or pipelined with the detail,
    is remembered afterwards)."""
    looked_up: list[str] = []
    remember = live.read._remember_key

    def counting(stamp: Any, key_hash: str, record: Any) -> None:
        looked_up.append(key_hash)
        remember(stamp, key_hash, record)

    monkeypatch.setattr(live.read, "_remember_key", counting)
    return looked_up


def _settled(live: Live) -> None:
    head = live.app.recorder.max_notification_id() or 0
    assert live.listener.wait_for("api_keys", head, timeout=10)


def test_a_key_used_again_is_not_looked_up_again_while_api_keys_stands_still(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    _settled(live)
    looked_up = _count_lookups(live, monkeypatch)
    for _ in range(3):
        assert live.client.get(url, headers=live.owner(created)).status_code == 200
    assert len(looked_up) == 1


def test_a_cached_key_is_looked_up_again_once_api_keys_advances(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    assert live.client.get(url, headers=live.owner(created)).status_code == 200
    _settled(live)
    looked_up = _count_lookups(live, monkeypatch)
    live.create(service_name="Another")  # moves every projection, api_keys included
    _settled(live)
    assert live.client.get(url, headers=live.owner(created)).status_code == 200
    assert len(looked_up) == 1


def test_a_cached_key_is_refused_as_soon_as_its_revoke_answered(live: Live) -> None:
    created = live.create()
    url = f"/api/v1/submissions/{created['id']}/"
    for _ in range(2):  # the second use is served from the cache
        assert live.client.get(url, headers=live.owner(created)).status_code == 200
    keys = live.client.get(f"{url}keys/", headers=live.admin())
    key_id = keys.json()[0]["id"]
    revoked = live.client.post(f"{url}keys/{key_id}/revoke/", headers=live.admin())
    assert revoked.status_code == 200
    again = live.client.get(url, headers=live.owner(created))
    assert again.status_code == 401
    assert again.json()["detail"] == "Invalid or revoked API key."
