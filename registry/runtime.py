"""What every process shares: the database (embedded or configured) and the Registry on it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from domain.application import Registry
from projections.eventstore import OneTripRecorder, event_store_env
from projections.group_commit import GroupCommitter
from projections.key_vault import EventsKeyVault
from projections.reference_catalog import PostgresReferenceCatalog
from registry.embedded import EmbeddedPostgres
from registry.pools import harden, pool_options
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
    """The configured database (reachable: checked once, failing within seconds), or the
    embedded server under ``settings.data_dir``."""
    if settings.database_url is not None:
        check_database(settings.database_url)
        return Database(settings.database_url)
    embedded = EmbeddedPostgres(settings.data_dir)
    return Database(embedded.start(), embedded)


def check_database(url: str) -> None:
    """Connect once, raising ``psycopg.OperationalError`` within seconds when the database cannot
    be reached: a pool would wait 30 s first, and every web worker would fail on its own."""
    with psycopg.connect(url, connect_timeout=5):
        pass


def broker_url(settings: Settings, database: Database) -> str:
    """The broker URL: configured, or the database itself (a durable PostgreSQL queue)."""
    return settings.broker_url or database.url


@dataclass
class Services:
    """The write side on a database: a pool, the Registry with its PostgreSQL ports.

    Two pools, each opening one connection at start and growing on demand to `pool_size`: the
    registry pool (reads, key vault, reference catalogue, idempotency records) and the event
    store's. A process holds at most ``2 * pool_size`` connections through them (see
    docs/operations.md, "Connection budget"); `None` is ``settings.web_pool_size``.
    """

    database_url: str
    settings: Settings
    pool_size: int | None = None
    group_commit: bool = True
    pool: ConnectionPool[Any] = field(init=False)
    registry: Registry = field(init=False)
    committer: GroupCommitter | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        size = self.settings.web_pool_size if self.pool_size is None else self.pool_size
        wait = self.settings.database_timeout
        self.pool = ConnectionPool(
            self.database_url,
            min_size=1,
            max_size=size,
            open=True,
            name="registry",
            **pool_options(wait),
        )
        harden(self.pool, wait)
        env = event_store_env(self.database_url, create_tables=False, pool_size=size, wait=wait)
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
            harden(recorder.datastore.pool, wait)
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
def opened(
    settings: Settings, *, pool_size: int | None = None
) -> Iterator[tuple[Database, Services]]:
    """The database and the write side of a short-lived or single-purpose process, closed after.

    `pool_size` defaults to ``settings.command_pool_size`` (the one-shot commands and the
    scheduler). Group commit is off: only the web process has enough concurrent writers for it
    to pay.
    """
    if pool_size is None:
        pool_size = settings.command_pool_size
    database = open_database(settings)
    try:
        services = Services(database.url, settings, pool_size=pool_size, group_commit=False)
        try:
            yield database, services
        finally:
            services.close()
    finally:
        database.close()
