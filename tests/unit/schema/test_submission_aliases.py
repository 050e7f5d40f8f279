"""The ``kpi_start_year`` alias of ``kpi_since`` and the new fields in the request/response
models and the committed OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from schema.api.submissions import SubmissionPatch

OPENAPI = Path(__file__).parents[3] / "schema" / "openapi.json"


def test_the_deprecated_name_reaches_the_domain_under_the_new_one() -> None:
    assert SubmissionPatch.model_validate({"kpi_start_year": "2019"}).payload() == {
        "kpi_since": "2019"
    }
    both = SubmissionPatch.model_validate({"kpi_start_year": "2019", "kpi_since": "2019"})
    assert both.payload() == {"kpi_since": "2019"}


def test_both_names_with_different_values_are_refused_on_the_alias() -> None:
    with pytest.raises(ValidationError) as info:
        SubmissionPatch.model_validate({"kpi_since": "2020", "kpi_start_year": "2019"})
    assert [e["loc"] for e in info.value.errors()] == [("kpi_start_year",)]


def test_an_unknown_data_access_type_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        SubmissionPatch.model_validate({"data_access_type": "secret"})
    assert [e["loc"] for e in info.value.errors()] == [("data_access_type",)]


def test_the_openapi_document_marks_the_alias_deprecated_and_lists_the_new_fields() -> None:
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    for model in ("Submission", "SubmissionPatch", "SubmissionCreate"):
        properties = schemas[model]["properties"]
        assert properties["kpi_start_year"]["deprecated"] is True, model
        assert "deprecated" not in properties["kpi_since"], model
        assert "data_access_type" in properties, model
    assert "related_services" in schemas["Submission"]["required"]
    assert "related_service_ids" in schemas["SubmissionPatch"]["properties"]
    assert "ror_id" in schemas["Centre"]["required"]
