"""Forgiving licence ids: any case matches, the canonical SPDX case is what is stored, and an
unknown id is refused in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.application import Registry
from domain.catalog import canonical_licenses, sample_catalog
from domain.errors import ValidationFailed

Data = Callable[..., dict[str, Any]]


def test_a_licence_id_in_any_case_is_stored_in_its_canonical_spdx_case(
    app: Registry, valid_data: Data
) -> None:
    done = app.register_submission(
        valid_data(licenses=["mit", "APACHE-2.0"]), ip=None, user_agent_hash=""
    )
    assert app.get_submission(done.submission_id).values["licenses"] == ["Apache-2.0", "MIT"]


def test_sending_a_stored_licence_in_another_case_changes_nothing(
    app: Registry, valid_data: Data
) -> None:
    done = app.register_submission(valid_data(licenses=["MIT"]), ip=None, user_agent_hash="")
    again = app.amend_submission(
        done.submission_id, {"licenses": ["mit"]}, actor="api:Initial key", by_admin=False
    )
    assert again.changed is False
    changed = app.amend_submission(
        done.submission_id,
        {"licenses": ["mit", "bsd-3-clause"]},
        actor="api:Initial key",
        by_admin=False,
    )
    assert changed.changed is True
    stored = app.get_submission(done.submission_id).values["licenses"]
    assert stored == ["BSD-3-Clause", "MIT"]


def test_an_unknown_licence_is_refused_naming_it_in_plain_words(
    app: Registry, valid_data: Data
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        app.register_submission(valid_data(licenses=["mitt"]), ip=None, user_agent_hash="")
    (message,) = refused.value.errors["licenses"]
    assert message.startswith('"mitt" is not an SPDX licence identifier')
    assert "/api/v1/licenses/" in message
    assert "license_id=" not in message


def test_a_deprecated_licence_in_another_case_is_still_refused_as_new(
    app: Registry, valid_data: Data
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        app.register_submission(valid_data(licenses=["gpl-3.0"]), ip=None, user_agent_hash="")
    assert refused.value.errors["licenses"] == [
        "GPL-3.0 is a deprecated SPDX license and cannot be newly selected."
    ]


def test_canonicalising_leaves_unknown_and_missing_licences_alone() -> None:
    catalog = sample_catalog()
    assert canonical_licenses({"licenses": ["nope", "mit"]}, catalog) == {
        "licenses": ["nope", "MIT"]
    }
    assert canonical_licenses({"service_name": "x"}, catalog) == {"service_name": "x"}
