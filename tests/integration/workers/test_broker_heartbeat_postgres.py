"""The PostgreSQL broker takes the heartbeat timeout in dramatiq-postgres' own proportions."""

from __future__ import annotations

import pytest

from workers.broker import make_broker

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("timeout", "expected"), [(None, (60.0, 15.0, 30.0)), (8.0, (8.0, 2.0, 4.0))]
)
def test_the_heartbeat_timeout_sets_ttl_beat_and_upkeep_intervals(
    database_url: str, timeout: float | None, expected: tuple[float, float, float]
) -> None:
    broker = make_broker(database_url, set_global=False, heartbeat_timeout=timeout)
    try:
        got = (
            broker.heartbeat_ttl,  # type: ignore[attr-defined]
            broker.heartbeat_interval,  # type: ignore[attr-defined]
            broker.maintenance_interval,  # type: ignore[attr-defined]
        )
    finally:
        broker.close()
    assert got == expected
