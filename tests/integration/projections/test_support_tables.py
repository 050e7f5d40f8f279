"""The support tables (issue 12, item 7): versioned DDL files under schema/ddl/, applied by
`migrate` only, each once; idempotency records expire and are swept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from projections import operations
from projections.idempotency import IdempotencyStore, sweep
from projections.support import UNITS, files, migrate_support
from schema.settings import Settings
from tests.integration.projections.toy import CountersV1, open_toy
from workers.follower import SideEffectFollower
from workers.wiring import scheduled_jobs

TABLES = {
    "schema_migrations",
    "projection_versions",
    "projection_dead_letters",
    "registry_subject_keys",
    "key_usage",
    "idempotency_keys",
    "worker_tracking",
}


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {str(r[0]) for r in rows}


def _recorded(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT unit, version FROM schema_migrations").fetchall()
    return sorted((str(u), int(v)) for u, v in rows)


@pytest.fixture
def pool(database_url: str) -> Iterator[ConnectionPool[Any]]:
    with ConnectionPool(database_url, min_size=1, max_size=2, open=True) as opened:
        yield opened


def test_migrate_creates_every_support_table_from_its_file_and_records_it_once(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    assert _tables(database_url) >= TABLES
    assert _recorded(database_url) == sorted(
        (unit, version) for unit in UNITS for version, _ in files(unit)
    )
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert migrate_support(conn) == []


def test_no_long_running_part_creates_a_support_table(
    database_url: str, pool: ConnectionPool[Any]
) -> None:
    app = open_toy(database_url, create_tables=True)
    try:
        IdempotencyStore(pool)
        with pytest.raises(psycopg.errors.UndefinedTable):
            SideEffectFollower(database_url, app, lambda name, args: None).run_once()
    finally:
        app.close()
    assert not {"idempotency_keys", "worker_tracking"} & _tables(database_url)


def _unit(root: Path, *files: str) -> None:
    (root / "schema_migrations").mkdir(parents=True, exist_ok=True)
    real = Path(__file__).resolve().parents[3] / "schema" / "ddl" / "schema_migrations" / "v1.sql"
    (root / "schema_migrations" / "v1.sql").write_text(real.read_text())
    (root / "probe").mkdir(exist_ok=True)
    for number, text in enumerate(files, start=1):
        (root / "probe" / f"v{number}.sql").write_text(text)


def test_a_later_file_evolves_an_existing_table_once_and_keeps_its_rows(
    database_url: str, tmp_path: Path
) -> None:
    v1 = "CREATE TABLE IF NOT EXISTS probe (id integer PRIMARY KEY);"
    v2 = "ALTER TABLE probe ADD COLUMN note text NOT NULL DEFAULT 'none';"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(v1)  # as a release before the migrations existed had created it
        conn.execute("INSERT INTO probe VALUES (1)")
        _unit(tmp_path, v1)
        assert migrate_support(conn, ["probe"], tmp_path) == [("probe", 1)]
        _unit(tmp_path, v1, v2)
        assert migrate_support(conn, ["probe"], tmp_path) == [("probe", 2)]
        assert migrate_support(conn, ["probe"], tmp_path) == []
        assert conn.execute("SELECT id, note FROM probe").fetchall() == [(1, "none")]
        (tmp_path / "probe" / "v2.sql").rename(tmp_path / "probe" / "v3.sql")
        with pytest.raises(RuntimeError, match="without gaps"):
            migrate_support(conn, ["probe"], tmp_path)


def _age(url: str, key_hash: str, seconds: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE idempotency_keys SET created_at = now() - make_interval(secs => %s)"
            " WHERE key_hash = %s",
            (seconds, key_hash),
        )


def test_an_idempotency_record_expires_after_its_ttl_and_the_sweep_deletes_only_expired_ones(
    database_url: str, pool: ConnectionPool[Any]
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    store = IdempotencyStore(pool, ttl=3600)
    assert store.claim("replayed", "body") == ("new", None)
    store.complete("replayed", b"first response", uuid4())
    assert store.claim("replayed", "body") == ("done", b"first response")
    _age(database_url, "replayed", 3601)
    assert store.claim("replayed", "body") == ("new", None), "an expired record is absent"

    for key in ("fresh", "old", "abandoned", "running"):
        store.claim(key, "body")
    store.complete("fresh", b"r", uuid4())
    store.complete("old", b"r", uuid4())
    _age(database_url, "fresh", 3500)
    _age(database_url, "old", 3700)
    _age(database_url, "abandoned", 600)  # a claim whose request crashed
    with psycopg.connect(database_url) as conn:
        assert sweep(conn, ttl=3600) == 2
        left = conn.execute("SELECT key_hash FROM idempotency_keys ORDER BY 1").fetchall()
    assert [row[0] for row in left] == ["fresh", "replayed", "running"]


def test_the_schedulers_sweep_job_uses_the_ttl_setting(
    database_url: str, pool: ConnectionPool[Any], tmp_path: Path
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    store = IdempotencyStore(pool)
    for key in ("kept", "expired"):
        store.claim(key, "body")
        store.complete(key, b"r", uuid4())
    _age(database_url, "kept", 100)
    _age(database_url, "expired", 400)
    settings = Settings(idempotency_ttl=300, data_dir=tmp_path)
    jobs = scheduled_jobs(database_url, None, settings)  # type: ignore[arg-type]
    assert jobs.sweep_idempotency is not None
    jobs.sweep_idempotency()
    with psycopg.connect(database_url) as conn:
        left = conn.execute("SELECT key_hash FROM idempotency_keys").fetchall()
    assert left == [("kept",)]
