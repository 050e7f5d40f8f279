"""Wiring the Registry eventsourcing application to PostgreSQL from a database URL.

Only `migrate` opens the application with `create_tables=True`: creating the schema from several
processes at once can fail inside eventsourcing (`tuple concurrently updated`), so long-running
processes always run with `CREATE_TABLE=n`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.conninfo import conninfo_to_dict
from psycopg.sql import SQL, Identifier

from domain.application import Registry


class OneTripRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, inserting in one round trip.

    The statements are eventsourcing's own and keep its guarantees: the table's EXCLUSIVE lock
    (insert order is commit order, so a reader of the notification log never passes a gap that
    is filled later), the `lock_timeout`, the NOTIFY that wakes the projection runners, the
    `(originator_id, originator_version)` key (a conflict is eventsourcing's `IntegrityError`).
    Only the transport differs: BEGIN, lock, NOTIFY, INSERT and COMMIT are sent as one pipeline
    with one sync, where eventsourcing waits for the INSERT before sending COMMIT (two round trips,
    the one it saves is spent while holding the table lock), and the rows travel as four arrays of
    plain types instead of one array of a composite type dumped in Python. On an error the server
    skips the rest of the pipeline (COMMIT included) and the transaction is rolled back here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._insert_arrays = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[])"
            " RETURNING notification_id"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events in one transaction; their notification ids in order."""
        if kwargs or self.datastore.enable_db_functions:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        if not stored_events:
            return []
        columns = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline:
                    conn.execute("BEGIN")
                    for statement in self.lock_table_statements:
                        conn.execute(statement, prepare=True)
                    conn.execute(self._notify)
                    cursor = conn.execute(self._insert_arrays, columns, prepare=True)
                    conn.execute("COMMIT")
                    pipeline.sync()
                    return [row["notification_id"] for row in cursor.fetchall()]
            except BaseException:
                _roll_back(conn)
                raise


def _roll_back(conn: psycopg.Connection[Any]) -> None:
    """End a transaction the failed pipeline left open (a broken connection needs nothing)."""
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
    as `reference_catalog`, `key_vault` or `sanitiser` are passed on to its constructor)."""
    return Registry(env=event_store_env(database_url, create_tables=create_tables), **kwargs)
