"""The workers inside ``registry up`` (the embedded default: its own PostgreSQL, which is also the
Dramatiq broker): a linked submission is synced from the fake bio.tools server, and the
notification mails of a registration are written to the outbox or sent over SMTP."""

from __future__ import annotations

import email
import email.policy
import signal
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.e2e.conftest import (
    FakeServer,
    Processes,
    admin_setup,
    free_port,
    key_visible,
    new_admin_key,
    served_env,
    wait_ready,
    wait_until,
)
from tests.e2e.test_up import _leftovers

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "office@registry.example.org"
SUBMITTER_EMAIL = "ada@mapper.example.org"  # the payload's internal contact
CREATED_SUBJECT = "[de.NBI Service Registration Platform] New service submitted: Sequence Mapper"
RECEIVED_SUBJECT = "Your service registration has been received: Sequence Mapper"


def _up(processes: Processes, data_dir: Path, **settings: str) -> tuple[str, dict[str, str]]:
    """Start ``registry up`` on ``data_dir``; its base URL and the environment used."""
    base, env = served_env(
        REGISTRY_DATA_DIR=str(data_dir), REGISTRY_ADMIN_EMAIL=ADMIN_EMAIL, **settings
    )
    wait_ready(base, processes.start("up", ["registry", "up"], env))
    return base, env


def _register(base: str, env: dict[str, str], **overrides: Any) -> tuple[str, dict[str, str], str]:
    """Register a submission through the API; its id, an admin key's headers, its API key."""
    admin_key = new_admin_key(env, "e2e")
    key_visible(base, admin_key)
    admin = {"Authorization": f"AdminKey {admin_key}"}
    payload = {**admin_setup(base, admin_key), **overrides}
    created = httpx.post(f"{base}/api/v1/submissions/", json=payload, timeout=30)
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), admin, str(created.json()["api_key"])


def _stop(processes: Processes) -> None:
    assert processes.stop("up", timeout=60) == 0, processes.log("up")


def test_up_syncs_a_linked_submission_from_bio_tools(
    tmp_path: Path, processes: Processes, fake_biotools: FakeServer
) -> None:
    base, env = _up(processes, tmp_path / "var", REGISTRY_BIOTOOLS_URL=fake_biotools.base_url)
    submission_id, admin, _ = _register(base, env, biotools_url="https://bio.tools/samtools")

    def synced() -> dict[str, Any] | None:
        doc = httpx.get(f"{base}/api/v1/submissions/{submission_id}/", headers=admin).json()
        record: dict[str, Any] | None = doc.get("biotoolsrecord")
        return record if record and record.get("last_synced_at") else None

    record = wait_until(synced, 60, "the synced record")
    assert (record["biotools_id"], record["name"]) == ("samtools", "SAMtools")
    assert fake_biotools.requests("samtools") == 1
    listed = httpx.get(
        f"{base}/api/v1/biotools/", params={"submission": submission_id}, headers=admin
    ).json()
    assert [r["biotools_id"] for r in listed["results"]] == ["samtools"]
    _stop(processes)


def _parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _assert_registration_mails(
    messages: list[EmailMessage], submission_id: str, api_key: str
) -> None:
    by_recipient = {str(m["To"]): m for m in messages}
    assert sorted(by_recipient) == sorted([ADMIN_EMAIL, SUBMITTER_EMAIL])
    admin, submitter = by_recipient[ADMIN_EMAIL], by_recipient[SUBMITTER_EMAIL]
    # A long subject is folded right after "Subject:" (valid: unfolding gives the usual single
    # space), which Python's parser keeps as a leading space.
    assert str(admin["Subject"]).strip() == CREATED_SUBJECT
    assert str(submitter["Subject"]).strip() == RECEIVED_SUBJECT
    for message in (admin, submitter):
        assert {part.get_content_type() for part in message.iter_parts()} == {
            "text/plain",
            "text/html",
        }
        text = message.get_body(("plain",))
        assert text is not None
        assert "Sequence Mapper" in text.get_content()
        assert api_key not in message.as_string()
    admin_text = admin.get_body(("plain",))
    assert admin_text is not None
    assert submission_id in admin_text.get_content()


def test_up_without_smtp_writes_the_registration_mails_to_the_outbox(
    tmp_path: Path, processes: Processes
) -> None:
    data_dir = tmp_path / "var"
    base, env = _up(processes, data_dir)
    submission_id, _, api_key = _register(base, env)

    outbox = data_dir / "outbox"
    files = wait_until(
        lambda: (lambda found: found if len(found) >= 2 else None)(sorted(outbox.glob("*.eml"))),
        60,
        f"two mails in {outbox}",
    )
    _stop(processes)
    assert len(files) == 2
    _assert_registration_mails([_parsed(f.read_bytes()) for f in files], submission_id, api_key)


class _Inbox:
    """An aiosmtpd handler keeping every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_up_with_smtp_sends_the_registration_mails_over_smtp(
    tmp_path: Path, processes: Processes, smtp_server: tuple[_Inbox, int]
) -> None:
    inbox, port = smtp_server
    data_dir = tmp_path / "var"
    base, env = _up(processes, data_dir, REGISTRY_SMTP_URL=f"smtp://127.0.0.1:{port}")
    submission_id, _, api_key = _register(base, env)

    wait_until(lambda: len(inbox.envelopes) >= 2, 60, "two mails over SMTP")
    _stop(processes)
    assert len(inbox.envelopes) == 2
    assert sorted(r for e in inbox.envelopes for r in e.rcpt_tos) == sorted(
        [ADMIN_EMAIL, SUBMITTER_EMAIL]
    )
    messages = [_parsed(bytes(e.original_content or b"")) for e in inbox.envelopes]
    _assert_registration_mails(messages, submission_id, api_key)
    assert not (data_dir / "outbox").exists() or not list((data_dir / "outbox").glob("*.eml"))


def _synced_history(base: str, submission_id: str, admin: dict[str, str]) -> list[str]:
    """The ``synced …`` entries of the submission's history."""
    rows = httpx.get(f"{base}/api/v1/submissions/{submission_id}/history/", headers=admin).json()
    return [
        str(change["new"])
        for row in rows
        for change in row.get("changes", [])
        if change.get("field") == "biotoolsrecord" and str(change.get("new")).startswith("synced")
    ]


def test_up_killed_in_the_middle_of_a_sync_records_it_once_after_a_restart(
    tmp_path: Path, processes: Processes, fake_biotools: FakeServer
) -> None:
    data_dir = tmp_path / "var"
    settings = {
        "REGISTRY_BIOTOOLS_URL": fake_biotools.base_url,
        # The PostgreSQL broker requeues a dead worker's jobs after this many seconds.
        "REGISTRY_BROKER_HEARTBEAT_TIMEOUT": "3",
    }
    try:
        base, env = _up(processes, data_dir, **settings)
        fake_biotools.control(mode="stall", stall_seconds=10)
        submission_id, admin, _ = _register(base, env, biotools_url="https://bio.tools/bwa")
        wait_until(lambda: fake_biotools.requests("bwa") == 1, 60, "the sync job in flight")

        processes.kill("up")  # the embedded PostgreSQL server survives it and is found again
        base, env = _up(processes, data_dir, **settings)
        fake_biotools.control(mode="ok")

        def synced() -> list[str]:
            return _synced_history(base, submission_id, admin)

        assert wait_until(synced, 60, "the sync recorded after the restart") == ["synced bwa"]
        time.sleep(3)  # room for a duplicate delivery to show itself
        assert synced() == ["synced bwa"]
        assert fake_biotools.requests("bwa") >= 2
        _stop(processes)
        # The restarted process found the server the killed one started; Ctrl-C stops it too.
        assert wait_until(lambda: not _leftovers(tmp_path, []), 15, "no process left on the data")
    finally:
        processes.stop_all()
        _stop_servers_on(data_dir)


def _stop_servers_on(data_dir: Path) -> None:
    """Stop (fast shutdown) any PostgreSQL server this test left running on ``data_dir``."""
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir / "postgres") in cmdline:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=15)
