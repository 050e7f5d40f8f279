"""Wiring the Registry eventsourcing application to PostgreSQL from a database URL.

Only `migrate` opens the application with `create_tables=True`: creating the schema from several
processes at once can fail inside eventsourcing (`tuple concurrently updated`), so long-running
processes always run with `CREATE_TABLE=n`.
"""

from __future__ import annotations

from typing import Any

from psycopg.conninfo import conninfo_to_dict

from domain.application import Registry


def event_store_env(database_url: str, *, create_tables: bool) -> dict[str, str]:
    """The eventsourcing environment for the PostgreSQL database at `database_url`."""
    info = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
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
