"""The operations the CLI calls: migrate, status, check, ddl, rebuild, promote, rollback, retire,
and a runner's auto-promote."""

from __future__ import annotations

import threading

import psycopg
import pytest

from projections import operations
from projections.catalogue import CatalogueError
from projections.follow import Progress
from tests.integration.projections.helpers import (
    actual,
    append,
    expected,
    head,
    kill,
    start_runner,
    upgraded,
    wait_until,
)
from tests.integration.projections.toy import CountersV1, CountersV2, open_toy

BOTH = [CountersV1, CountersV2]


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def test_migrating_a_fresh_database_twice_and_concurrently_makes_only_the_newest_version_live(
    database_url: str,
) -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            operations.migrate(database_url, projectors=BOTH, app_factory=open_toy)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    operations.migrate(database_url, projectors=BOTH, app_factory=open_toy)
    assert errors == []
    tables = _tables(database_url)
    assert {
        "registry_events",
        "projection_versions",
        "projection_dead_letters",
        "counters_v2",
        "counter_adds_v2",
        "counters",
        "counter_adds",
    } <= tables
    assert not {"counters_v1", "counter_adds_v1"} & tables, "no older version is created"
    assert [(s.version, s.state) for s in operations.status(database_url, projectors=BOTH)] == [
        (2, "live")
    ]
    assert operations.check(database_url, projectors=BOTH) == []


def test_an_existing_deployment_keeps_its_live_version_until_the_new_one_is_promoted(
    database_url: str,
) -> None:
    app = upgraded(database_url, [CountersV1], BOTH)
    assert [(s.version, s.state) for s in operations.status(database_url, projectors=BOTH)] == [
        (1, "live"),
        (2, "building"),
    ]
    app.create("more")
    operations.migrate(database_url, projectors=BOTH, app_factory=open_toy)  # changes nothing
    assert [s.state for s in operations.status(database_url, projectors=BOTH)] == [
        "live",
        "building",
    ]


def test_migrating_an_older_catalogue_on_an_empty_log_promotes_the_newest_and_retires_the_rest(
    database_url: str,
) -> None:
    """A database migrated by an older release but never written to is a fresh database."""
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    operations.migrate(database_url, projectors=BOTH, app_factory=open_toy)
    assert [(s.version, s.state) for s in operations.status(database_url, projectors=BOTH)] == [
        (1, "retired"),
        (2, "live"),
    ]
    assert "counters_v1" not in _tables(database_url)


def test_check_allows_a_bounded_lag(database_url: str) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    append(open_toy(database_url), counters=3, adds=1)
    n = head(database_url)
    assert operations.check(database_url, projectors=[CountersV1], max_lag=n) == []
    assert operations.check(database_url, projectors=[CountersV1], max_lag=n - 1) == [
        f"counters v1 is live but {n} events behind"
    ]


def test_check_reports_what_the_code_expects_until_it_is_live_and_caught_up(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    append(open_toy(database_url), counters=10, adds=1)
    n = head(database_url)
    assert operations.check(database_url, projectors=[CountersV1]) == [
        f"counters v1 is live but {n} events behind"
    ]
    assert operations.check(database_url, projectors=BOTH) == [
        "counters v2 does not exist yet: run migrate"
    ]
    reports: list[Progress] = []
    operations.rebuild(
        database_url,
        "counters",
        1,
        projectors=BOTH,
        app_factory=open_toy,
        progress=reports.append,
        page_size=7,
    )
    assert reports[-1].position == reports[-1].head == n
    assert operations.check(database_url, projectors=[CountersV1]) == []
    operations.migrate(database_url, projectors=BOTH, app_factory=open_toy)
    assert operations.check(database_url, projectors=BOTH) == [
        f"counters v2 is building, not live (lag {n})"
    ]
    [v1, v2] = operations.status(database_url, projectors=BOTH)
    assert (v1.lag, v1.live, v2.lag, v2.live) == (0, True, n, False)


def test_promote_refuses_a_version_that_has_not_caught_up(database_url: str) -> None:
    append(upgraded(database_url, [CountersV1], BOTH), counters=10, adds=1)
    operations.rebuild(database_url, "counters", 1, projectors=BOTH, app_factory=open_toy)
    with pytest.raises(CatalogueError, match="not yet"):
        operations.promote(database_url, "counters", 2, timeout=0.2)
    operations.rebuild(database_url, "counters", 2, projectors=BOTH, app_factory=open_toy)
    operations.promote(database_url, "counters", 2)
    assert operations.check(database_url, projectors=BOTH) == []


def test_the_live_version_cannot_be_retired_and_a_retired_one_loses_its_tables(
    database_url: str,
) -> None:
    upgraded(database_url, [CountersV1], BOTH)
    with pytest.raises(CatalogueError, match="live"):
        operations.retire(database_url, "counters", 1)
    with pytest.raises(CatalogueError, match="no previous"):
        operations.rollback(database_url, "counters")
    operations.rebuild(database_url, "counters", 2, projectors=BOTH, app_factory=open_toy)
    operations.promote(database_url, "counters", 2)
    operations.retire(database_url, "counters", 1)
    assert "counters_v1" not in _tables(database_url)
    assert "counters_v2" in _tables(database_url)
    with pytest.raises(CatalogueError):
        operations.rollback(database_url, "counters")
    assert [s.state for s in operations.status(database_url, projectors=BOTH)] == [
        "retired",
        "live",
    ]


def test_ddl_is_the_version_file(database_url: str) -> None:
    text = operations.ddl("counters", 2, projectors=BOTH)
    assert "CREATE TABLE counters_v2" in text
    with pytest.raises(CatalogueError):
        operations.ddl("counters", 9, projectors=BOTH)


def test_a_runner_with_auto_promote_builds_and_promotes_a_newer_version(
    database_url: str,
) -> None:
    operations.migrate(database_url, projectors=[CountersV1], app_factory=open_toy)
    app = open_toy(database_url)
    append(app, counters=2000, adds=2)
    runner = start_runner(database_url, "1,2", 500, "auto")
    try:
        wait_until(lambda: operations.check(database_url, projectors=BOTH) == [], 60, interval=0.2)
    finally:
        kill(runner)
    assert actual(database_url, CountersV2()) == expected(app, CountersV2())
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*), sum(adds) FROM counters").fetchone()
    assert row is not None
    assert row[1] > 0


def test_check_before_migrate_asks_for_migrate_instead_of_failing(database_url: str) -> None:
    assert operations.check(database_url, projectors=BOTH) == [
        "counters v2 does not exist yet: run migrate"
    ]
    assert operations.readiness(database_url, projectors=BOTH) == ["counters has no live version"]


def test_promote_and_rollback_succeed_while_writes_keep_arriving(database_url: str) -> None:
    from projections.runner import Runner

    app = upgraded(database_url, [CountersV1], BOTH)
    append(app, counters=500, adds=2)
    runner = Runner(database_url, open_toy(database_url), BOTH, lock_retry=0.2)
    runner.start()
    stop = threading.Event()

    def write() -> None:
        counters = [app.create(f"busy{i}") for i in range(5)]
        while not stop.is_set():
            for counter in counters:
                counter.add(1)
            app.save(*counters)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_until(lambda: runner.active == {("counters", 1), ("counters", 2)}, 10)
        for _ in range(3):
            operations.promote(database_url, "counters", 2, timeout=5)
            assert operations.rollback(database_url, "counters", timeout=5) == 1
        operations.promote(database_url, "counters", 2, timeout=5)
    finally:
        stop.set()
        writer.join()
    try:
        wait_until(lambda: operations.check(database_url, projectors=BOTH) == [], 10)
    finally:
        runner.stop()
    assert actual(database_url, CountersV2()) == expected(app, CountersV2())
