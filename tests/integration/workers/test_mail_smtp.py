"""Notification mails delivered to a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bench.fake_biotools import free_port
from workers.mail import MailSettings, compose, make_sender

pytestmark = pytest.mark.integration

SUBMISSION: dict[str, Any] = {
    "id": "6f1c2b9e-0000-4000-8000-000000000002",
    "service_name": "Kraken Registry Test",
    "status": "approved",
    "submitter_first_name": "Grace",
    "submitter_last_name": "Hopper",
    "internal_contact_email": "grace@example.org",
    "api_key": "sk_live_NEVER_IN_MAIL",
}
SETTINGS = MailSettings(
    from_address="registry@denbi.de", admin_address="office@denbi.de", cc=("board@denbi.de",)
)


class Collector:
    """Keeps every envelope the server accepts."""

    def __init__(self) -> None:
        self.envelopes: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.envelopes.append((list(envelope.rcpt_tos), msg))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Collector]]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", collector
    finally:
        controller.stop()


def _send_all(url: str, messages: list[EmailMessage]) -> None:
    sender = make_sender(url)
    for msg in messages:
        sender.send(msg)


def test_a_status_change_reaches_admins_cc_and_submitter(smtp: tuple[str, Collector]) -> None:
    url, collector = smtp
    _send_all(url, compose("status_changed", SUBMISSION, SETTINGS))
    assert [sorted(rcpts) for rcpts, _ in collector.envelopes] == [
        ["board@denbi.de", "office@denbi.de"],
        ["grace@example.org"],
    ]
    admin, submitter = (msg for _, msg in collector.envelopes)
    assert admin["Subject"].endswith("Status changed to 'Approved': Kraken Registry Test")
    assert (
        submitter["Subject"] == "Your service registration status: Approved — Kraken Registry Test"
    )
    body = submitter.get_body(("plain",))
    assert body is not None
    assert "New status: APPROVED" in body.get_content()
    for _, msg in collector.envelopes:
        assert "NEVER_IN_MAIL" not in msg.as_string()


def test_the_override_receives_the_only_mail(smtp: tuple[str, Collector]) -> None:
    url, collector = smtp
    settings = MailSettings(
        admin_address="office@denbi.de", cc=("board@denbi.de",), notify_override="qa@example.org"
    )
    _send_all(url, compose("created", SUBMISSION, settings))
    assert [rcpts for rcpts, _ in collector.envelopes] == [["qa@example.org"]]


def test_an_amendment_without_changes_delivers_nothing(smtp: tuple[str, Collector]) -> None:
    url, collector = smtp
    _send_all(url, compose("updated", SUBMISSION, SETTINGS, changes=[]))
    assert collector.envelopes == []


def test_an_amendment_delivers_the_diff(smtp: tuple[str, Collector]) -> None:
    url, collector = smtp
    changes = [{"field": "website_url", "label": "Website URL", "old": "", "new": "https://x.org"}]
    _send_all(url, compose("updated", SUBMISSION, SETTINGS, changes=changes, status_reset=True))
    assert len(collector.envelopes) == 2
    for _, msg in collector.envelopes:
        body = msg.get_body(("plain",))
        assert body is not None
        assert "Website URL: — → https://x.org" in body.get_content()
    submitter_body = collector.envelopes[1][1].get_body(("plain",))
    assert submitter_body is not None
    assert 'reset to "Submitted"' in submitter_body.get_content()
