"""Fixtures: the eventsourcing.postgres environment for a fresh test database."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from domain.application import Registry

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
    return {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines Ltd",
        "service_name": "Sequence Mapper",
        "service_description": "Maps sequencing reads to a reference genome, quickly and well.",
        "year_established": 2020,
        "service_category_ids": [category.id],
        "responsible_pi_ids": [str(pi.id)],
        "host_institute": "Bielefeld University",
        "service_center_id": str(centre.id),
        "public_contact_email": "help@mapper.example.org",
        "internal_contact_name": "Ada Lovelace",
        "internal_contact_email": "ada@mapper.example.org",
        "website_url": "https://mapper.example.org",
        "terms_of_use_url": "https://mapper.example.org/terms",
        "kpi_monitoring": "planned",
        "publications_pmids": "12345678",
        "licenses": ["MIT"],
        "data_protection_consent": True,
    }


def history(app: Registry, aggregate_id: Any) -> list[Any]:
    """The aggregate's stored events, oldest first (typed loosely for attribute access)."""
    return list(app.events.get(aggregate_id))
