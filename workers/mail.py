"""Notification mails: who gets which message (spec §2.5) and how it leaves (SMTP or an outbox).

`compose` turns one notification (`created`, `updated` with its changes, `status_changed`) about
one submission (a plain mapping of its fields) into ready `EmailMessage`s; a sender delivers them
over SMTP (`smtp://host:port`, `smtps://…`, optional `user:password@`, `?starttls=true`) or, with
no SMTP configured, writes them as `.eml` files into an outbox directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from workers.mail_templates import admin_body, subject, submitter_body

__all__ = [
    "MailSender",
    "MailSettings",
    "OutboxSender",
    "SmtpSender",
    "compose",
    "make_sender",
]

log = logging.getLogger(__name__)

NotificationKind = Literal["created", "updated", "status_changed"]
KINDS: tuple[str, ...] = ("created", "updated", "status_changed")


@dataclass(frozen=True)
class MailSettings:
    """Where mail comes from and goes to. `notify_override` (REGISTRY_NOTIFY_OVERRIDE) sends
    every admin mail to one address, drops the admin URL and suppresses submitter mail."""

    from_address: str = "noreply@denbi.de"
    admin_address: str | None = None
    cc: tuple[str, ...] = ()
    notify_override: str | None = None
    site_url: str | None = None
    admin_path: str = "admin"
    org: Mapping[str, str] = field(
        default_factory=lambda: {
            "name": "de.NBI — German Network for Bioinformatics Infrastructure",
            "contact_email": "contact@denbi.de",
            "website": "https://www.denbi.de/",
        }
    )


def _submitter_name(s: Mapping[str, Any]) -> str:
    first_last = " ".join(
        str(s.get(k) or "").strip() for k in ("submitter_first_name", "submitter_last_name")
    ).strip()
    parts = [p for p in (first_last, str(s.get("submitter_affiliation") or "").strip()) if p]
    return ", ".join(parts)


def _message(
    settings: MailSettings,
    *,
    to: Sequence[str],
    subject_line: str,
    bodies: tuple[str, str],
    cc: Sequence[str] = (),
    idempotency_key: str | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.from_address
    msg["Reply-To"] = settings.from_address
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject_line
    msg["Date"] = formatdate(localtime=False)
    if idempotency_key:
        # A redelivered job builds the same Message-ID, so the outbox (and mail clients) dedupe.
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        domain = settings.from_address.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = f"<{digest}@{domain}>"
    else:
        msg["Message-ID"] = make_msgid()
    text, markup = bodies
    msg.set_content(text)
    msg.add_alternative(markup, subtype="html")
    return msg


def compose(
    kind: str,
    submission: Mapping[str, Any],
    settings: MailSettings,
    *,
    changes: Sequence[Mapping[str, Any]] = (),
    status_reset: bool = False,
    comment: str = "",
    idempotency_key: str | None = None,
) -> list[EmailMessage]:
    """The mails for one notification: the admin mail, then the submitter mail when due.

    An `updated` notification without changes yields no mail at all (an edit that changed
    nothing records no event here). `idempotency_key` (e.g. `<submission id>:<log position>`)
    makes the Message-IDs deterministic.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if kind == "updated" and not changes:
        return []
    s = {**submission, "submitter_name": _submitter_name(submission)}
    override = settings.notify_override
    admin_url = None
    if settings.site_url and not override:
        admin_url = (
            f"{settings.site_url.rstrip('/')}/{settings.admin_path.strip('/')}"
            f"/submissions/servicesubmission/{s.get('id')}/change/"
        )
    admin_to = override or settings.admin_address or settings.from_address
    messages = [
        _message(
            settings,
            to=[admin_to],
            cc=() if override else settings.cc,
            subject_line=subject(kind, s),
            bodies=admin_body(kind, s, changes=changes, admin_url=admin_url, org=settings.org),
            idempotency_key=f"{idempotency_key}:admin" if idempotency_key else None,
        )
    ]
    if override:
        return messages
    recipient = str(s.get("internal_contact_email") or "").strip()
    if not recipient:
        log.warning("submission %s has no internal contact email: no submitter mail", s.get("id"))
        return messages
    submitter_kind = {
        "created": "submitter_created",
        "updated": "submitter_updated",
        "status_changed": "submitter_status",
    }[kind]
    messages.append(
        _message(
            settings,
            to=[recipient],
            subject_line=subject(submitter_kind, s),
            bodies=submitter_body(
                kind,
                s,
                changes=changes,
                status_reset=status_reset,
                comment=comment,
                org=settings.org,
            ),
            idempotency_key=f"{idempotency_key}:submitter" if idempotency_key else None,
        )
    )
    return messages


class MailSender(Protocol):
    """Delivers one message (raises on failure so the job is retried)."""

    def send(self, message: EmailMessage) -> None:
        """Deliver `message`."""


@dataclass(frozen=True)
class SmtpSender:
    """Sends over SMTP, one connection per message (mail volume here is tiny)."""

    host: str
    port: int = 25
    use_ssl: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSender:
        """`smtp://[user:password@]host[:port][?starttls=true]` or `smtps://…`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("the SMTP URL must look like smtp://host:port or smtps://host:port")
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if parts.scheme == "smtps" else 25),
            use_ssl=parts.scheme == "smtps",
            starttls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def send(self, message: EmailMessage) -> None:
        """Deliver `message` to every To and Cc recipient."""
        self.send_then(message, None)

    def send_then(self, message: EmailMessage, accepted: Callable[[], None] | None) -> None:
        """`send`, calling `accepted()` as soon as the server has accepted the message (before
        QUIT), so a record of the delivery is made within a round trip of it
        (`workers.delivery`)."""
        smtp_class = smtplib.SMTP_SSL if self.use_ssl else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
            if accepted is not None:
                accepted()


@dataclass(frozen=True)
class OutboxSender:
    """Writes each message as `<outbox>/<message-id digest>.eml`; the same message written twice
    is one file."""

    directory: Path

    def send(self, message: EmailMessage) -> None:
        """Write `message` atomically into the outbox."""
        self.directory.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(str(message["Message-ID"]).encode()).hexdigest()[:24]
        target = self.directory / f"{digest}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(tmp, target)


def make_sender(smtp_url: str | None, outbox: Path = Path("var/outbox")) -> MailSender:
    """SMTP when a URL is configured (REGISTRY_SMTP_URL), else the outbox directory."""
    if smtp_url:
        return SmtpSender.from_url(smtp_url)
    return OutboxSender(outbox)
