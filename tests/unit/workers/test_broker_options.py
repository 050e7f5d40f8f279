"""The Redis broker's redelivery options reach Dramatiq (no Redis needed: it connects lazily)."""

from __future__ import annotations

from dramatiq.brokers.redis import DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_MAINTENANCE_CHANCE

from workers.broker import make_broker


def test_heartbeat_timeout_and_maintenance_chance_are_passed_to_the_redis_broker() -> None:
    broker = make_broker(
        "redis://127.0.0.1:1/0", set_global=False, heartbeat_timeout=2.5, maintenance_chance=10**6
    )
    assert broker.heartbeat_timeout == 2500  # type: ignore[attr-defined]
    assert broker.maintenance_chance == 1_000_000  # type: ignore[attr-defined]


def test_without_options_the_redis_broker_keeps_dramatiqs_defaults() -> None:
    broker = make_broker("redis://127.0.0.1:1/0", set_global=False)
    assert broker.heartbeat_timeout == DEFAULT_HEARTBEAT_TIMEOUT  # type: ignore[attr-defined]
    assert broker.maintenance_chance == DEFAULT_MAINTENANCE_CHANCE  # type: ignore[attr-defined]
