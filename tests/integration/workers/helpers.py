"""Registering a valid submission in a real Registry (reference data included)."""

from __future__ import annotations

from typing import Any

from domain.application import Registry


def register(app: Registry, biotools_url: str = "", **overrides: Any) -> Any:
    """Create the reference data a submission needs and register one; returns the Registration."""
    admin = "admin:test"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    data = {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines Ltd",
        "service_name": "Sequence Mapper",
        "service_description": "Maps sequencing reads to a reference genome, quickly and well.",
        "year_established": 2020,
        "service_category_ids": [int(category.id)],
        "responsible_pi_ids": [str(pi.id)],
        "host_institute": "Bielefeld University",
        "service_center_id": str(centre.id),
        "public_contact_email": "help@mapper.example.org",
        "internal_contact_name": "Ada Lovelace",
        "internal_contact_email": "ada@mapper.example.org",
        "website_url": "https://mapper.example.org",
        "terms_of_use_url": "https://mapper.example.org/terms",
        "kpi_monitoring": "yes",
        "kpi_start_year": "2021",
        "publications_pmids": "12345678",
        "licenses": ["MIT"],
        "biotools_url": biotools_url,
        "data_protection_consent": True,
        **overrides,
    }
    return app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64)
