"""PostgreSQL implementation of the web's ``AdminCredentialStore`` port (support unit
``admin_accounts``: ``admin_credentials``, ``admin_signin_failures``, ``admin_cursors``).
Operational state and secrets that nothing in the event log fills and no event may carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

_COLUMNS = (
    "account_id, username, password_hash, totp_secret, totp_last_step, setup_token_hash,"
    " setup_expires_at"
)


@dataclass(frozen=True)
class Credentials:
    """One ``admin_credentials`` row."""

    account_id: UUID
    username: str
    password_hash: str | None
    totp_secret: str | None
    totp_last_step: int
    setup_token_hash: str | None
    setup_expires_at: dt.datetime | None


class PostgresAdminCredentials:
    """Password hashes, TOTP seeds, setup tokens, failed sign-ins and feed cursors."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool

    def _one(self, sql: str, params: tuple[Any, ...]) -> Credentials | None:
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
        return Credentials(**row) if row else None

    def create(
        self, account_id: UUID, username: str, setup_token_hash: str, expires: dt.datetime
    ) -> None:
        """A row for a new account (no password yet; its setup token)."""
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO admin_credentials (account_id, username, setup_token_hash,"
                " setup_expires_at) VALUES (%s, %s, %s, %s)",
                (account_id, username, setup_token_hash, expires),
            )

    def by_username(self, username: str) -> Credentials | None:
        """The row of ``username``."""
        return self._one(
            f"SELECT {_COLUMNS} FROM admin_credentials WHERE username = %s", (username,)
        )

    def by_id(self, account_id: UUID) -> Credentials | None:
        """The row of an account id."""
        return self._one(
            f"SELECT {_COLUMNS} FROM admin_credentials WHERE account_id = %s", (account_id,)
        )

    def by_setup_token(self, token_hash: str, now: dt.datetime) -> Credentials | None:
        """The account whose unexpired setup token hashes to ``token_hash``."""
        return self._one(
            f"SELECT {_COLUMNS} FROM admin_credentials"
            " WHERE setup_token_hash = %s AND setup_expires_at > %s",
            (token_hash, now),
        )

    def all(self) -> list[Credentials]:
        """Every account's row, by username."""
        with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM admin_credentials ORDER BY username")
            return [Credentials(**row) for row in cur.fetchall()]

    def set_password(self, account_id: UUID, password_hash: str) -> None:
        """Store a new hash; the setup token is used up."""
        with self._pool.connection() as conn:
            conn.execute(
                "UPDATE admin_credentials SET password_hash = %s, setup_token_hash = NULL,"
                " setup_expires_at = NULL, updated_at = now() WHERE account_id = %s",
                (password_hash, account_id),
            )

    def reset(self, account_id: UUID, setup_token_hash: str, expires: dt.datetime) -> None:
        """Forget the password and store a new setup token."""
        with self._pool.connection() as conn:
            conn.execute(
                "UPDATE admin_credentials SET password_hash = NULL, setup_token_hash = %s,"
                " setup_expires_at = %s, updated_at = now() WHERE account_id = %s",
                (setup_token_hash, expires, account_id),
            )

    def set_totp(self, account_id: UUID, secret: str | None) -> None:
        """Store (or with None remove) the TOTP seed."""
        with self._pool.connection() as conn:
            conn.execute(
                "UPDATE admin_credentials SET totp_secret = %s, totp_last_step = 0,"
                " updated_at = now() WHERE account_id = %s",
                (secret, account_id),
            )

    def use_totp_step(self, account_id: UUID, step: int) -> bool:
        """Record that the code of time step ``step`` was used; False when it (or a later one)
        was used already (no replay)."""
        with self._pool.connection() as conn:
            cur = conn.execute(
                "UPDATE admin_credentials SET totp_last_step = %s"
                " WHERE account_id = %s AND totp_last_step < %s",
                (step, account_id, step),
            )
            return bool(cur.rowcount == 1)

    def record_failure(self, ip: str, subject: str, now: dt.datetime) -> None:
        """Count a failed sign-in (older rows than a day go on the way)."""
        with self._pool.connection() as conn:
            conn.execute(
                "DELETE FROM admin_signin_failures WHERE failed_at < %s",
                (now - dt.timedelta(days=1),),
            )
            conn.execute(
                "INSERT INTO admin_signin_failures (ip, subject, failed_at) VALUES (%s, %s, %s)",
                (ip, subject, now),
            )

    def failures_since(self, ip: str, subject: str, since: dt.datetime) -> list[dt.datetime]:
        """When the failed sign-ins of (ip, subject) after ``since`` happened, oldest first."""
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT failed_at FROM admin_signin_failures"
                " WHERE ip = %s AND subject = %s AND failed_at > %s ORDER BY failed_at",
                (ip, subject, since),
            ).fetchall()
        return [row[0] for row in rows]

    def clear_failures(self, ip: str, subject: str) -> None:
        """Forget the failures of (ip, subject) after a successful sign-in."""
        with self._pool.connection() as conn:
            conn.execute(
                "DELETE FROM admin_signin_failures WHERE ip = %s AND subject = %s", (ip, subject)
            )

    def cursor(self, subject: str) -> int | None:
        """The change-feed position ``subject`` marked as seen, or None."""
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT position FROM admin_cursors WHERE subject = %s", (subject,)
            ).fetchone()
        return int(row[0]) if row else None

    def set_cursor(self, subject: str, position: int) -> None:
        """Mark the change feed as seen up to ``position`` (never moves backwards)."""
        with self._pool.connection() as conn:
            conn.execute(
                "INSERT INTO admin_cursors (subject, position) VALUES (%s, %s)"
                " ON CONFLICT (subject) DO UPDATE SET position ="
                " greatest(admin_cursors.position, EXCLUDED.position), seen_at = now()",
                (subject, position),
            )
