"""Which notification mails are composed, to whom, and what they say (spec §2.5, §4.9)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from workers.mail import MailSettings, OutboxSender, SmtpSender, compose, make_sender

SUBMISSION: dict[str, Any] = {
    "id": "6f1c2b9e-0000-4000-8000-000000000001",
    "service_name": "MetaProFi",
    "status": "submitted",
    "submitted_at": "2026-11-23T10:00:00Z",
    "updated_at": "2026-11-23T11:00:00Z",
    "submitter_first_name": "Ada",
    "submitter_last_name": "Lovelace",
    "submitter_affiliation": "Uni Bielefeld",
    "host_institute": "CeBiTec",
    "service_center": "BiGi",
    "register_as_elixir": True,
    "service_description": "A k-mer based tool for protein and nucleotide sequences.",
    "service_categories": ["Tool"],
    "licenses": ["MIT"],
    "responsible_pis": ["Grace Hopper"],
    "internal_contact_name": "Ada Lovelace",
    "internal_contact_email": "ada@example.org",
    "public_contact_email": "help@example.org",
    # Never to appear in a mail, whatever the caller passes in:
    "api_key": "sk_live_VERYSECRET",
    "key_hash": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
    "user_agent_hash": "0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100",
}
SETTINGS = MailSettings(
    from_address="registry@denbi.de",
    admin_address="office@denbi.de",
    cc=("cc@denbi.de",),
    site_url="https://registry.denbi.de",
)
CHANGES = [{"field": "service_name", "label": "Service Name", "old": "MetaPro", "new": "MetaProFi"}]


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _html(msg: EmailMessage) -> str:
    part = msg.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_a_creation_mails_the_admins_and_a_receipt_to_the_submitter() -> None:
    admin, submitter = compose("created", SUBMISSION, SETTINGS)
    assert admin["To"] == "office@denbi.de"
    assert admin["Cc"] == "cc@denbi.de"
    assert admin["Subject"] == (
        "[de.NBI Service Registration Platform] New service submitted: MetaProFi"
    )
    assert "Event: CREATED" in _text(admin)
    assert (
        "Admin Portal: https://registry.denbi.de/admin/submissions/servicesubmission/"
        f"{SUBMISSION['id']}/change/" in _text(admin)
    )
    assert "Submitter: Ada Lovelace, Uni Bielefeld" in _text(admin)
    assert submitter["To"] == "ada@example.org"
    assert submitter["Cc"] is None
    assert submitter["Subject"] == "Your service registration has been received: MetaProFi"
    assert "Dear Ada Lovelace," in _text(submitter)
    assert "please do not reply directly" in _text(submitter)
    assert "Admin Portal" not in _text(submitter)
    assert "registry.denbi.de/admin" not in _html(submitter)


def test_every_mail_is_multipart_text_and_html_from_the_platform() -> None:
    for msg in compose("created", SUBMISSION, SETTINGS):
        assert msg.get_content_type() == "multipart/alternative"
        assert msg["From"] == msg["Reply-To"] == "registry@denbi.de"
        assert "MetaProFi" in _html(msg)


def test_an_amendment_mails_the_diff_to_both() -> None:
    admin, submitter = compose("updated", SUBMISSION, SETTINGS, changes=CHANGES)
    assert admin["Subject"] == "[de.NBI Service Registration Platform] Update: MetaProFi"
    assert "WHAT CHANGED" in _text(admin)
    assert "Service Name: MetaPro → MetaProFi" in _text(admin)
    assert submitter["Subject"] == "Your service registration has been updated: MetaProFi"
    assert "Service Name: MetaPro → MetaProFi" in _text(submitter)
    assert "If you did not make this change" in _text(submitter)
    assert "NOTICE" not in _text(submitter)


def test_an_amendment_that_reset_the_status_carries_the_notice() -> None:
    _, submitter = compose("updated", SUBMISSION, SETTINGS, changes=CHANGES, status_reset=True)
    assert 'reset to "Submitted"' in _text(submitter)


def test_an_amendment_without_changes_sends_no_mail() -> None:
    assert compose("updated", SUBMISSION, SETTINGS, changes=[]) == []


def test_a_status_change_tells_the_submitter_the_new_status() -> None:
    approved = {**SUBMISSION, "status": "approved"}
    admin, submitter = compose("status_changed", approved, SETTINGS)
    assert admin["Subject"] == (
        "[de.NBI Service Registration Platform] Status changed to 'Approved': MetaProFi"
    )
    assert "Event: STATUS CHANGED" in _text(admin)
    assert submitter["Subject"] == "Your service registration status: Approved — MetaProFi"
    assert "New status: APPROVED" in _text(submitter)
    assert "approved" in _text(submitter).split("New status: APPROVED", 1)[1]


def test_the_admins_message_reaches_the_submitter_only() -> None:
    rejected = {**SUBMISSION, "status": "rejected"}
    admin, submitter = compose("status_changed", rejected, SETTINGS, comment="Add a <licence>.")
    assert "Message from the reviewer: Add a <licence>." in _text(submitter)
    assert "Add a &lt;licence&gt;." in _html(submitter)
    assert "licence" not in _text(admin)
    _, silent = compose("status_changed", rejected, SETTINGS)
    assert "Message from the reviewer" not in _text(silent)


def test_an_unlisted_status_gets_the_default_message() -> None:
    _, submitter = compose("status_changed", SUBMISSION, SETTINGS)
    assert "If you have questions about your submission, please contact us." in _text(submitter)


def test_the_override_takes_every_admin_mail_and_silences_the_submitter() -> None:
    settings = MailSettings(
        admin_address="office@denbi.de",
        cc=("cc@denbi.de",),
        site_url="https://registry.denbi.de",
        notify_override="tester@example.org",
    )
    (only,) = compose("created", SUBMISSION, settings)
    assert only["To"] == "tester@example.org"
    assert only["Cc"] is None
    assert "Admin Portal" not in _text(only)


def test_without_an_admin_address_the_admin_mail_goes_to_the_sender_address() -> None:
    (admin, _) = compose("created", SUBMISSION, MailSettings(from_address="from@denbi.de"))
    assert admin["To"] == "from@denbi.de"
    assert "Admin Portal" not in _text(admin)


def test_a_submission_without_internal_contact_mails_only_the_admins() -> None:
    messages = compose("created", {**SUBMISSION, "internal_contact_email": ""}, SETTINGS)
    assert [m["To"] for m in messages] == ["office@denbi.de"]


@pytest.mark.parametrize("kind", ["created", "updated", "status_changed"])
def test_no_mail_ever_contains_a_key_or_a_hash(kind: str) -> None:
    for msg in compose(kind, SUBMISSION, SETTINGS, changes=CHANGES):
        raw = msg.as_string()
        assert "VERYSECRET" not in raw
        assert str(SUBMISSION["key_hash"]) not in raw
        assert str(SUBMISSION["user_agent_hash"]) not in raw


def test_a_service_name_with_a_line_break_cannot_inject_headers() -> None:
    sneaky = {**SUBMISSION, "service_name": "Tool\r\nBcc: evil@example.org"}
    for msg in compose("created", sneaky, SETTINGS):
        assert msg["Bcc"] is None
        assert "\n" not in str(msg["Subject"])


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        compose("deleted", SUBMISSION, SETTINGS)


def test_the_same_idempotency_key_gives_the_same_message_ids() -> None:
    first = compose("created", SUBMISSION, SETTINGS, idempotency_key="s1:42")
    again = compose("created", SUBMISSION, SETTINGS, idempotency_key="s1:42")
    assert [m["Message-ID"] for m in first] == [m["Message-ID"] for m in again]
    assert first[0]["Message-ID"] != first[1]["Message-ID"]


def test_the_outbox_keeps_one_eml_file_per_message(tmp_path: Path) -> None:
    sender = make_sender(None, tmp_path / "outbox")
    assert isinstance(sender, OutboxSender)
    messages = compose("created", SUBMISSION, SETTINGS, idempotency_key="s1:42")
    for msg in messages + compose("created", SUBMISSION, SETTINGS, idempotency_key="s1:42"):
        sender.send(msg)
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] in {m["Subject"] for m in messages}
    assert not list((tmp_path / "outbox").glob("*.tmp"))


def test_smtp_urls_are_understood() -> None:
    sender = make_sender("smtps://user:p%40ss@mail.example.org?starttls=false")
    assert sender == SmtpSender(
        host="mail.example.org", port=465, use_ssl=True, username="user", password="p@ss"
    )
    assert SmtpSender.from_url("smtp://127.0.0.1:2525?starttls=true").starttls
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpSender.from_url("http://mail.example.org")
