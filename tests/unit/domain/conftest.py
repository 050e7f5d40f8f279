"""Fixtures: a POPO-backed Registry with reference data and a valid registration payload."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.application import Registry
from tests.payloads import submission_payload

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@dataclass
class Refs:
    centre: UUID
    other_centre: UUID
    inactive_centre: UUID
    category: int
    other_category: int
    inactive_category: int
    pi: UUID
    other_pi: UUID
    partner_pi: UUID
    inactive_pi: UUID


@pytest.fixture
def app() -> Registry:
    return Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)


@pytest.fixture
def refs(app: Registry) -> Refs:
    admin = "admin:root"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=admin)
    other = app.create_centre({"short_name": "HD", "full_name": "Heidelberg"}, actor=admin)
    gone = app.create_centre({"short_name": "Old", "full_name": "Old centre"}, actor=admin)
    app.set_reference_active("centre", gone.id, False, actor=admin)
    tools = app.create_category({"name": "Tools"}, actor=admin)
    data = app.create_category({"name": "Databases"}, actor=admin)
    old = app.create_category({"name": "Legacy"}, actor=admin)
    app.set_reference_active("category", old.id, False, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    other_pi = app.create_pi({"last_name": "Roe", "first_name": "Rich"}, actor=admin)
    partner = app.create_pi(
        {"last_name": "Partner", "first_name": "Any", "is_associated_partner": True}, actor=admin
    )
    inactive_pi = app.create_pi({"last_name": "Gone", "first_name": "Guy"}, actor=admin)
    app.set_reference_active("pi", inactive_pi.id, False, actor=admin)
    return Refs(
        centre=UUID(str(centre.id)),
        other_centre=UUID(str(other.id)),
        inactive_centre=UUID(str(gone.id)),
        category=int(tools.id),
        other_category=int(data.id),
        inactive_category=int(old.id),
        pi=UUID(str(pi.id)),
        other_pi=UUID(str(other_pi.id)),
        partner_pi=UUID(str(partner.id)),
        inactive_pi=UUID(str(inactive_pi.id)),
    )


@pytest.fixture
def valid_data(refs: Refs) -> Callable[..., dict[str, Any]]:
    def make(**overrides: Any) -> dict[str, Any]:
        return submission_payload(
            category=refs.category,
            pi=str(refs.pi),
            centre=str(refs.centre),
            **{
                "kpi_monitoring": "yes",
                "kpi_since": "2021",
                "publications_pmids": "12345678, 10.1000/xyz123",
                "edam_topic_ids": ["topic_0091"],
                **overrides,
            },
        )

    return make


@pytest.fixture
def registered(app: Registry, valid_data: Callable[..., dict[str, Any]]) -> Any:
    return app.register_submission(valid_data(), ip="192.0.2.1", user_agent_hash="0" * 64)


def history(app: Registry, aggregate_id: Any) -> list[Any]:
    """The aggregate's stored events, oldest first (typed loosely for attribute access)."""
    return list(app.events.get(aggregate_id))
