"""Fixtures: the eventsourcing.postgres environment for a fresh test database."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from domain.application import Registry
from tests.payloads import submission_payload

pytestmark = pytest.mark.integration


def postgres_env(url: str) -> dict[str, str]:
    """The eventsourcing.postgres settings for a database URL."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(info["dbname"]),
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", "5432")),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        "CREATE_TABLE": "y",
    }


@pytest.fixture
def pg_env(database_url: str) -> dict[str, str]:
    return postgres_env(database_url)


def seed(app: Registry) -> dict[str, Any]:
    """Reference data and a valid registration payload."""
    admin = "admin:root"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    return submission_payload(category=category.id, pi=str(pi.id), centre=str(centre.id))


def history(app: Registry, aggregate_id: Any) -> list[Any]:
    """The aggregate's stored events, oldest first (typed loosely for attribute access)."""
    return list(app.events.get(aggregate_id))
