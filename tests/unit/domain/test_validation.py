"""Every field rule and message of §1.1.2 and decisions.md, on create and on amend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.validation import (
    INSECURE_URL,
    INVALID_PUBLIC_CONTACT,
    public_contact_errors,
    publication_errors,
    url_errors,
)

from .conftest import Refs

Data = Callable[..., dict[str, Any]]


def errors_for(app: Registry, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as info:
        app.register_submission(data, ip=None, user_agent_hash="")
    return info.value.errors


def test_a_valid_registration_is_accepted(app: Registry, valid_data: Data) -> None:
    result = app.register_submission(valid_data(), ip=None, user_agent_hash="")
    assert app.get_submission(result.submission_id).status == "submitted"


@pytest.mark.parametrize(
    "value", ["http://x.org", "ftp://x.org", "javascript:alert(1)", "data:x", "//x.org"]
)
def test_non_https_urls_are_rejected_with_the_insecure_message(value: str) -> None:
    assert url_errors("website_url", value) == [INSECURE_URL]


def test_an_empty_optional_url_passes() -> None:
    assert url_errors("github_url", "") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("github_url", "https://gitlab.com/x", "GitHub URL must start with https://github.com/"),
        (
            "biotools_url",
            "https://biotools.org/x",
            "bio.tools URL must start with https://bio.tools/",
        ),
        (
            "fairsharing_url",
            "https://fairsharing.com/x",
            "FAIRsharing URL must start with https://fairsharing.org/",
        ),
    ],
)
def test_registry_urls_need_their_prefix(field: str, value: str, message: str) -> None:
    assert url_errors(field, value) == [message]


@pytest.mark.parametrize("value", ["https://github.com/org/repo", "https://bio.tools/blast"])
def test_registry_urls_with_their_prefix_pass(value: str) -> None:
    field = "github_url" if "github" in value else "biotools_url"
    assert url_errors(field, value) == []


@pytest.mark.parametrize(
    "value", ["help@example.org", "https://example.org/support", "  help@example.org  "]
)
def test_public_contact_accepts_an_email_or_an_https_url(value: str) -> None:
    assert public_contact_errors(value) == []


@pytest.mark.parametrize("value", ["https://", "http://example.org", "not an email", "a@b"])
def test_public_contact_rejects_anything_else(value: str) -> None:
    assert public_contact_errors(value) == [INVALID_PUBLIC_CONTACT]


@pytest.mark.parametrize(
    "value", ["1", "12345678", "10.1000/xyz123", "12345678, 10.1000/xyz123", " 1 ,, 2 ,"]
)
def test_valid_pmids_and_dois_pass(value: str) -> None:
    assert publication_errors(value) == []


def test_publications_need_at_least_one_token() -> None:
    assert publication_errors(" , ,") == ["At least one PMID or DOI is required."]


def test_publications_allow_at_most_fifty() -> None:
    assert publication_errors(", ".join(["1"] * 50)) == []
    assert publication_errors(", ".join(["1"] * 51)) == [
        "A maximum of 50 publications may be listed."
    ]


def test_each_invalid_publication_token_is_named() -> None:
    assert publication_errors("123456789, 10.12/x, abc, 42") == [
        "'123456789' is not a valid PMID (digits only) or DOI (starts with 10.xxxx/).",
        "'10.12/x' is not a valid PMID (digits only) or DOI (starts with 10.xxxx/).",
        "'abc' is not a valid PMID (digits only) or DOI (starts with 10.xxxx/).",
    ]


@pytest.mark.parametrize("year", [1899, 2027])
def test_year_outside_1900_to_this_year_is_rejected(
    app: Registry, valid_data: Data, year: int
) -> None:
    errors = errors_for(app, valid_data(year_established=year))
    assert errors == {"year_established": ["Year established must be between 1900 and 2026."]}


@pytest.mark.parametrize("year", [1900, 2026])
def test_year_bounds_are_inclusive(app: Registry, valid_data: Data, year: int) -> None:
    app.register_submission(valid_data(year_established=year), ip=None, user_agent_hash="")


def test_description_must_have_50_to_5000_characters(app: Registry, valid_data: Data) -> None:
    short = errors_for(app, valid_data(service_description="x" * 49))
    assert short == {"service_description": ["Service description must be at least 50 characters."]}
    long = errors_for(app, valid_data(service_description="x" * 5001))
    assert long == {"service_description": ["Service description must not exceed 5000 characters."]}
    app.register_submission(valid_data(service_description="x" * 50), ip=None, user_agent_hash="")


def test_description_length_counts_after_html_removal(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(service_description="<b>" + "x" * 45 + "</b>"))
    assert "service_description" in errors


def test_a_toolbox_needs_a_toolbox_name(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(is_toolbox=True, toolbox_name="  "))
    assert errors == {"toolbox_name": ["Toolbox name is required when is_toolbox is True."]}


def test_kpi_since_is_required_unless_planned(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(kpi_monitoring="yes", kpi_since=""))
    assert errors == {"kpi_since": ["Please provide the year KPI monitoring started."]}
    app.register_submission(
        valid_data(kpi_monitoring="planned", kpi_since=""), ip=None, user_agent_hash=""
    )


def test_kpi_monitoring_must_be_a_known_choice(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(kpi_monitoring="maybe"))
    assert errors["kpi_monitoring"] == ['"maybe" is not a valid choice.']


def test_a_licence_or_a_licence_note_is_required(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(licenses=[], license_note=""))
    assert errors == {"licenses": ["Select at least one license or provide a license note."]}
    app.register_submission(
        valid_data(licenses=[], license_note="Proprietary"), ip=None, user_agent_hash=""
    )


def test_the_associated_partner_needs_a_note(app: Registry, valid_data: Data, refs: Refs) -> None:
    data = valid_data(responsible_pi_ids=[str(refs.partner_pi)])
    errors = errors_for(app, data)
    assert errors == {
        "associated_partner_note": [
            "Please provide the name and affiliation of the associated partner."
        ]
    }
    data["associated_partner_note"] = "Dr. Who, Gallifrey University"
    app.register_submission(data, ip=None, user_agent_hash="")


def test_consent_is_required_on_create(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(data_protection_consent=False))
    assert errors == {
        "data_protection_consent": [
            "You must consent to the data protection information to submit this form."
        ]
    }


def test_names_need_at_least_two_characters(app: Registry, valid_data: Data) -> None:
    errors = errors_for(
        app,
        valid_data(
            submitter_first_name="A",
            submitter_last_name="<b>B</b>",
            submitter_affiliation="",
            service_name="ab",
        ),
    )
    assert errors == {
        "submitter_first_name": ["First name must be at least 2 characters."],
        "submitter_last_name": ["Last name must be at least 2 characters."],
        "submitter_affiliation": ["Affiliation must be at least 2 characters."],
        "service_name": ["Service name must be at least 3 characters."],
    }


def test_missing_required_fields_are_all_reported_at_once(app: Registry) -> None:
    errors = errors_for(app, {})
    assert set(errors) >= {
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
        "data_protection_consent",
    }
    assert errors["service_name"] == ["This field is required."]


def test_categories_and_pis_may_not_be_empty(app: Registry, valid_data: Data) -> None:
    errors = errors_for(app, valid_data(service_category_ids=[], responsible_pi_ids=[]))
    assert errors == {
        "service_category_ids": ["This list may not be empty."],
        "responsible_pi_ids": ["This list may not be empty."],
    }


def test_unknown_and_inactive_ids_are_rejected_naming_the_field(
    app: Registry, valid_data: Data, refs: Refs
) -> None:
    errors = errors_for(
        app,
        valid_data(
            service_center_id=str(refs.inactive_centre),
            service_category_ids=[refs.category, 999],
            responsible_pi_ids=[str(refs.inactive_pi)],
            edam_topic_ids=["topic_9999", "operation_0292"],
            licenses=["Not-A-Licence"],
        ),
    )
    assert errors == {
        "service_center_id": [f'Invalid pk "{refs.inactive_centre}" - object does not exist.'],
        "service_category_ids": ['Invalid pk "999" - object does not exist.'],
        "responsible_pi_ids": [f'Invalid pk "{refs.inactive_pi}" - object does not exist.'],
        "edam_topic_ids": [
            'Invalid pk "operation_0292" - object does not exist.',
            'Invalid pk "topic_9999" - object does not exist.',
        ],
        "licenses": [
            '"Not-A-Licence" is not an SPDX licence identifier this registry knows'
            " (GET /api/v1/licenses/?q=… lists them; case does not matter)."
        ],
    }


def test_at_most_six_edam_topics_and_six_operations(app: Registry, valid_data: Data) -> None:
    topics = ["topic_0091", "topic_0080", "topic_0622", "topic_3168", "topic_0121", "topic_3307"]
    operations = [
        "operation_0292",
        "operation_2403",
        "operation_0004",
        "operation_3198",
        "operation_0310",
        "operation_2945",
    ]
    app.register_submission(
        valid_data(edam_topic_ids=topics, edam_operation_ids=operations),
        ip=None,
        user_agent_hash="",
    )
    errors = errors_for(app, valid_data(edam_topic_ids=[*topics, "topic_0003"]))
    assert errors["edam_topic_ids"][0] == "Select at most 6 EDAM topics."


def test_obsolete_edam_terms_and_deprecated_licences_cannot_be_newly_selected(
    app: Registry, valid_data: Data
) -> None:
    errors = errors_for(
        app,
        valid_data(
            edam_topic_ids=["topic_0003"],
            edam_operation_ids=["operation_0226"],
            licenses=["GPL-3.0"],
        ),
    )
    assert errors == {
        "edam_topic_ids": ["EDAM term topic_0003 is obsolete and cannot be newly selected."],
        "edam_operation_ids": [
            "EDAM term operation_0226 is obsolete and cannot be newly selected."
        ],
        "licenses": ["GPL-3.0 is a deprecated SPDX license and cannot be newly selected."],
    }


def test_wrong_types_are_reported_per_field(app: Registry, valid_data: Data) -> None:
    errors = errors_for(
        app,
        valid_data(
            year_established="soon",
            date_of_entry="01/02/2026",
            is_toolbox="yes",
            service_category_ids="1",
            service_center_id="not-a-uuid",
        ),
    )
    assert errors == {
        "year_established": ["A valid integer is required."],
        "date_of_entry": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        "is_toolbox": ["Must be a valid boolean."],
        "service_category_ids": ['Expected a list of items but got type "str".'],
        "service_center_id": ["Must be a valid UUID."],
    }


def test_amend_validates_the_merged_state(app: Registry, registered: Any) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.amend_submission(
            registered.submission_id,
            {"is_toolbox": True, "website_url": "http://insecure.example.org"},
            actor="api:Initial key",
            by_admin=False,
        )
    assert info.value.errors == {
        "toolbox_name": ["Toolbox name is required when is_toolbox is True."],
        "website_url": [INSECURE_URL],
    }


def test_amend_checks_the_licence_rule_against_stored_values(
    app: Registry, registered: Any
) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.amend_submission(
            registered.submission_id, {"licenses": []}, actor="api:k", by_admin=False
        )
    assert info.value.errors == {
        "licenses": ["Select at least one license or provide a license note."]
    }


def test_amend_does_not_ask_for_consent_again(app: Registry, registered: Any) -> None:
    outcome = app.amend_submission(
        registered.submission_id, {"comments": "fine"}, actor="api:k", by_admin=False
    )
    assert outcome.changed


def test_a_kept_inactive_reference_does_not_block_an_edit(
    app: Registry, registered: Any, refs: Refs
) -> None:
    app.set_reference_active("centre", refs.centre, False, actor="admin:root")
    app.set_reference_active("category", refs.category, False, actor="admin:root")
    outcome = app.amend_submission(
        registered.submission_id, {"comments": "still fine"}, actor="api:k", by_admin=False
    )
    assert outcome.changed


def test_amend_cannot_newly_select_an_inactive_category(
    app: Registry, registered: Any, refs: Refs
) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.amend_submission(
            registered.submission_id,
            {"service_category_ids": [refs.category, refs.inactive_category]},
            actor="api:k",
            by_admin=False,
        )
    assert info.value.errors == {
        "service_category_ids": [f'Invalid pk "{refs.inactive_category}" - object does not exist.']
    }


def test_a_deprecated_licence_already_selected_may_stay(app: Registry, registered: Any) -> None:
    # Make the stored licence deprecated by swapping the catalogue entry.
    from domain.catalog import LicenseRef, sample_catalog

    catalog = sample_catalog()
    catalog._licenses["MIT"] = LicenseRef("MIT", "MIT License", is_deprecated=True)
    app.catalog = catalog
    outcome = app.amend_submission(
        registered.submission_id,
        {"licenses": ["MIT", "Apache-2.0"]},
        actor="api:k",
        by_admin=False,
    )
    assert outcome.changed


def test_numbers_are_accepted_as_text_but_booleans_are_not(app: Registry, valid_data: Data) -> None:
    result = app.register_submission(valid_data(kpi_since=2021), ip=None, user_agent_hash="")
    assert app.get_submission(result.submission_id).values["kpi_since"] == "2021"
    assert errors_for(app, valid_data(comments=True)) == {"comments": ["Not a valid string."]}


def test_a_conditional_rule_runs_when_either_of_its_fields_changes(
    app: Registry, valid_data: Data
) -> None:
    planned = app.register_submission(
        valid_data(kpi_monitoring="planned", kpi_since=""), ip=None, user_agent_hash=""
    )
    with pytest.raises(ValidationFailed) as info:
        app.amend_submission(
            planned.submission_id, {"kpi_monitoring": "yes"}, actor="api:k", by_admin=False
        )
    assert info.value.errors == {"kpi_since": ["Please provide the year KPI monitoring started."]}
