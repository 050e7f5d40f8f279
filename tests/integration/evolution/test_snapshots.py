"""Squashing, answered with snapshots, on the real PostgreSQL event and snapshot tables."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.application import Registry
from projections.eventstore import open_registry
from tests.integration.evolution.old_store import (
    OLD_SUBMISSION,
    SUBMISSION_FIXTURES,
    fixture,
    stored,
)

AMENDMENTS = 3000


def _counting(app: Registry) -> list[int]:
    """Count the stored events and snapshots the app decodes from now on."""
    decoded = [0]
    decode = app.mapper.to_domain_event

    def counting(stored_event: StoredEvent) -> Any:
        decoded[0] += 1
        return decode(stored_event)

    app.mapper.to_domain_event = counting  # type: ignore[method-assign]
    return decoded


def test_an_old_snapshot_is_upcast_and_a_long_history_loads_in_a_few_events(
    database_url: str,
) -> None:
    app = open_registry(database_url, create_tables=True)
    try:
        app.recorder.insert_events([stored(fixture(name)) for name in SUBMISSION_FIXTURES])
        assert app.snapshots is not None
        app.snapshots.recorder.insert_events([stored(fixture("submission_snapshot_v1.json"))])
        sid = UUID(OLD_SUBMISSION)
        decoded = _counting(app)
        view = app.get_submission(sid)
        assert decoded[0] == 1  # the v1 snapshot at version 3 alone, upcast to today's shape
        assert (view.version, view.values["kpi_since"]) == (3, "2020")
        assert view.values["data_access_type"] == "open"

        for number in range(AMENDMENTS):
            app.amend_submission(sid, {"comments": f"c{number}"}, actor="admin:x", by_admin=True)
        decoded[0] = 0
        view = app.get_submission(sid)
        assert view.version == 3 + AMENDMENTS
        assert view.values["comments"] == f"c{AMENDMENTS - 1}"
        assert 0 < decoded[0] <= 50  # one snapshot + fewer than 50 events, not 3,003 events
        assert len(list(app.snapshots.get(sid))) >= AMENDMENTS // 50
    finally:
        app.close()
