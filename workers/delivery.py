"""Each notification mail handed to the mail server once, across workers and hosts.

Jobs are delivered at least once: the side-effect follower enqueues again what it enqueued just
before it died (its position was not advanced yet), so two copies of a job may even run at once
on two hosts, and the broker gives a dead worker's unacknowledged job to another worker (after
`REGISTRY_BROKER_HEARTBEAT_TIMEOUT`). A mail's Message-ID is derived from the event it
announces, so every copy builds the very same messages.

`LedgerSender` claims a Message-ID in the `mail_deliveries` support table before sending (one
statement: only one claimant wins), marks it sent once the mail server accepted the message,
and releases the claim when sending failed (the job's retry sends it). A copy that finds the
message sent skips it; one that finds it claimed by a live sender raises `MailInFlight`, and
the job is retried once the claim's lease (`REGISTRY_MAIL_CLAIM_SECONDS`) has run out: a claim
its worker died with is then taken over, so no mail is lost. The one window left for a second
delivery is a worker dying between the mail server's acceptance and the commit of "sent": an
SMTP sender reports the acceptance before QUIT (`SmtpSender.send_then`), so that window is one
round trip and one UPDATE (it was the QUIT, the close and a pool checkout too: 3 duplicates in
one run of the multi-host test).
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

from psycopg_pool import ConnectionPool

from workers.mail import MailSender

log = logging.getLogger(__name__)

DEFAULT_LEASE = 120.0

_CLAIM = """INSERT INTO mail_deliveries AS d (message_id, claimed_at) VALUES (%(id)s, now())
ON CONFLICT (message_id) DO UPDATE SET claimed_at = now()
    WHERE d.sent_at IS NULL AND d.claimed_at < now() - make_interval(secs => %(lease)s)
RETURNING true"""
_STATE = """SELECT sent_at IS NOT NULL,
    greatest(0, extract(epoch FROM claimed_at + make_interval(secs => %(lease)s) - now()))
FROM mail_deliveries WHERE message_id = %(id)s"""
_SENT = "UPDATE mail_deliveries SET sent_at = now() WHERE message_id = %s"
_RELEASE = "UPDATE mail_deliveries SET claimed_at = '-infinity' WHERE message_id = %s"


class MailInFlight(Exception):
    """Raised when another sender holds a live claim on the message: retry after `retry_in`
    seconds (its claim's lease runs out then)."""

    def __init__(self, message_id: str, retry_in: float) -> None:
        super().__init__(f"mail {message_id} is being sent by another worker")
        self.retry_in = retry_in


class LedgerSender:
    """A `MailSender` that sends each Message-ID once (see the module)."""

    def __init__(
        self, inner: MailSender, pool: ConnectionPool[Any], *, lease: float = DEFAULT_LEASE
    ) -> None:
        self._inner = inner
        self._pool = pool
        self._lease = lease

    def send(self, message: EmailMessage) -> None:
        """Send `message` unless it was sent already; `MailInFlight` while another sender
        holds it."""
        message_id = str(message["Message-ID"] or "")
        if not message_id:
            self._inner.send(message)
            return
        if not self._claim(message_id):
            return
        marked = []

        def mark_sent() -> None:
            with self._pool.connection() as conn:
                conn.execute(_SENT, (message_id,), prepare=False)
            marked.append(True)

        # An SMTP sender reports the server's acceptance before QUIT: the record follows it
        # within a round trip, which is the whole window for a second delivery.
        send_then = getattr(self._inner, "send_then", None)
        try:
            if send_then is not None:
                send_then(message, mark_sent)
            else:
                self._inner.send(message)
        except BaseException:
            if not marked:  # not accepted (as far as we know): the job's retry sends it
                with self._pool.connection() as conn:
                    conn.execute(_RELEASE, (message_id,), prepare=False)
            raise
        if not marked:
            mark_sent()

    def _claim(self, message_id: str) -> bool:
        """True when this sender now holds the message; False when it was sent already."""
        params = {"id": message_id, "lease": self._lease}
        with self._pool.connection() as conn:
            if conn.execute(_CLAIM, params, prepare=False).fetchone() is not None:
                return True
            row = conn.execute(_STATE, params, prepare=False).fetchone()
        if row is None or row[0]:
            log.info("mail %s was sent already; not sent again", message_id)
            return False
        raise MailInFlight(message_id, float(row[1]))
