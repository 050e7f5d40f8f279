"""SIGKILL of the projector, then of a web worker, under write load against ``registry serve``
(two workers) and ``registry project``: no acknowledged write is lost and no answer is a 5xx.
While the projector is dead, writes answer from the event log; once restarted it catches up; a
killed worker is replaced. The figures are printed."""

from __future__ import annotations

import signal
import time

import psutil
import pytest

from tests.e2e.conftest import Processes, processes, wait_until
from tests.faults.processes import Load, PrivateCluster, cluster, deploy, lost_writes

pytestmark = pytest.mark.e2e
__all__ = ["cluster", "processes"]  # the fixtures, re-exported for this module


def _workers(server: psutil.Process) -> list[psutil.Process]:
    """uvicorn's live worker processes (spawned children; not the resource tracker)."""
    found = []
    for child in server.children():
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # a dead worker not reaped yet
            continue
    return found


def test_sigkilled_projector_and_web_worker_lose_no_acknowledged_write(
    cluster: PrivateCluster, processes: Processes
) -> None:
    # A private server: two web workers and a projector hold more connections than the
    # shared server's budget for one test.
    deployment = deploy(processes, cluster.url)
    server = psutil.Process(processes.running["serve"].pid)
    with Load(deployment) as load:
        ledger = load.ledger
        wait_until(lambda: len(ledger.writes_since(0, 201)) >= 10, 30, "writes before")

        processes.kill("project")  # SIGKILL
        killed = time.monotonic()
        wait_until(lambda: len(ledger.writes_since(killed, 200)) >= 3, 30, "writes, no projector")
        without = [a for a in ledger.answers if a.started >= killed and a.status in (200, 201)]
        processes.start("project-again", ["registry", "project"], deployment.env)
        restarted = time.monotonic()
        wait_until(
            lambda: ledger.first_success_after(restarted, fresh=True) is not None,
            30,
            "a write served by the read tables again",
        )
        projector_back = ledger.first_success_after(restarted, fresh=True)

        [victim, *_] = _workers(server)
        victim.send_signal(signal.SIGKILL)
        worker_killed = time.monotonic()
        wait_until(
            lambda: len(_workers(server)) == 2 and victim not in _workers(server),
            30,
            "uvicorn replacing the killed worker",
        )
        worker_back = time.monotonic() - worker_killed
        wait_until(lambda: len(ledger.writes_since(worker_killed, 201)) >= 5, 30, "writes after")
    wait_until(deployment.caught_up, 30, "the projections caught up after the load")
    lost = lost_writes(deployment.base, deployment.admin, ledger.created, ledger.patched)
    statuses = ledger.statuses()
    fivexx = sum(n for status, n in statuses.items() if status >= 500)
    unanswered = [a for a in ledger.answers if a.status == 0]
    print(
        f"\nSIGKILL under load: acknowledged {ledger.acknowledged} ({len(ledger.created)}"
        f" creates, {len(ledger.patched)} PATCHes); lost {len(lost)}; 5xx {fivexx};"
        f" without a projector {len(without)} acknowledged"
        f" ({sum(1 for a in without if a.source == 'event-log')} from the event log);"
        f" read tables serving writes again {projector_back:.2f} s after the projector's restart;"
        f" worker replaced in {worker_back:.2f} s; requests cut by the worker's death"
        f" {len(unanswered)}; answers {dict(sorted(statuses.items()))}"
    )
    assert lost == []
    assert fivexx == 0, ledger.server_errors
    assert without
    assert all(a.source == "event-log" for a in without if a.kind == "patch")
    assert all(a.started >= worker_killed - 1 for a in unanswered)  # only around the kill
