"""Wiring the Registry eventsourcing application to PostgreSQL from a database URL.

Only `migrate` opens the application with `create_tables=True`: creating the schema from several
processes at once can fail inside eventsourcing (`tuple concurrently updated`), so long-running
processes always run with `CREATE_TABLE=n`.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from domain.application import Registry
from domain.errors import OutcomeUnknown
from domain.reference import PrincipalInvestigator, ServiceCategory, ServiceCentre
from projections.erasure import erased_subjects, erasure_statement
from projections.reference_catalog import REFERENCE_CHANNEL

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds a process waits for the database (a pooled connection) before giving up, unless the
#: caller says otherwise: the CLI's tools (migrate, import) may wait longer than a request.
DEFAULT_WAIT = 30.0

#: Pause between two attempts on a lost connection.
RETRY_PAUSE = 0.2


class PendingKeys(Protocol):
    """Keys to insert in the transaction of their subjects' first events."""

    def pending_insert(self, subjects: Iterable[UUID]) -> tuple[Composable, list[UUID]] | None:
        """The INSERT of the pending keys of `subjects` and the subjects it covers, or None."""
        ...

    def written(self, subjects: Iterable[UUID]) -> None:
        """Those keys are committed."""
        ...

    def forget_erased(self, subject: UUID | None) -> None:
        """The erasure of `subject` committed: its key is destroyed."""
        ...


#: Maps a stored event to the same event without the personal values it holds in clear (None
#: when it holds none): `domain.personal.PersonalDataMapper.redacted`.
Redactor = Callable[[StoredEvent], StoredEvent | None]


class OneTripRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder, inserting in one round trip.

    The statements are eventsourcing's own (a test pins the source they copy) and keep its
    guarantees: the table's EXCLUSIVE lock (insert order is commit order, so a reader of the
    notification log never passes a gap that is filled later), the `lock_timeout`, the NOTIFY
    that wakes the projection runners, the `(originator_id, originator_version)` key (a
    conflict is eventsourcing's `IntegrityError`). Only the transport differs: BEGIN, lock,
    NOTIFY, INSERT and COMMIT travel as ONE simple-query message, where eventsourcing pipelines
    six extended-protocol statements and waits for the INSERT before sending COMMIT (two round
    trips, both while holding the table lock). The rows are four arrays of plain types, quoted
    by psycopg (`sql.Literal`): a simple query takes no parameters. On an error the server skips
    the rest of the message, COMMIT included, and the transaction is rolled back here.

    Kept on its figures (issue 19; 2-core machine shared with other work, load average 6-17):
    eventsourcing's own insert, with the statements below added in its `_insert_events` hook,
    took 1.5x the time and 2x the committer thread's CPU per insert (interleaved in one
    process: 1 event 587 -> 881 us, CPU 266 -> 505 us; 16 events 5.0 -> 7.4 ms, CPU 0.8 ->
    1.6 ms); creates through the group committer ran at 0.70x at c=8 (slower by 20-31 % in 6
    of 6 interleaved block pairs), 0.72x at c=1, 0.87x at c=32; over HTTP (`registry bench
    --quick --only create,patch`, 10 alternated pairs, medians) creates/s c=8 163 -> 130,
    c=32 292 -> 236, their p99 +14-37 %; PATCHes/s c=8 and c=32 within 5 %, c=1 61 -> 52.

    The same message carries what must commit with the events or not at all: the keys of new
    subjects (`pending_keys`), and for a `Submission.Erased` event the erasure of its subject
    (`projections.erasure`: the key destroyed, snapshots and kept responses dropped, what older
    releases stored in clear redacted, the erasure announced), and for reference events
    (categories, centres, PIs) a NOTIFY of `REFERENCE_CHANNEL`, so every host's cached copies of
    those records end at commit.

    A lost connection is retried until the pool's wait (`POSTGRES_CONNECT_TIMEOUT`, the
    process's bounded wait for the database) has passed, not ten times that wait as
    eventsourcing's own retry did. An insert whose connection broke after the message was sent
    may have committed: the retry then meets its own events (an `IntegrityError`) and
    recognises them by their stored bytes (encrypted with a fresh nonce, they cannot be anyone
    else's), so a committed write is reported committed, never as a conflict. When the database
    stays away too long to find out, `domain.errors.OutcomeUnknown` is raised instead of a
    connection error, which would mean "nothing was recorded".
    """

    #: Where the keys of new subjects wait to be inserted with their first events (see
    #: `projections.key_vault.EventsKeyVault`); None: every key is in the vault already.
    pending_keys: PendingKeys | None = None
    #: Removes what older releases stored in clear from an erased subject's events, in the
    #: erasure's transaction (set by the application: `redact_with`); None: left as stored.
    redactor: Redactor | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._insert_template = SQL(
            "BEGIN;"
            " SET LOCAL lock_timeout = {timeout};"
            " LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE;"
            " {keys}"
            " {erasure}"
            " {references}"
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

    def redact_with(self, redactor: Redactor) -> None:
        """Have erasures remove the personal values older releases stored in clear."""
        self.redactor = redactor

    @property
    def wait(self) -> float:
        """Seconds to keep retrying a lost connection (the pool's wait for a connection)."""
        return float(self.datastore.pool.timeout)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events in one transaction; their notification ids in order. The keys of
        new subjects are inserted, and erased subjects' keys destroyed, in the same one."""
        if not stored_events:
            return []
        fresh = [
            e.originator_id
            for e in stored_events
            if e.originator_version == 1 and isinstance(e.originator_id, UUID)
        ]
        keys = self.pending_keys.pending_insert(fresh) if self.pending_keys and fresh else None
        erased = erased_subjects(stored_events)
        statement = self._insert_template.format(
            keys=SQL("{};").format(keys[0]) if keys else SQL(""),
            erasure=SQL("{};").format(self._erasure(erased)) if erased else SQL(""),
            references=_reference_notify(stored_events),
            ids=Literal([e.originator_id for e in stored_events]),
            versions=Literal([e.originator_version for e in stored_events]),
            topics=Literal([e.topic for e in stored_events]),
            states=Literal([e.state for e in stored_events]),
            **self._names,
        )
        deadline = time.monotonic() + self.wait
        uncertain = False  # an earlier attempt may have committed
        while True:
            lost = [False]
            try:
                try:
                    ids = self._insert_once(statement, lost)
                except IntegrityError:
                    found = self._own_events(stored_events) if uncertain else None
                    if found is None:
                        raise
                    log.warning("a commit whose answer was lost had gone through; not repeated")
                    ids = found
                break
            except (InterfaceError, OperationalError) as exc:
                uncertain = uncertain or lost[0]
                if time.monotonic() + RETRY_PAUSE > deadline:
                    if uncertain:
                        raise OutcomeUnknown(
                            "The database connection was lost while the change was being"
                            " recorded; it may or may not have been recorded. Reload before"
                            " repeating it."
                        ) from exc
                    raise
                time.sleep(RETRY_PAUSE)
        if keys and self.pending_keys:
            self.pending_keys.written(keys[1])
        if erased and self.pending_keys:
            # Before the save's snapshot step: it must not encrypt with the destroyed key.
            for subject in erased:
                self.pending_keys.forget_erased(subject)
        return ids

    def _erasure(self, subjects: Sequence[UUID]) -> Composable:
        """The erasure of `subjects` (`projections.erasure`): read before the transaction, the
        redactions are exact, since the erasure event only commits if nothing was appended."""
        redactions = []
        if self.redactor is not None:
            for subject in subjects:
                for stored in self.select_events(subject):
                    redacted = self.redactor(stored)
                    if redacted is not None:
                        redactions.append(redacted)
        return erasure_statement(
            schema=self.datastore.schema,
            events_table=self.events_table_name,
            snapshots_table=self.events_table_name.removesuffix("_events") + "_snapshots",
            subjects=subjects,
            redactions=redactions,
        )

    def _insert_once(self, statement: Composable, lost: list[bool]) -> list[int]:
        """One attempt; `lost[0]` is left True when it failed in a way that may have committed
        (the connection went away after the message was sent)."""
        with self.datastore.get_connection() as conn:
            try:
                with conn.cursor(row_factory=tuple_row) as cursor:
                    lost[0] = True
                    cursor.execute(statement.as_bytes(conn), prepare=False)
                    ids = _returned_ids(cursor)
                    lost[0] = False
                    return ids
            except psycopg.Error as exc:
                _roll_back(conn)
                if exc.sqlstate is not None and not exc.sqlstate.startswith(_CONNECTION_LOST):
                    lost[0] = False  # the server answered an error: it skipped the COMMIT
                raise
            except BaseException:
                _roll_back(conn)
                raise

    def _own_events(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of `stored_events` if exactly these are stored (an earlier
        attempt committed them), else None (another writer's events hold those versions); a
        lost connection raises, and the caller tries again."""
        query = SQL(
            "SELECT originator_id, originator_version, state, notification_id FROM {}.{}"
            " WHERE (originator_id, originator_version) IN"
            " (SELECT * FROM unnest(%s::uuid[], %s::bigint[]))"
        ).format(self._names["schema"], self._names["table"])
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(
                query,
                (
                    [e.originator_id for e in stored_events],
                    [e.originator_version for e in stored_events],
                ),
            )
            stored = {(r[0], r[1]): (bytes(r[2]), int(r[3])) for r in cur.fetchall()}
        ids = []
        for event in stored_events:
            found = stored.get((event.originator_id, event.originator_version))
            if found is None or found[0] != event.state:
                return None
            ids.append(found[1])
        return ids

    def select_events(self, originator_id: UUID | str, **kwargs: Any) -> Sequence[StoredEvent]:
        """eventsourcing's `select_events`, retried within the wait instead of ten times it."""
        select = _unwrapped(PostgresAggregateRecorder.select_events)
        return self._within(lambda: select(self, originator_id, **kwargs))

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        """eventsourcing's `select_notifications`, retried within the wait."""
        select = _unwrapped(PostgresApplicationRecorder.select_notifications)
        return self._within(lambda: select(self, *args, **kwargs))

    def max_notification_id(self) -> int | None:
        """eventsourcing's `max_notification_id`, retried within the wait."""
        head = _unwrapped(PostgresApplicationRecorder.max_notification_id)
        result: int | None = self._within(lambda: head(self))
        return result

    def _within(self, call: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                return call()
            except (InterfaceError, OperationalError):
                if time.monotonic() + RETRY_PAUSE > deadline:
                    raise
                time.sleep(RETRY_PAUSE)


#: SQLSTATE classes of a connection that went away: the server may have committed first.
_CONNECTION_LOST = ("08", "57")

#: Stored topics of reference events start with one of these: the registered name of the
#: aggregate (``registry/ServiceCategory``) or its module path, then ``.`` and the event's name.
_REFERENCE_TOPICS = tuple(
    prefix
    for kind in (ServiceCategory, ServiceCentre, PrincipalInvestigator)
    for prefix in (
        get_topic(kind).rpartition("/v")[0] + ".",
        f"{kind.__module__}:{kind.__qualname__}.",
    )
)


def _reference_notify(stored_events: Sequence[StoredEvent]) -> Composable:
    """A NOTIFY of `REFERENCE_CHANNEL` naming the reference aggregates among `stored_events`
    (nothing when there are none): delivered at commit, it ends the reuse of those records'
    cached copies in every web process on every host (`domain.reference_cache`)."""
    changed = sorted(
        {str(e.originator_id) for e in stored_events if e.topic.startswith(_REFERENCE_TOPICS)}
    )
    if not changed:
        return SQL("")
    return SQL("NOTIFY {}, {};").format(Identifier(REFERENCE_CHANNEL), Literal(",".join(changed)))


def _unwrapped(method: Any) -> Any:
    """The method under eventsourcing's `@retry` (which tries ten times, each up to the pool's
    whole wait: a request held for a minute while the database is away)."""
    return getattr(method, "__wrapped__", method)


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


def event_store_env(
    database_url: str, *, create_tables: bool, pool_size: int = 2, wait: float = DEFAULT_WAIT
) -> dict[str, str]:
    """The eventsourcing environment for the PostgreSQL database at `database_url`.

    Its connection pool opens one connection at start and grows on demand to `pool_size`, never
    beyond (threads beyond it wait for a connection): a process's footprint on the server's
    `max_connections` is known, and an idle one holds one connection, not `pool_size`. `wait` is
    how long a caller waits for a pooled connection (and retries a lost one) before failing."""
    info = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:{OneTripRecorder.__name__}",
        "POSTGRES_DBNAME": str(info.get("dbname", "postgres")),
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", 5432)),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        # eventsourcing's pool: min_size = POOL_SIZE, max_size = POOL_SIZE + MAX_OVERFLOW.
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": str(max(0, pool_size - 1)),
        # eventsourcing's name for the pool's wait for a connection (not libpq's connect_timeout).
        "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(wait))),  # it takes whole seconds
        # Waiting longer than this for the events table's write lock means something is stuck.
        "POSTGRES_LOCK_TIMEOUT": "10",
        "CREATE_TABLE": "y" if create_tables else "n",
    }


def open_registry(database_url: str, *, create_tables: bool = False, **kwargs: Any) -> Registry:
    """The `domain.application.Registry` application on `database_url` (keyword arguments such
    as `reference_catalog` or `key_vault` are passed on to its constructor)."""
    return Registry(env=event_store_env(database_url, create_tables=create_tables), **kwargs)
