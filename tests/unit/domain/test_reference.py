"""Reference data: categories, centres, PIs (ORCID, ROR), uniqueness and soft deletion."""

from __future__ import annotations

import pytest

from domain import ids
from domain.application import Registry
from domain.errors import NotFound, ValidationFailed
from domain.reference_rules import ORCID_CHECKSUM, ORCID_FORMAT, orcid_errors, ror_errors

from .conftest import history

ADMIN = "admin:root"


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X", ""]
)
def test_valid_orcids_pass(orcid: str) -> None:
    assert orcid_errors(orcid) == []


@pytest.mark.parametrize(
    ("orcid", "message"),
    [
        ("0000-0002-1825-0098", ORCID_CHECKSUM),
        ("0000-0002-1694-2331", ORCID_CHECKSUM),
        ("0000-0002-1825-009", ORCID_FORMAT),
        ("0000000218250097", ORCID_FORMAT),
        ("0000-0002-1825-009x", ORCID_FORMAT),
        ("https://orcid.org/0000-0002-1825-0097", ORCID_FORMAT),
    ],
)
def test_invalid_orcids_give_the_exact_message(orcid: str, message: str) -> None:
    assert orcid_errors(orcid) == [message]
    assert ORCID_FORMAT == (
        "ORCID must be in format 0000-0000-0000-0000 "
        "(last character may be X for the checksum digit)."
    )
    assert ORCID_CHECKSUM == "ORCID checksum is invalid."


@pytest.mark.parametrize("ror", ["https://ror.org/02hpadn98", "https://ror.org/05f950310", ""])
def test_valid_ror_ids_pass(ror: str) -> None:
    assert ror_errors(ror) == []


@pytest.mark.parametrize(
    "ror", ["ror.org/02hpadn98", "https://ror.org/12hpadn98", "https://ror.org/0abc"]
)
def test_invalid_ror_ids_are_rejected(ror: str) -> None:
    assert ror_errors(ror)


def test_categories_get_sequential_ids_and_deterministic_aggregate_ids(app: Registry) -> None:
    first = app.create_category({"name": "Tools"}, actor=ADMIN)
    second = app.create_category({"name": "Data"}, actor=ADMIN)
    assert (first.id, second.id) == (1, 2)
    assert first.aggregate_id == ids.category_id(1)


def test_category_names_are_unique_ignoring_case(app: Registry) -> None:
    app.create_category({"name": "Tools"}, actor=ADMIN)
    with pytest.raises(ValidationFailed) as info:
        app.create_category({"name": " tools "}, actor=ADMIN)
    assert info.value.errors == {"name": ["service category with this name already exists."]}


def test_renaming_a_category_frees_its_old_name(app: Registry) -> None:
    tools = app.create_category({"name": "Tools"}, actor=ADMIN)
    data = app.create_category({"name": "Data"}, actor=ADMIN)
    with pytest.raises(ValidationFailed):
        app.update_reference("category", data.id, {"name": "Tools"}, actor=ADMIN)
    app.update_reference("category", tools.id, {"name": "Software"}, actor=ADMIN)
    app.update_reference("category", data.id, {"name": "Tools"}, actor=ADMIN)
    assert app.get_reference("category", data.id)["name"] == "Tools"


def test_an_import_may_give_the_category_id(app: Registry) -> None:
    result = app.create_category({"name": "Imported"}, actor="import", category_id=17)
    assert result.id == 17
    assert app.create_category({"name": "Next"}, actor=ADMIN).id == 18


def test_centre_fields_are_validated(app: Registry) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.create_centre(
            {"short_name": "", "full_name": "X", "website": "http://x.org", "ror_id": "nope"},
            actor=ADMIN,
        )
    assert set(info.value.errors) == {"short_name", "website", "ror_id"}


def test_pi_orcid_and_email_are_validated(app: Registry) -> None:
    with pytest.raises(ValidationFailed) as info:
        app.create_pi(
            {
                "last_name": "Doe",
                "first_name": "Jane",
                "orcid": "0000-0002-1825-0098",
                "email": "x",
            },
            actor=ADMIN,
        )
    assert info.value.errors == {
        "orcid": ["ORCID checksum is invalid."],
        "email": ["Enter a valid email address."],
    }


def test_at_most_one_associated_partner(app: Registry) -> None:
    data = {"last_name": "Partner", "first_name": "Any", "is_associated_partner": True}
    first = app.create_pi(data, actor=ADMIN)
    with pytest.raises(ValidationFailed):
        app.create_pi(data, actor=ADMIN)
    other = app.create_pi({"last_name": "B", "first_name": "C"}, actor=ADMIN)
    with pytest.raises(ValidationFailed):
        app.update_reference("pi", other.id, {"is_associated_partner": True}, actor=ADMIN)
    app.update_reference("pi", first.id, {"is_associated_partner": False}, actor=ADMIN)
    app.update_reference("pi", other.id, {"is_associated_partner": True}, actor=ADMIN)


def test_updates_record_changes_and_identical_updates_record_nothing(app: Registry) -> None:
    centre = app.create_centre({"short_name": "C", "full_name": "Centre"}, actor=ADMIN)
    changed = app.update_reference("centre", centre.id, {"full_name": "Big Centre"}, actor=ADMIN)
    assert changed.changed
    same = app.update_reference("centre", centre.id, {"full_name": " Big Centre "}, actor=ADMIN)
    assert not same.changed
    last = history(app, centre.aggregate_id)[-1]
    assert last.changes == [
        {"field": "full_name", "label": "Full Name", "old": "Centre", "new": "Big Centre"}
    ]


def test_deactivation_is_soft_and_reversible(app: Registry) -> None:
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ADMIN)
    assert app.set_reference_active("pi", pi.id, False, actor=ADMIN).changed
    assert not app.set_reference_active("pi", pi.id, False, actor=ADMIN).changed
    assert app.get_reference("pi", pi.id)["is_active"] is False
    assert app.set_reference_active("pi", pi.id, True, actor=ADMIN).changed


def test_unknown_reference_records_are_not_found(app: Registry) -> None:
    with pytest.raises(NotFound):
        app.get_reference("category", 404)
