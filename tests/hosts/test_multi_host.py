"""Two hosts on one PostgreSQL and one Redis, one of them killed mid-load (issue 18).

Each host is a process group of its own (``tests.hosts.hosts``) running ``registry serve``,
``project``, ``worker`` and ``schedule`` on its own port; host a starts first, so it holds every
advisory lock (the projection runners, the side-effect follower, the scheduler). Writer threads
create submissions (each linked to a bio.tools entry of the fake server, so each create asks for
one sync and two mails) and PATCH their own through one host and read every acknowledged write
back through the other. Before the kill, a key revoked through host a is refused by host b at the
first request after the revoke's answer, and refused registrations from one address are limited
once across both hosts (the shared Redis store). Host a's whole process group is SIGKILLed
mid-load; host b takes every lock over and serves alone. The figures are printed; the
assertions: no acknowledged write lost, every acknowledged write read back through either host,
reads through the survivor never fail, each sync recorded once and each mail delivered once (one
Message-ID, one delivery), and the takeover within `TAKEOVER_BOUND`.

The database is a private cluster (as the fault tests' is): two hosts' processes hold more
connections than the suite's shared server allows a test (30); the test prints the peak.
"""

from __future__ import annotations

import email
import email.policy
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import redis

from bench.fake_biotools import FIXTURES_DIR
from domain.biotools import BioToolsRecord
from domain.ids import biotools_record_id
from tests.e2e.conftest import (
    FakeServer,
    admin_setup,
    fake_biotools,
    processes,
    redis_broker_url,
    wait_until,
)
from tests.e2e.test_up_workers import _Inbox, smtp_server
from tests.faults.processes import PrivateCluster, Writers, cluster, lost_writes
from tests.hosts.hosts import Host, hosts_env, migrate_and_admin_key, until, visible
from workers.follower import FOLLOWER_LOCK_KEY
from workers.scheduler import SCHEDULER_LOCK_KEY

pytestmark = pytest.mark.e2e
#: Mail senders of host a's worker (dramatiq threads, `worker_threads`' default).
A_SENDERS = 4

__all__ = ["cluster", "fake_biotools", "processes", "redis_broker_url", "smtp_server"]

#: Seconds within which the survivor holds every lock the dead host held.
TAKEOVER_BOUND = 15.0
#: Seconds of load before and after the kill.
LOAD_BEFORE, LOAD_AFTER = 15.0, 20.0
WRITERS = 4
#: Refused registrations one client address may send per hour, across all hosts.
INVALID_LIMIT = 4


@dataclass
class Tally:
    """What the load saw."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    created: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (key, name)
    patched: list[tuple[str, str]] = field(default_factory=list)  # (id, comments)
    writes: Counter[str] = field(default_factory=Counter)  # "<host> <status>"
    reads: Counter[str] = field(default_factory=Counter)  # "<host> ok|stale|failed|<status>"
    failed_reads: list[tuple[str, float]] = field(default_factory=list)  # (host, when)
    stale: list[str] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)  # submissions whose key was revoked

    def count(self, counter: Counter[str], what: str) -> None:
        with self.lock:
            counter[what] += 1


class Load(Writers):
    """Writer threads: each writes through one host and reads back through the other (the
    survivor only, once the test has taken the dead host out of `alive`)."""

    def __init__(self, hosts: list[Host], payload: dict[str, Any], biotools_ids: list[str]):
        self.hosts = hosts
        self.alive = list(hosts)
        self.payload = payload
        self.biotools_ids = biotools_ids
        self.tally = Tally()
        super().__init__(WRITERS)

    def _pick(self, number: int, offset: int) -> Host:
        alive = self.alive
        return alive[(number + offset) % len(alive)]

    def _run(self, number: int) -> None:
        rnd = random.Random(number)
        own: list[tuple[str, str]] = []
        sent = 0
        while not self._stop.is_set():
            sent += 1
            writer, reader = self._pick(number, 0), self._pick(number, 1)
            if not own or rnd.random() < 0.4:
                name = f"Host Load {number}-{sent}"
                link = f"https://bio.tools/{rnd.choice(self.biotools_ids)}"
                body = {**self.payload, "service_name": name, "biotools_url": link}
                response = self._send(writer, "POST", "/api/v1/submissions/", json=body)
                if response is None or response.status_code != 201:
                    continue
                sid, key = response.json()["id"], response.json()["api_key"]
                own.append((sid, key))
                with self.tally.lock:
                    self.tally.created[sid] = (key, name)
                self._read_back(reader, sid, key, "service_name", name)
            else:
                sid, key = rnd.choice(own)
                value = f"w{number}-{sent}"
                response = self._send(
                    writer,
                    "PATCH",
                    f"/api/v1/submissions/{sid}/",
                    json={"comments": value},
                    headers={"Authorization": f"ApiKey {key}"},
                )
                if response is None or response.status_code != 200:
                    continue
                with self.tally.lock:
                    self.tally.patched.append((sid, value))
                self._read_back(reader, sid, key, "comments", value)

    def _send(self, host: Host, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        try:
            response = httpx.request(method, host.base + path, timeout=30, **kwargs)
        except httpx.TransportError:
            self.tally.count(self.tally.writes, f"{host.name} no answer")
            return None
        self.tally.count(self.tally.writes, f"{host.name} {response.status_code}")
        return response

    def _read_back(self, host: Host, sid: str, key: str, name: str, value: str) -> None:
        """Read-your-writes through the other host: the acknowledged value, at once."""
        try:
            got = httpx.get(
                f"{host.base}/api/v1/submissions/{sid}/",
                headers={"Authorization": f"ApiKey {key}"},
                timeout=30,
            )
        except httpx.TransportError:
            with self.tally.lock:
                self.tally.reads[f"{host.name} failed"] += 1
                self.tally.failed_reads.append((host.name, time.monotonic()))
            return
        if got.status_code != 200:
            self.tally.count(self.tally.reads, f"{host.name} {got.status_code}")
            return
        if got.json().get(name) != value:
            with self.tally.lock:
                self.tally.reads[f"{host.name} stale"] += 1
                self.tally.stale.append(f"{sid} {name}={got.json().get(name)!r}, wrote {value!r}")
            return
        self.tally.count(self.tally.reads, f"{host.name} ok")


def _advisory_locks(url: str) -> list[tuple[str, str]]:
    """``(lock, application_name)`` of every granted session-level advisory lock."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT l.classid::text || ':' || l.objid::text, a.application_name"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
        ).fetchall()
    return [(str(lock), str(app or "")) for lock, app in rows]


def _host_of(application_name: str, hosts: list[Host]) -> str:
    """The host a backend serves: its application name (PGAPPNAME), or the OS pid a runner
    puts in it (``… pid=N``), mapped through that process's group."""
    found = re.search(r"pid=(\d+)", application_name)
    if found:
        try:
            group = os.getpgid(int(found.group(1)))
        except ProcessLookupError:
            return "dead"
        return next((h.name for h in hosts if h.group == group), "other")
    return next((h.name for h in hosts if application_name == f"host-{h.name}"), "other")


def _holders(url: str, hosts: list[Host]) -> dict[str, str]:
    """Lock -> the host holding it."""
    return {lock: _host_of(app, hosts) for lock, app in _advisory_locks(url)}


def _split(key: int) -> str:
    """How pg_locks shows a 64-bit advisory key: ``classid:objid`` (high and low 32 bits)."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    return f"{unsigned >> 32}:{unsigned & 0xFFFFFFFF}"


def _role(lock: str) -> str:
    """Which leader a lock elects: the follower, the scheduler, or a projection runner."""
    return {_split(FOLLOWER_LOCK_KEY): "follower", _split(SCHEDULER_LOCK_KEY): "scheduler"}.get(
        lock, "runners"
    )


def _connections(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) - 1 if row else 0


class Peak:
    """The most connections to the database seen, sampled every half second."""

    def __init__(self, url: str) -> None:
        self.url, self.value = url, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.value = max(self.value, _connections(self.url))
            except psycopg.Error:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _sync_events(url: str, ids: list[str]) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT originator_id::text, count(*) FROM registry_events"
            " WHERE topic = %s AND originator_id = ANY(%s) GROUP BY originator_id",
            (BioToolsRecord.BioToolsSynced.TOPIC, [biotools_record_id(i) for i in ids]),
        ).fetchall()
    by_record = {str(r): int(n) for r, n in rows}
    return {i: by_record.get(str(biotools_record_id(i)), 0) for i in ids}


_REGISTRATION = re.compile(r"New service submitted: |registration has been received: ")


def _mails(inbox: _Inbox) -> list[tuple[str, str]]:
    """``(Message-ID, subject)`` of every delivery the SMTP sink received."""
    with inbox.lock:
        envelopes = list(inbox.envelopes)
    parsed = [
        email.message_from_bytes(bytes(e.original_content or b""), policy=email.policy.default)
        for e in envelopes
    ]
    return [(str(m["Message-ID"]), " ".join(str(m["Subject"]).split())) for m in parsed]


def _missing_mails(inbox: _Inbox, names: list[str]) -> list[str]:
    """The registrations whose two mails have not both arrived yet."""
    got = Counter(
        subject.rsplit(": ", 1)[-1] for _, subject in _mails(inbox) if _REGISTRATION.search(subject)
    )
    return [name for name in names if got[name] < 2]


@pytest.fixture
def two_hosts(
    cluster: PrivateCluster,
    redis_broker_url: str,
    fake_biotools: FakeServer,
    smtp_server: tuple[_Inbox, int],
    tmp_path: Path,
) -> Iterator[tuple[Host, Host]]:
    _, smtp_port = smtp_server
    env = hosts_env(
        cluster.url,
        REGISTRY_BROKER_URL=redis_broker_url,
        REGISTRY_BIOTOOLS_URL=fake_biotools.base_url,
        REGISTRY_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        # A dead host's unacknowledged jobs go back to the queue 3 s after its last heartbeat.
        REGISTRY_BROKER_HEARTBEAT_TIMEOUT="3",
        REGISTRY_BROKER_MAINTENANCE_CHANCE="1000000",
        # A claim on a mail its (killed) worker never sent is taken over after 5 s.
        REGISTRY_MAIL_CLAIM_SECONDS="5",
        # Rate limits in the shared store (the Redis broker's database, the default with a
        # Redis broker): refused registrations per client address. The load sends none; the
        # probe sends its own from an address of its own (X-Forwarded-For from a trusted peer).
        REGISTRY_RATE_LIMITS=f"invalid={INVALID_LIMIT}/hour",
        REGISTRY_TRUSTED_PROXIES="127.0.0.1",
    )
    a, b = (
        Host(name, {**env, "PGAPPNAME": f"host-{name}", "REGISTRY_DATA_DIR": str(tmp_path / name)},
             tmp_path / "logs")
        for name in ("a", "b")
    )  # fmt: skip
    try:
        yield a, b
    finally:
        b.stop()
        a.stop()
        client = redis.Redis.from_url(redis_broker_url)
        for key in client.scan_iter("LIMITS*"):  # the counts of this test's limits
            client.delete(key)
        client.close()


def _revoked_key_refused_by(
    writer: Host, reader: Host, admin: dict[str, str], tally: Tally
) -> bool:
    """Revoke the key of one submission of the load through `writer`; whether `reader` refuses
    it at the first request after the revoke's answer (its key cache holds no stale key)."""
    with tally.lock:
        sid, (key, _) = next(iter(tally.created.items()))
        tally.revoked.add(sid)
    detail = f"/api/v1/submissions/{sid}/"
    owner = {"Authorization": f"ApiKey {key}"}
    httpx.get(reader.base + detail, headers=owner, timeout=30)  # cached on the reader now
    [listed] = httpx.get(f"{writer.base}{detail}keys/", headers=admin, timeout=30).json()
    revoked = httpx.post(
        f"{writer.base}{detail}keys/{listed['id']}/revoke/", headers=admin, timeout=30
    )
    assert revoked.status_code == 200, revoked.text
    return httpx.get(reader.base + detail, headers=owner, timeout=30).status_code == 401


def _global_limit(hosts: list[Host]) -> list[int]:
    """The statuses of refused registrations from one address, alternating between the hosts:
    the limit is global when the first `INVALID_LIMIT` are 400 and the rest 429 on every host
    (per-process counts would allow `INVALID_LIMIT` on each)."""
    statuses = []
    for n in range(INVALID_LIMIT + 2):
        host = hosts[n % len(hosts)]
        response = httpx.post(
            f"{host.base}/api/v1/submissions/",
            json={"service_name": ""},
            headers={"X-Forwarded-For": "203.0.113.7"},
            timeout=30,
        )
        statuses.append(response.status_code)
    return statuses


def test_a_host_killed_mid_load_loses_nothing_and_the_other_takes_over_and_serves_alone(
    cluster: PrivateCluster,
    two_hosts: tuple[Host, Host],
    fake_biotools: FakeServer,
    smtp_server: tuple[_Inbox, int],
) -> None:
    a, b = two_hosts
    inbox, _ = smtp_server
    started = time.monotonic()
    peak = Peak(cluster.url)
    admin_key = migrate_and_admin_key(a.env)
    admin = {"Authorization": f"AdminKey {admin_key}"}
    for role in ("project", "worker", "schedule"):
        a.start(role, [role])
    a.serve()
    until(lambda: visible(a.base, admin_key), 60, "the admin key on host a")
    # Host a holds every lock before host b starts: the follower's, the scheduler's, a runner's.
    held_by_a = wait_until(
        lambda: (h := _holders(cluster.url, [a, b])) and len(h) >= 3 and set(h.values()) == {"a"}
        and h,
        60,
        "host a holding the locks",
    )  # fmt: skip
    for role in ("project", "worker", "schedule"):
        b.start(role, [role])
    b.serve()
    until(lambda: visible(b.base, admin_key), 60, "the admin key on host b")
    wait_until(lambda: len(_holders(cluster.url, [a, b])) >= len(held_by_a), 30, "locks settled")
    locks = set(_holders(cluster.url, [a, b]))
    payload = admin_setup(a.base, admin_key)
    limited = _global_limit([a, b])
    biotools_ids = sorted(p.stem for p in FIXTURES_DIR.glob("*.json"))[:20]
    ready = time.monotonic() - started

    with Load([a, b], payload, biotools_ids) as load:
        tally = load.tally
        wait_until(lambda: len(tally.created) >= 10, 60, "writes before the kill")
        deadline = time.monotonic() + LOAD_BEFORE
        wait_until(lambda: time.monotonic() > deadline, LOAD_BEFORE + 5, "load before")
        stale_key_refused = _revoked_key_refused_by(a, b, admin, tally)
        before = dict(tally.writes)
        assert all(h == "a" for h in _holders(cluster.url, [a, b]).values())
        killed = time.monotonic()
        a.kill()  # SIGKILL of host a's whole process group (and its processes reaped)
        load.alive = [b]  # the proxy stops sending to the dead host
        taken: dict[str, float] = {}  # lock -> seconds after the kill host b held it

        def all_taken() -> bool:
            now = time.monotonic() - killed
            for lock, host in _holders(cluster.url, [a, b]).items():
                if host == "b":
                    taken.setdefault(lock, now)
            return set(taken) >= locks

        takeover = until(all_taken, TAKEOVER_BOUND, "host b holding every lock")
        by_role: dict[str, float] = {}
        for lock, seconds in taken.items():
            by_role[_role(lock)] = max(by_role.get(_role(lock), 0.0), seconds)
        deadline = time.monotonic() + LOAD_AFTER
        wait_until(lambda: time.monotonic() > deadline, LOAD_AFTER + 5, "load after")
        after_kill = {k: v - before.get(k, 0) for k, v in tally.writes.items()}

    wait_until(
        lambda: all(n >= 1 for n in _sync_events(cluster.url, list(tally.created)).values()),
        60,
        "every linked submission synced",
    )
    names = [name for _, name in tally.created.values()]
    wait_until(lambda: not _missing_mails(inbox, names), 60, "the registration mails")
    created = {sid: key for sid, (key, _) in tally.created.items()}
    lost = lost_writes(b.base, admin, created, tally.patched, tally.revoked)
    syncs = Counter(_sync_events(cluster.url, list(tally.created)).values())
    mails = _mails(inbox)
    message_ids = Counter(message_id for message_id, _ in mails)
    per_registration = Counter(
        subject.rsplit(": ", 1)[-1]
        for _, subject in dict(mails).items()  # each Message-ID once
        if _REGISTRATION.search(subject)
    )
    duplicates = {m: n for m, n in message_ids.items() if n > 1}
    failed_b = [h for h, _ in tally.failed_reads if h == "b"]
    failed_a_after = [t - killed for h, t in tally.failed_reads if h == "a"]
    acknowledged = len(tally.created) + len(tally.patched)
    read_ok = sum(n for what, n in tally.reads.items() if what.endswith(" ok"))
    print(
        f"\ntwo hosts, host a SIGKILLed mid-load: acknowledged {acknowledged}"
        f" ({len(tally.created)} creates, {len(tally.patched)} PATCHes);"
        f" lost {len(lost)} {lost[:3]};"
        f" read back through the other host {read_ok} ok, {len(tally.stale)} stale;"
        f" failed reads during the kill {len(tally.failed_reads)} (through the survivor:"
        f" {len(failed_b)}); takeover of {len(locks)} locks {takeover:.2f} s"
        f" ({', '.join(f'{r} {t:.2f} s' for r, t in sorted(by_role.items()))});"
        f" writes after the kill {dict(after_kill)}; syncs recorded per submission"
        f" {dict(syncs)}; mails {len(mails)} ({len(duplicates)} delivered twice);"
        f" revoked key refused by the other host at once {stale_key_refused};"
        f" rate limit through both hosts {limited}; peak connections {peak.value};"
        f" ready in {ready:.1f} s;"
        f" run {time.monotonic() - started:.1f} s; reads {dict(tally.reads)}"
    )
    peak.close()
    assert limited == [400] * INVALID_LIMIT + [429, 429]
    assert stale_key_refused
    assert lost == []
    assert tally.stale == []
    assert failed_b == []
    assert all(t < 5 for t in failed_a_after)
    assert takeover < TAKEOVER_BOUND
    assert set(by_role) == {"follower", "scheduler", "runners"}
    assert after_kill.get("b 201", 0) > 0
    assert not any(k.startswith("b 5") for k in after_kill)
    assert set(syncs) == {1}
    # The ledger's one window (workers/delivery.py): a sender SIGKILLed between the mail
    # server's acceptance and the commit of "sent" (one round trip). Only host a's senders can
    # have been in it, one message each, and such a message is sent once more, never again.
    assert len(duplicates) <= A_SENDERS
    assert set(duplicates.values()) <= {2}
    assert set(per_registration.values()) == {2}  # the admin's and the submitter's, once
    assert sorted(per_registration) == sorted(names)
