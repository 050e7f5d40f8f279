"""Issue 13 "done when": PostgreSQL restarted under write load (a private cluster this test
starts), against ``registry serve`` with two workers and ``registry project``. No acknowledged
write is lost, no answer is a 5xx other than 503, and writes succeed again within 2 s of the
server's return. The figures are printed."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import Processes, processes, wait_until
from tests.faults.processes import Load, PrivateCluster, cluster, deploy, lost_writes

pytestmark = pytest.mark.e2e
__all__ = ["cluster", "processes"]  # the fixtures, re-exported for this module


def test_a_postgresql_restart_under_write_load_loses_nothing_and_answers_503s(
    cluster: PrivateCluster, processes: Processes
) -> None:
    deployment = deploy(processes, cluster.url)
    with Load(deployment) as load:
        ledger = load.ledger
        wait_until(lambda: len(ledger.writes_since(0, 201)) >= 10, 30, "writes before")
        stopped = time.monotonic()
        cluster.stop("fast")
        wait_until(
            lambda: len(ledger.writes_since(stopped, 503)) >= 4, 30, "503s during the outage"
        )
        cluster.start()
        back = time.monotonic()
        wait_until(lambda: ledger.first_success_after(back) is not None, 30, "a write after")
        wait_until(lambda: len(ledger.writes_since(back, 201)) >= 10, 30, "writes after")
    recovery = ledger.first_success_after(back)
    assert recovery is not None
    wait_until(deployment.caught_up, 30, "the projections caught up after the load")
    lost = lost_writes(deployment.base, deployment.admin, ledger.created, ledger.patched)
    statuses = ledger.statuses()
    fivexx = sum(n for status, n in statuses.items() if status >= 500 and status != 503)
    print(
        f"\nPostgreSQL restart under load: down {back - stopped:.2f} s;"
        f" acknowledged {ledger.acknowledged} ({len(ledger.created)} creates,"
        f" {len(ledger.patched)} PATCHes); lost {len(lost)}; 5xx other than 503: {fivexx};"
        f" 503s {statuses.get(503, 0)} {dict(ledger.problems())};"
        f" no answer {statuses.get(0, 0)}; first acknowledged write {recovery:.2f} s"
        f" after the server's return; answers {dict(sorted(statuses.items()))}"
    )
    assert lost == []
    assert ledger.server_errors == []
    assert statuses.get(0, 0) == 0  # every request got an answer
    assert recovery < 2.0
