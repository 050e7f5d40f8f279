"""What every process shares: the database (embedded or configured) and the Registry on it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import ConnectionPool

from domain.application import Registry
from domain.group_commit import GroupCommitter
from projections.eventstore import OneTripRecorder, event_store_env
from projections.key_vault import EventsKeyVault
from projections.reference_catalog import PostgresReferenceCatalog
from registry.embedded import EmbeddedPostgres
from schema.settings import Settings

log = logging.getLogger("registry")


@dataclass
class Database:
    """The database URL of this process, and the embedded server behind it when there is one."""

    url: str
    embedded: EmbeddedPostgres | None = None

    def close(self) -> None:
        """Stop the embedded server if this process started it."""
        if self.embedded is not None:
            self.embedded.stop()


def open_database(settings: Settings) -> Database:
    """The configured database, or the embedded server under ``settings.data_dir``."""
    if settings.database_url is not None:
        return Database(settings.database_url)
    embedded = EmbeddedPostgres(settings.data_dir)
    return Database(embedded.start(), embedded)


def broker_url(settings: Settings, database: Database) -> str:
    """The broker URL: configured, or the database itself (a durable PostgreSQL queue)."""
    return settings.broker_url or database.url


@dataclass
class Services:
    """The write side on a database: a pool, the Registry with its PostgreSQL ports."""

    database_url: str
    settings: Settings
    pool_size: int = 10
    group_commit: bool = True
    pool: ConnectionPool[Any] = field(init=False)
    registry: Registry = field(init=False)
    committer: GroupCommitter | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.pool = ConnectionPool(
            self.database_url, min_size=2, max_size=self.pool_size, open=True, name="registry"
        )
        env = event_store_env(self.database_url, create_tables=False)
        # A fixed-size event-store pool: threads beyond it wait for a connection instead of
        # opening more, so a process's footprint on the server's connection limit is known.
        env["POSTGRES_POOL_SIZE"] = str(self.pool_size)
        env["POSTGRES_MAX_OVERFLOW"] = "0"
        # New submissions' keys are inserted with their first events, by the recorder.
        vault = EventsKeyVault(self.pool)
        self.registry = Registry(
            env=env,
            reference_catalog=PostgresReferenceCatalog(self.pool),
            key_vault=vault,
            exempt_fields=self.settings.no_reset_fields,  # None: the domain's shipped list
        )
        recorder = self.registry.recorder
        if isinstance(recorder, OneTripRecorder):
            vault.store_with(recorder)
        if self.group_commit:
            self.committer = GroupCommitter(self.registry)
            self.registry.group_committer = self.committer

    def close(self) -> None:
        """Release the committer thread, the event store and the pool."""
        if self.committer is not None:
            self.committer.close()
        self.registry.close()
        self.pool.close()


@contextlib.contextmanager
def opened(settings: Settings, *, pool_size: int = 4) -> Iterator[tuple[Database, Services]]:
    """The database and the write side of a short-lived or single-purpose process, closed after.

    Group commit is off: only the web process has enough concurrent writers for it to pay.
    """
    database = open_database(settings)
    try:
        services = Services(database.url, settings, pool_size=pool_size, group_commit=False)
        try:
            yield database, services
        finally:
            services.close()
    finally:
        database.close()
