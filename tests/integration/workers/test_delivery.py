"""A redelivered mail job sends nothing twice: the ledger of Message-IDs in PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from projections.support import migrate_support
from workers.delivery import LedgerSender, MailInFlight


class _Sink:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[str] = []
        self.fail = fail

    def send(self, message: EmailMessage) -> None:
        if self.fail:
            raise OSError("the mail server is away")
        self.sent.append(str(message["Message-ID"]))


def _message(message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Message-ID"] = message_id
    message.set_content("hello")
    return message


def test_a_message_sent_by_one_worker_is_not_sent_again_by_another(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=1, open=True)
    try:
        first, second = _Sink(), _Sink()
        LedgerSender(first, pool).send(_message("<a@x>"))
        # The job delivered again, to a worker on another host (its own sender).
        LedgerSender(second, pool).send(_message("<a@x>"))
        LedgerSender(second, pool).send(_message("<b@x>"))
        assert first.sent == ["<a@x>"]
        assert second.sent == ["<b@x>"]
    finally:
        pool.close()


def test_a_message_the_server_refused_is_sent_when_the_job_is_retried(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=1, open=True)
    try:
        failing, working = _Sink(fail=True), _Sink()
        with pytest.raises(OSError, match="away"):
            LedgerSender(failing, pool).send(_message("<c@x>"))
        LedgerSender(working, pool).send(_message("<c@x>"))
        assert working.sent == ["<c@x>"]
    finally:
        pool.close()


def test_a_message_another_worker_is_sending_is_left_to_it_until_its_claim_runs_out(
    database_url: str,
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
        # A worker on a dead host claimed the message and never marked it sent.
        conn.execute("INSERT INTO mail_deliveries (message_id, claimed_at) VALUES ('<d@x>', now())")
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=1, open=True)
    try:
        sink = _Sink()
        with pytest.raises(MailInFlight) as raised:
            LedgerSender(sink, pool, lease=60).send(_message("<d@x>"))
        assert 0 < raised.value.retry_in <= 60
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE mail_deliveries SET claimed_at = now() - interval '61 seconds'")
        LedgerSender(sink, pool, lease=60).send(_message("<d@x>"))
        assert sink.sent == ["<d@x>"]
    finally:
        pool.close()


class _AcceptedThenCut(_Sink):
    """An SMTP sender whose server accepted the message, then the connection broke at QUIT."""

    def send_then(self, message: EmailMessage, accepted: Callable[[], None] | None) -> None:
        self.sent.append(str(message["Message-ID"]))
        if accepted is not None:
            accepted()
        raise OSError("connection reset at QUIT")


def test_a_message_the_server_accepted_is_not_sent_again_when_the_connection_broke_after(
    database_url: str,
) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=1, open=True)
    try:
        cut, retry = _AcceptedThenCut(), _Sink()
        with pytest.raises(OSError, match="QUIT"):
            LedgerSender(cut, pool).send(_message("<e@x>"))
        LedgerSender(retry, pool).send(_message("<e@x>"))  # the job's retry
        assert cut.sent == ["<e@x>"]
        assert retry.sent == []
    finally:
        pool.close()
