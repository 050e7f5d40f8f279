"""EDAM search by accession and URL, ``?limit=``, and the seed's queries as list filters, on the
real EDAM data (edam-ontology 1.25 as ``registry migrate`` loads it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from schema.biotools import flat_record, parse_entry
from tests.integration.newcomer.conftest import Fresh

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parents[3] / "bench" / "fixtures" / "biotools"


def _accessions(fresh: Fresh, query: str) -> list[str]:
    response = fresh.client.get(f"/api/v1/edam/{query}")
    assert response.status_code == 200, response.text
    return [term["accession"] for term in response.json()]


def test_edam_search_finds_a_term_by_accession_url_label_and_synonym(fresh: Fresh) -> None:
    assert _accessions(fresh, "?q=topic_0121") == ["topic_0121"]
    assert _accessions(fresh, "?q=http://edamontology.org/topic_0121") == ["topic_0121"]
    assert _accessions(fresh, "?q=https://edamontology.org/topic_0121") == ["topic_0121"]
    assert "topic_0121" in _accessions(fresh, "?q=proteomics&branch=topic")
    assert "topic_0121" in _accessions(fresh, "?q=Bottom-up proteomics")
    assert _accessions(fresh, "?q=operation_0492") == ["operation_0492"]


def test_the_edam_limit_cuts_the_same_list_and_without_it_nothing_changes(fresh: Fresh) -> None:
    everything = _accessions(fresh, "")
    assert len(everything) == 2358  # every non-obsolete term, as before
    topics = _accessions(fresh, "?branch=topic")
    assert _accessions(fresh, "?branch=topic&limit=5") == topics[:5]
    assert _accessions(fresh, "?limit=100000") == everything[:500]
    refused = fresh.client.get("/api/v1/edam/?limit=0")
    assert refused.status_code == 400
    assert "limit" in refused.json()["errors"]


def _listed(fresh: Fresh, admin: dict[str, str], query: str) -> set[str]:
    response = fresh.client.get(f"/api/v1/submissions/?{query}", headers=admin)
    assert response.status_code == 200, response.text
    return {item["service_name"] for item in response.json()["results"]}


def test_submissions_filter_by_edam_topic_and_operation_with_every_descendant(
    fresh: Fresh,
) -> None:
    fresh.register(service_name="Phenotyper", edam_topic_ids=["topic_3298"])  # Phenomics
    fresh.register(service_name="Peptides", edam_topic_ids=["topic_0121"])  # Proteomics
    fresh.register(
        service_name="Aligner",
        edam_topic_ids=["topic_0091"],
        edam_operation_ids=["operation_0492"],  # Multiple sequence alignment
    )
    admin = fresh.admin_key("read")

    assert _listed(fresh, admin, "edam_topic=topic_0121") == {"Peptides"}
    assert _listed(fresh, admin, "edam_topic=topic_3391") == set()  # Omics itself: nobody
    # Omics and below: Proteomics (first parent Omics) and Phenomics, whose first parent is
    # Omics' sibling topic_3299 and Omics only its second.
    subtree = "edam_topic=topic_3391&descendants=true"
    assert _listed(fresh, admin, subtree) == {"Peptides", "Phenotyper"}
    by_url = "edam_topic=https://edamontology.org/topic_3391&descendants=1"
    assert _listed(fresh, admin, by_url) == {"Peptides", "Phenotyper"}
    assert _listed(fresh, admin, "edam_topic=topic_0121,topic_0091") == {"Peptides", "Aligner"}
    assert _listed(fresh, admin, "edam_operation=operation_0292") == set()
    aligners = "edam_operation=operation_0292&descendants=true"  # Sequence alignment
    assert _listed(fresh, admin, aligners) == {"Aligner"}
    assert _listed(fresh, admin, "edam_topic=topic_0121&edam_operation=operation_0492") == set()

    refused = fresh.client.get(
        "/api/v1/submissions/?edam_topic=Proteomics&descendants=maybe", headers=admin
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"edam_topic", "descendants"}


def _synced(fresh: Fresh, tool: str) -> None:
    raw: dict[str, Any] = json.loads((FIXTURES / f"{tool}.json").read_text())
    created = fresh.register(service_name=raw["name"], biotools_url=f"https://bio.tools/{tool}")
    record = flat_record(parse_entry(raw))
    fresh.registry.record_biotools_sync(UUID(created["id"]), tool, record)


def _records(fresh: Fresh, admin: dict[str, str], query: str) -> set[str]:
    response = fresh.client.get(f"/api/v1/biotools/?{query}", headers=admin)
    assert response.status_code == 200, response.text
    return {record["biotools_id"] for record in response.json()["results"]}


def test_biotools_records_filter_by_an_operation_of_any_function_and_by_maturity(
    fresh: Fresh,
) -> None:
    for tool in ("bwa", "clustalw", "v-pipe"):
        _synced(fresh, tool)
    fresh.sync()
    admin = fresh.admin_key("read")

    assert _records(fresh, admin, "") == {"bwa", "clustalw", "v-pipe"}
    # bwa lists read mapping in one of its six functions.
    assert _records(fresh, admin, "edam_operation=operation_3198") == {"bwa"}
    assert _records(fresh, admin, "edam_operation=operation_0492") == {"clustalw"}
    assert _records(fresh, admin, "edam_operation=operation_0292") == {"bwa", "v-pipe"}
    subtree = "edam_operation=operation_0292&descendants=true"
    assert _records(fresh, admin, subtree) == {"bwa", "v-pipe", "clustalw"}
    assert _records(fresh, admin, "maturity=Mature") == {"bwa"}
    assert _records(fresh, admin, "maturity=legacy") == {"clustalw"}
    assert _records(fresh, admin, "maturity=Emerging&edam_operation=operation_0292") == {"v-pipe"}
    refused = fresh.client.get("/api/v1/biotools/?maturity=young", headers=admin)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"maturity": ["Must be one of Emerging, Mature, Legacy."]}
