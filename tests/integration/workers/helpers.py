"""Registering a valid submission in a real Registry (reference data included)."""

from __future__ import annotations

from typing import Any

from domain.application import Registry
from tests.payloads import KPI_SINCE_2021, submission_payload


def register(app: Registry, biotools_url: str = "", **overrides: Any) -> Any:
    """Create the reference data a submission needs and register one; returns the Registration."""
    admin = "admin:test"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld-Gießen"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    data = submission_payload(
        category=int(category.id),
        pi=str(pi.id),
        centre=str(centre.id),
        **{"biotools_url": biotools_url, **KPI_SINCE_2021, **overrides},
    )
    return app.register_submission(data, ip="192.0.2.1", user_agent_hash="0" * 64)
