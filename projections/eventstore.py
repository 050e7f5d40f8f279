"""Wiring the Registry eventsourcing application to PostgreSQL from a database URL.

Only `migrate` opens the application with `create_tables=True`: creating the schema from several
processes at once can fail inside eventsourcing (`tuple concurrently updated`), so long-running
processes always run with `CREATE_TABLE=n`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from domain.application import Registry


class PendingKeys(Protocol):
    """Keys to insert in the transaction of their subjects' first events."""

    def pending_insert(self, subjects: Iterable[UUID]) -> tuple[Composable, list[UUID]] | None:
        """The INSERT of the pending keys of `subjects` and the subjects it covers, or None."""
        ...

    def written(self, subjects: Iterable[UUID]) -> None:
        """Those keys are committed."""
        ...


class OneTripRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, inserting in one round trip.

    The statements are eventsourcing's own and keep its guarantees: the table's EXCLUSIVE lock
    (insert order is commit order, so a reader of the notification log never passes a gap that
    is filled later), the `lock_timeout`, the NOTIFY that wakes the projection runners, the
    `(originator_id, originator_version)` key (a conflict is eventsourcing's `IntegrityError`).
    Only the transport differs: BEGIN, lock, NOTIFY, INSERT and COMMIT travel as ONE simple-query
    message, where eventsourcing pipelines six extended-protocol statements and waits for the
    INSERT before sending COMMIT (two round trips, both while holding the table lock). The rows
    are four arrays of plain types, quoted by psycopg (`sql.Literal`): a simple query takes no
    parameters, and one message with one parse costs the web process about a third less CPU
    than the pipeline (loopback micro-benchmark, 1 to 16 events). On an error the server skips
    the rest of the message, COMMIT included, and the transaction is rolled back here.
    """

    #: Where the keys of new subjects wait to be inserted with their first events (see
    #: `projections.key_vault.EventsKeyVault`); None: every key is in the vault already.
    pending_keys: PendingKeys | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._insert_template = SQL(
            "BEGIN;"
            " SET LOCAL lock_timeout = {timeout};"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " {keys}"
            " NOTIFY {channel};"
            " INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest({ids}::uuid[], {versions}::bigint[], {topics}::text[],"
            " {states}::bytea[]) RETURNING notification_id;"
            " COMMIT"
        )
        self._names = {
            "timeout": Literal(f"{self.datastore.lock_timeout}s"),
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "channel": Identifier(self.channel_name),
        }

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events in one transaction; their notification ids in order."""
        if not stored_events:
            return []
        fresh = [
            e.originator_id
            for e in stored_events
            if e.originator_version == 1 and isinstance(e.originator_id, UUID)
        ]
        keys = self.pending_keys.pending_insert(fresh) if self.pending_keys and fresh else None
        # Application.save() always passes `tracking` (None unless a process application).
        if any(v is not None for v in kwargs.values()) or self.datastore.enable_db_functions:
            if keys:
                raise ProgrammingError("keys of new subjects need the one-message insert")
            recorded: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return recorded
        statement = self._insert_template.format(
            keys=SQL("{};").format(keys[0]) if keys else SQL(""),
            ids=Literal([e.originator_id for e in stored_events]),
            versions=Literal([e.originator_version for e in stored_events]),
            topics=Literal([e.topic for e in stored_events]),
            states=Literal([e.state for e in stored_events]),
            **self._names,
        )
        with self.datastore.get_connection() as conn:
            try:
                with conn.cursor(row_factory=tuple_row) as cursor:
                    cursor.execute(statement.as_bytes(conn), prepare=False)
                    ids = _returned_ids(cursor)
            except BaseException:
                _roll_back(conn)
                raise
        if keys and self.pending_keys:
            self.pending_keys.written(keys[1])
        return ids


def _returned_ids(cursor: psycopg.Cursor[tuple[Any, ...]]) -> list[int]:
    """The notification ids: the one result of the message that has rows."""
    while cursor.description is None:
        if not cursor.nextset():
            raise ProgrammingError("the insert returned no notification ids")
    return [int(row[0]) for row in cursor.fetchall()]


def _roll_back(conn: psycopg.Connection[Any]) -> None:
    """End a transaction the failed message left open (a broken connection needs nothing)."""
    if conn.closed or conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    with contextlib.suppress(psycopg.Error):
        conn.execute("ROLLBACK")


def event_store_env(database_url: str, *, create_tables: bool) -> dict[str, str]:
    """The eventsourcing environment for the PostgreSQL database at `database_url`."""
    info = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:{OneTripRecorder.__name__}",
        "POSTGRES_DBNAME": str(info.get("dbname", "postgres")),
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", 5432)),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_CONNECT_TIMEOUT": "30",
        # Waiting longer than this for the events table's write lock means something is stuck.
        "POSTGRES_LOCK_TIMEOUT": "10",
        "CREATE_TABLE": "y" if create_tables else "n",
    }


def open_registry(database_url: str, *, create_tables: bool = False, **kwargs: Any) -> Registry:
    """The `domain.application.Registry` application on `database_url` (keyword arguments such
    as `reference_catalog` or `key_vault` are passed on to its constructor)."""
    return Registry(env=event_store_env(database_url, create_tables=create_tables), **kwargs)
