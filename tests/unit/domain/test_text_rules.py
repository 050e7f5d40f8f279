"""The shared text rules on the domain: storable text refused for every command by the save
guard (naming the field), invisible characters refused in names only, look-alike names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

from domain.application import Registry
from domain.errors import ValidationFailed
from domain.text import name_problem, similarity_key, unstorable_fields
from tests.unit.domain.conftest import NOW, Refs, history

ADMIN = "admin:root"


def test_the_save_guard_names_the_field_of_an_unstorable_string() -> None:
    payload = {"actor": "x", "values": {"service_name": "a\x00"}, "changes": [{"new": "a\x00"}]}
    assert list(unstorable_fields(payload)) == ["service_name"]
    assert list(unstorable_fields({"label": "\ud800"})) == ["label"]
    assert list(unstorable_fields({"record": {"functions": [{"note": "\x00"}]}})) == [
        "record.functions[0].note"
    ]
    assert unstorable_fields({"values": {"name": "fine \u202e <b>"}}) == {}


def test_a_command_without_a_field_rule_is_still_refused_and_records_nothing(
    app: Registry, registered: Any
) -> None:
    sid = registered.submission_id
    app.amend_submission(sid, {"biotools_url": "https://bio.tools/x"}, actor=ADMIN, by_admin=True)
    before = len(history(app, sid))
    with pytest.raises(ValidationFailed) as refused:
        app.change_status(sid, "approved", actor=ADMIN, by_admin=True, comment="ok\x00")
    assert list(refused.value.errors) == ["comment"]
    with pytest.raises(ValidationFailed) as bad_sync:
        app.record_biotools_sync(sid, "x", {"name": "\udc00"})
    assert list(bad_sync.value.errors) == ["record.name"]
    assert len(history(app, sid)) == before


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\x07"])
def test_invisible_characters_are_refused_in_names_and_kept_in_free_text(
    app: Registry, registered: Any, char: str
) -> None:
    sid = registered.submission_id
    with pytest.raises(ValidationFailed) as refused:
        app.amend_submission(sid, {"service_name": f"Map{char}per"}, actor=ADMIN, by_admin=True)
    assert f"U+{ord(char):04X}" in refused.value.errors["service_name"][0]
    with pytest.raises(ValidationFailed):
        app.issue_key(sid, f"CI{char}", "read", actor=ADMIN)
    with pytest.raises(ValidationFailed):
        app.create_admin_key(f"ops{char}", "read", created_by="test")
    with pytest.raises(ValidationFailed):
        app.create_pi({"last_name": f"Do{char}e", "first_name": "Jo"}, actor=ADMIN)
    if char != "\x07":  # a free-text field keeps format characters (a BEL is a control one)
        outcome = app.amend_submission(sid, {"comments": f"a{char}b"}, actor=ADMIN, by_admin=True)
        assert outcome.changed


def test_an_imported_name_with_an_invisible_character_does_not_block_other_edits(
    app: Registry, refs: Refs, valid_data: Callable[..., dict[str, Any]]
) -> None:
    from domain.legacy import LegacySubmission

    sid = uuid4()
    data = {**valid_data(), "service_name": "Legacy\u200bTool"}
    legacy = LegacySubmission(sid, data, "submitted", NOW, NOW)
    assert app.import_submission(legacy)
    assert app.get_submission(sid).values["service_name"] == "Legacy\u200bTool"
    outcome = app.amend_submission(sid, {"keywords_seo": "x"}, actor=ADMIN, by_admin=True)
    assert outcome.changed


@pytest.mark.parametrize(
    "lookalike",
    [
        "Tооls",
        "TOOLS",
        "Ｔｏｏｌｓ",
        "Tools\u200b",
        "T o o l s".replace(" ", "") + " ",
        "Tοols",
    ],
)
def test_look_alike_names_share_a_key(lookalike: str) -> None:
    assert similarity_key(lookalike) == similarity_key("Tools")


@pytest.mark.parametrize("other", ["Tool", "Toolbox", "Täols", "T00l"])
def test_different_names_keep_different_keys(other: str) -> None:
    assert similarity_key(other) != similarity_key("Tools")


def test_a_look_alike_category_is_a_duplicate_but_an_imported_one_is_recorded(
    app: Registry, refs: Refs
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        app.create_category({"name": "Тools"}, actor=ADMIN)  # Cyrillic Т; "Tools" exists
    assert "already exists" in refused.value.errors["name"][0]
    # The old system compared exact strings: its look-alikes are imported as they were …
    assert app.import_category(77, "ТOOLS", is_active=True)
    assert app.get_reference("category", 77)["name"] == "ТOOLS"
    # … and the first holder keeps the name: renaming the import frees nothing of it.
    app.update_reference("category", 77, {"name": "Imported tools"}, actor=ADMIN)
    with pytest.raises(ValidationFailed):
        app.create_category({"name": "tools"}, actor=ADMIN)


def test_name_problem_names_the_code_point() -> None:
    assert name_problem("plain name – with dash") is None
    problem = name_problem("a\u202eb")
    assert problem is not None
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in problem
