"""The one valid registration payload the suites build on (spec §3.3 wire names).

Callers pass the ids of the reference data they created and override what their test is about;
the KPI variant most suites use is :data:`KPI_SINCE_2021`.
"""

from __future__ import annotations

from typing import Any

#: KPI monitoring running since 2021 (the planned variant needs no start year).
KPI_SINCE_2021: dict[str, Any] = {"kpi_monitoring": "yes", "kpi_start_year": "2021"}


def submission_payload(
    *, category: object, pi: object, centre: object, **overrides: Any
) -> dict[str, Any]:
    """A registration that passes every rule, with ``overrides`` applied last."""
    data: dict[str, Any] = {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines Ltd",
        "service_name": "Sequence Mapper",
        "service_description": "Maps sequencing reads to a reference genome, quickly and well.",
        "year_established": 2020,
        "service_category_ids": [category],
        "responsible_pi_ids": [pi],
        "host_institute": "Bielefeld University",
        "service_center_id": centre,
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
    data.update(overrides)
    return data
