"""Fixtures: a POPO Registry with reference data, and its log as projector input (no database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.application import Registry
from projections.projector import Event, Projector, Row, RowKey, replay
from tests.payloads import KPI_SINCE_2021, submission_payload


class Clock:
    """A clock that moves one minute per reading, so every event has its own instant."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@dataclass
class World:
    app: Registry
    centre: UUID
    category: int
    pi: UUID

    def log(self) -> list[Event]:
        """Every event so far, decoded, with its position and topic."""
        notifications = self.app.recorder.select_notifications(start=1, limit=100_000)
        return [Event(n.id, n.topic, self.app.mapper.to_domain_event(n)) for n in notifications]

    def rows(self, projector: Projector) -> dict[RowKey, Row]:
        """What a from-scratch replay of the log gives."""
        return replay(projector, self.log())

    def register(self, **overrides: Any) -> Any:
        data = submission_payload(
            category=self.category,
            pi=str(self.pi),
            centre=str(self.centre),
            **{
                "internal_contact_name": "Ada Internal",
                "edam_topic_ids": ["topic_0091"],
                **KPI_SINCE_2021,
                **overrides,
            },
        )
        return self.app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64)


@pytest.fixture
def world() -> World:
    app = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=Clock())
    admin = "admin:root"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    return World(app, UUID(str(centre.id)), int(category.id), UUID(str(pi.id)))


RowsOf = Callable[[Projector], dict[RowKey, Row]]
