"""The connection budget (issue 18): the ceilings ``registry.budget`` states are what the
settings give, in the documents and in a running process's pools."""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from projections import operations
from projections.progress import ProgressListener
from registry import budget
from registry.runtime import Services
from schema.settings import Settings
from tests.integration.projections.read.conftest import seed_reference_views

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _documented(row_start: str) -> list[int]:
    """The bold figures of the row of docs/operations.md's budget table starting so."""
    text = (DOCS / "operations.md").read_text()
    [row] = [line for line in text.splitlines() if line.startswith(f"| {row_start}")]
    return [int(n) for n in re.findall(r"\*\*(\d+)\*\*", row)]


def test_the_documented_ceilings_are_what_the_default_settings_give() -> None:
    defaults = Settings()
    assert _documented("`registry serve`") == [budget.serve_worker(defaults).total]
    assert _documented("`registry project`") == [budget.project(defaults).total]
    assert _documented("`registry worker`") == [
        budget.worker(defaults, postgres_broker=False).total,
        budget.worker(defaults, postgres_broker=True).total,
    ]
    assert _documented("`registry schedule`") == [budget.schedule(defaults).total]
    assert _documented("`registry migrate`") == [budget.command(defaults).total]


def test_the_deploy_guide_states_the_budget_of_each_number_of_hosts() -> None:
    text = (DOCS / "deploy.md").read_text()
    compose = Settings(broker_url="redis://redis:6379/0")
    smaller = Settings(broker_url="redis://redis:6379/0", web_pool_size=5)
    rows = re.findall(r"^\| (\d+) hosts? \| \*\*(\d+)\*\* \| (\d+) \|$", text, flags=re.MULTILINE)
    assert [int(h) for h, _, _ in rows] == [1, 2, 3, 4]
    for hosts, total, small in rows:
        assert int(total) == budget.deployment(compose, int(hosts), web_workers=2), hosts
        assert int(small) == budget.deployment(smaller, int(hosts), web_workers=2), hosts


def _backends(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_web_worker_holds_at_most_its_stated_pools_and_listener(database_url: str) -> None:
    seed_reference_views(database_url)
    operations.migrate(database_url)
    settings = Settings(database_url=database_url, web_pool_size=3, rate_limits="off")
    part = budget.serve_worker(settings)
    assert part.pools == 6
    with ExitStack() as stack:
        services = Services(database_url, settings)
        stack.callback(services.close)
        listener = ProgressListener(database_url, poll_interval=0.2)
        stack.callback(listener.close)
        pools: list[Any] = [services.pool, services.registry.recorder.datastore.pool]
        assert sum(pool.max_size for pool in pools) == part.pools
        # Take every connection both pools will give; one more waits and times out.
        held = [(pool, pool.getconn()) for pool in pools for _ in range(pool.max_size)]
        for pool, conn in held:
            stack.callback(pool.putconn, conn)
        for pool in pools:
            with pytest.raises(PoolTimeout):
                pool.getconn(timeout=0.2)
        deadline = time.monotonic() + 10
        while _backends(database_url) < part.pools + 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # the listener connects in its own thread: wait until it has
        assert _backends(database_url) == part.pools + 1  # the pools and the progress listener
