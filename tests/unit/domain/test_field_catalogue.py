"""The field catalogue: what is derived from it, its accessors, text maxima, and stored payloads
of submissions recorded before a field existed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from domain import fields
from domain.application import Registry
from domain.errors import ValidationFailed
from domain.field_types import TOO_LONG
from domain.fields import (
    CONTENT,
    DEFAULT_EXEMPT_FIELDS,
    DEFAULTS,
    FIELDS,
    PERSONAL_FIELDS,
    REQUIRED_ON_CREATE,
    SYSTEM_CONTROLLED,
    admin_columns,
    export_columns,
    form_sections,
    mail_fields,
)
from projections.projectors.submission_doc import fold
from projections.queries import shapes

Data = Callable[..., dict[str, Any]]


def test_the_derived_constants_are_those_the_code_declared_before_the_catalogue() -> None:
    assert {
        "submitter_first_name",
        "submitter_last_name",
        "submitter_affiliation",
        "internal_contact_name",
        "internal_contact_email",
        "public_contact_email",
        "comments",  # personal since erasure (docs/erasure.md)
    } == PERSONAL_FIELDS
    assert {
        "logo",
        "github_url",
        "biotools_url",
        "fairsharing_url",
        "other_registry_url",
        "edam_topics",
        "edam_operations",
        "keywords_uncited",
        "keywords_seo",
        "publications_pmids",
        "public_contact_email",
        "internal_contact_name",
        "internal_contact_email",
        "website_url",
        "terms_of_use_url",
        "kpi_monitoring",
        "kpi_since",
        "comments",
    } == DEFAULT_EXEMPT_FIELDS
    assert {
        "status",
        "date_of_entry",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "register_as_elixir",
    } == SYSTEM_CONTROLLED
    assert set(REQUIRED_ON_CREATE) == {
        "date_of_entry",
        "service_name",
        "service_description",
        "year_established",
        "publications_pmids",
        "host_institute",
        "public_contact_email",
        "internal_contact_name",
        "internal_contact_email",
        "website_url",
        "terms_of_use_url",
        "kpi_monitoring",
        "service_center_id",
        "service_category_ids",
        "responsible_pi_ids",
    }
    assert DEFAULTS["data_access_type"] == "open"
    assert DEFAULTS["survey_participation"] is True
    assert len(DEFAULTS) == 26
    assert fields.RENAMED_FIELDS == {"kpi_start_year": "kpi_since"}
    assert fields.label_for("service_center") == "Service Centre"
    assert fields.change_name("edam_topic_ids") == "edam_topics"


def test_every_text_field_has_a_documented_maximum() -> None:
    from web.openapi import build_openapi

    create = build_openapi()["components"]["schemas"]["SubmissionCreate"]["properties"]
    texts = [f for f in CONTENT if f.kind in ("text", "plain") and f.writable and not f.choices]
    assert texts
    for f in texts:
        assert f.max_length is not None, f.name
        documented = create[f.name].get("maxLength") or next(
            (s.get("maxLength") for s in create[f.name].get("anyOf", []) if "maxLength" in s),
            None,
        )
        assert documented == f.max_length, f.name


def test_a_900000_character_text_is_refused_naming_the_field(
    app: Registry, valid_data: Data
) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.register_submission(
            valid_data(comments="x" * 900_000, keywords_seo="y" * 2001),
            ip=None,
            user_agent_hash="",
        )
    assert info.value.errors == {
        "comments": [TOO_LONG.format(limit=5000)],
        "keywords_seo": [TOO_LONG.format(limit=2000)],
    }


def test_the_api_models_refuse_an_overlong_text_with_the_domains_message() -> None:
    from pydantic import ValidationError

    from schema.api.submissions import SubmissionPatch

    with pytest.raises(ValidationError) as info:
        SubmissionPatch.model_validate(
            {"comments": "x" * 900_000, "service_description": "d" * 5001}
        )
    messages = {
        e["loc"][0]: str(e.get("ctx", {}).get("error", e["msg"])) for e in info.value.errors()
    }
    assert set(messages) == {"comments", "service_description"}
    assert messages["service_description"] == "Service description must not exceed 5000 characters."


def test_the_form_offers_every_written_field_once_in_its_section() -> None:
    sections = form_sections()
    assert [s.key for s in sections] == ["A", "B", "C", "D", "E", "F", "G"]
    on_form = [f.name for s in sections for f in s.fields]
    written = [f.name for f in CONTENT if f.writable]
    assert sorted(on_form) == sorted([*written, fields.CONSENT_FIELD])
    assert len(on_form) == len(set(on_form))
    section_b = next(s for s in sections if s.key == "B")
    assert section_b.fields[-1].name == "logo"  # last in B, as on the old form
    assert all(f.form_label and f.widget != "none" for s in sections for f in s.fields)
    assert fields.field("service_name").form_label == "Name of the Service"


def test_exports_admin_columns_and_mails_come_from_the_declarations() -> None:
    exported = {f.served_as for f in export_columns()}
    assert "service_name" in exported
    assert "service_center" in exported  # references are exported resolved
    assert not exported & {
        "submitter_first_name",
        "internal_contact_email",
        "comments",
        "data_protection_consent",
    }
    assert [f.name for f in admin_columns()][:2] == ["status", "service_name"]
    assert "kpi_since" in {f.name for f in mail_fields()}


def test_every_declaration_is_consistent() -> None:
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    for f in FIELDS:
        if f.required_when is not None:
            assert f.required_when.field in names, f.name
        if f.has_default and f.choices:
            assert f.default in {c.value for c in f.choices}, f.name
        if f.refers_to is not None:
            assert f.served_as != f.name or f.refers_to == "license", f.name
        assert f.role != "computed" or f.computed is not None, f.name


def _without(stored: StoredEvent, *names: str) -> StoredEvent:
    """The stored registration as the code before ``names`` existed wrote it (another id)."""
    state = json.loads(stored.state)
    for name in names:
        del state["values"][name]
    return StoredEvent(uuid4(), 1, stored.topic, json.dumps(state).encode())


def test_a_registration_stored_before_a_field_existed_reads_its_default(
    app: Registry, registered: Any
) -> None:
    stored = app.recorder.select_events(registered.submission_id)[0]
    assert stored.topic == "registry/Submission.Registered/v2"
    older = _without(stored, "data_access_type", "comments", "survey_participation")
    app.recorder.insert_events([older])
    values = app.get_submission(older.originator_id).values
    assert values["data_access_type"] == "open"
    assert values["comments"] == ""
    assert values["survey_participation"] is True
    # An edit records the change from the default.
    outcome = app.amend_submission(
        older.originator_id, {"data_access_type": "closed"}, actor="admin:x", by_admin=True
    )
    assert outcome.changes[0]["old"] == "Open access"
    # The read side: a document folded from it, and one stored before the field existed.
    event = app.mapper.to_domain_event(older)
    doc = fold(None, event)
    assert doc is not None
    assert doc["data_access_type"] == "open"
    del doc["data_access_type"]
    served = shapes.submission(
        doc,
        {"centre": None, "categories": [], "pis": [], "topics": [], "operations": []},
        full_record=False,
    )
    assert served["data_access_type"] == "open"
    assert served["survey_participation"] is True
