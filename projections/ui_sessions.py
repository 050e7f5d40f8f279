"""PostgreSQL implementation of the web's ``SessionStore`` port (table ``ui_sessions``, DDL in
``schema/ddl/ui_sessions/v1.sql``, created with the other support tables). Operational state,
like the idempotency store: nothing in the event log fills it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

_COLUMNS = "id_hash, kind, subject, csrf_secret, idle_expires_at, absolute_expires_at, data"
_EXPIRED = "idle_expires_at <= %s OR absolute_expires_at <= %s"


@dataclass(frozen=True)
class StoredSession:
    """One ``ui_sessions`` row."""

    id_hash: str
    kind: str
    subject: str
    csrf_secret: str
    idle_expires_at: dt.datetime
    absolute_expires_at: dt.datetime | None
    data: Mapping[str, Any] = field(default_factory=dict)


class PostgresSessionStore:
    """Sessions of the web pages, one row each, found by the hash of their token."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool
        self._key: bytes | None = None

    def create(
        self,
        id_hash: str,
        kind: str,
        subject: str,
        csrf_secret: str,
        idle_expires_at: dt.datetime,
        absolute_expires_at: dt.datetime | None,
        data: Mapping[str, Any],
    ) -> None:
        """Store a new session."""
        with self._pool.connection() as conn:
            conn.execute(
                f"INSERT INTO ui_sessions ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    id_hash,
                    kind,
                    subject,
                    csrf_secret,
                    idle_expires_at,
                    absolute_expires_at,
                    Jsonb(dict(data)),
                ),
            )

    def get(self, id_hash: str, now: dt.datetime) -> StoredSession | None:
        """The live session, or None (an expired one is deleted in the same statement)."""
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                f"DELETE FROM ui_sessions WHERE id_hash = %s AND ({_EXPIRED})",
                (id_hash, now, now),
            )
            cur.execute(f"SELECT {_COLUMNS} FROM ui_sessions WHERE id_hash = %s", (id_hash,))
            row = cur.fetchone()
        return StoredSession(**row) if row else None

    def touch(self, id_hash: str, idle_expires_at: dt.datetime, data: Mapping[str, Any]) -> None:
        """Move the idle expiry (never past the absolute one) and replace ``data``."""
        with self._pool.connection() as conn:
            conn.execute(
                "UPDATE ui_sessions SET last_seen_at = now(), data = %s,"
                " idle_expires_at = least(%s, coalesce(absolute_expires_at, %s))"
                " WHERE id_hash = %s",
                (Jsonb(dict(data)), idle_expires_at, idle_expires_at, id_hash),
            )

    def delete(self, id_hash: str) -> None:
        """End one session."""
        with self._pool.connection() as conn:
            conn.execute("DELETE FROM ui_sessions WHERE id_hash = %s", (id_hash,))

    def delete_subject(self, kind: str, subject: str) -> int:
        """End every session bound to ``subject`` (a revoked key or a disabled account)."""
        with self._pool.connection() as conn:
            cur = conn.execute(
                "DELETE FROM ui_sessions WHERE kind = %s AND subject = %s", (kind, subject)
            )
            return int(cur.rowcount)

    def sweep(self, now: dt.datetime) -> int:
        """Delete every expired session."""
        with self._pool.connection() as conn:
            cur = conn.execute(f"DELETE FROM ui_sessions WHERE {_EXPIRED}", (now, now))
            return int(cur.rowcount)

    def server_key(self) -> bytes:
        """The installation's CSRF key: 32 random bytes made by the first process that asks,
        read by every other one (kept in this process after the first read)."""
        if self._key is None:
            with self._pool.connection() as conn:
                conn.execute(
                    "INSERT INTO ui_secrets (name, secret) VALUES ('csrf', %s)"
                    " ON CONFLICT (name) DO NOTHING",
                    (secrets.token_bytes(32),),
                )
                row = conn.execute("SELECT secret FROM ui_secrets WHERE name = 'csrf'").fetchone()
            assert row is not None
            self._key = bytes(row[0])
        return self._key
