"""The per-process caches stay correct across hosts: two ``registry serve`` processes (two
"hosts", each with its own caches) and one ``registry project`` on one database. A key revoked
through one host is refused by the other, and a category deactivated through one is refused
(and no longer offered) by the other, within the stated bound of the first acknowledgement
(`BOUND`: the caches are invalidated by NOTIFYs, so the figure is the notification latency; a
timer-only cache of 1 s would fail it about half the time, one of 60 s always)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import create_database
from tests.e2e.conftest import (
    admin_setup,
)
from tests.hosts.hosts import Host, hosts_env, migrate_and_admin_key, until, visible

pytestmark = pytest.mark.e2e

#: Seconds after the writer's acknowledgement within which every host honours the change: the
#: listener's poll interval (the NOTIFY itself arrives before the answer in practice).
BOUND = 1.0


@dataclass
class TwoHosts:
    a: Host
    b: Host
    admin_key: str
    payload: dict[str, Any]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"AdminKey {self.admin_key}"}


@pytest.fixture(scope="module")
def hosts(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoHosts]:
    url, drop = create_database()
    logs = tmp_path_factory.mktemp("hosts-caches")
    # Reference records are cached for a minute, so only a notification can end a reuse.
    env = hosts_env(url, REGISTRY_REFERENCE_CACHE_MAX_AGE="60")
    a, b = Host("a", env, Path(logs)), Host("b", env, Path(logs))
    try:
        admin_key = migrate_and_admin_key(env)
        a.start("project", ["project"])
        a.serve()
        b.serve()
        for host in (a, b):
            until(lambda h=host: visible(h.base, admin_key), 60, f"the admin key on {host.name}")
        yield TwoHosts(a, b, admin_key, admin_setup(a.base, admin_key))
    finally:
        try:
            b.stop()
            a.stop()
        finally:
            drop()


def _create(base: str, payload: dict[str, Any], name: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/submissions/", json={**payload, "service_name": name})


def test_a_key_revoked_through_one_host_is_refused_by_the_other_within_the_bound(
    hosts: TwoHosts,
) -> None:
    created = _create(hosts.a.base, hosts.payload, "Revoked Mapper")
    assert created.status_code == 201, created.text
    sid, key = created.json()["id"], created.json()["api_key"]
    owner = {"Authorization": f"ApiKey {key}"}
    detail = f"/api/v1/submissions/{sid}/"
    for _ in range(3):  # host b has looked the key up and cached it
        assert httpx.get(hosts.b.base + detail, headers=owner).status_code == 200
    [listed] = httpx.get(f"{hosts.a.base}{detail}keys/", headers=hosts.admin).json()

    revoked = httpx.post(f"{hosts.a.base}{detail}keys/{listed['id']}/revoke/", headers=hosts.admin)
    assert revoked.status_code == 200, revoked.text
    took = until(
        lambda: httpx.get(hosts.b.base + detail, headers=owner).status_code == 401,
        BOUND,
        "the revoked key refused by the other host",
    )
    print(f"\nrevoked key refused by the other host {took * 1000:.1f} ms after the revoke's answer")
    assert httpx.get(hosts.a.base + detail, headers=owner).status_code == 401


def test_a_category_deactivated_through_one_host_is_refused_by_the_other_within_the_bound(
    hosts: TwoHosts,
) -> None:
    made = httpx.post(
        f"{hosts.a.base}/api/v1/categories/", json={"name": "Short-lived"}, headers=hosts.admin
    )
    assert made.status_code == 201, made.text
    category = made.json()["id"]
    payload = {**hosts.payload, "service_category_ids": [category]}
    # Host b validates a create with it: the category record is now in b's cache.
    assert _create(hosts.b.base, payload, "Before Deactivation").status_code == 201

    gone = httpx.delete(f"{hosts.a.base}/api/v1/categories/{category}/", headers=hosts.admin)
    assert gone.status_code == 204, gone.text
    names = iter(range(1000))

    took = until(
        lambda: _create(hosts.b.base, payload, f"After {next(names)}").status_code == 400,
        BOUND,
        "the deactivated category refused by the other host",
    )
    options = httpx.get(f"{hosts.b.base}/api/v1/registration/options/").json()
    offered = [c["id"] for c in options["service_categories"]["choices"]]
    print(
        f"\ndeactivated category refused by the other host {took * 1000:.1f} ms after the"
        f" answer ({next(names) - 1} creates accepted after the answer)"
    )
    assert category not in offered
