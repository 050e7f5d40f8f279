"""The owner pages' rendering helpers without a browser or database: actor badges (Appendix
B), the word diff (§7.3: escaped, removed/added marked, long runs collapsed) and the
review-impact texts (§5.6)."""

from __future__ import annotations

from domain.editing import AmendmentImpact
from web.ui.owner import diff_rows, impact_text, role_of


def test_actors_are_shown_by_role_and_an_admins_name_never() -> None:
    assert role_of("admin:alice") == "Registry team"
    assert "alice" not in role_of("admin:alice")
    assert role_of("api:Initial key") == "You (API key 'Initial key')"
    assert role_of("submitter") == "You (web form)"
    assert role_of("worker:biotools") == "bio.tools sync"
    assert role_of("import") == "Imported"


def test_long_text_changes_get_one_diff_cell_and_empty_values_read_empty() -> None:
    rows = diff_rows(
        [
            {"field": "service_description", "label": "Description", "old": "a " * 80, "new": "b"},
            {"field": "github_url", "label": "GitHub URL", "old": "—", "new": "https://x.org"},
        ]
    )
    assert rows[0]["long"]
    assert "diff" in rows[0]
    assert not rows[1]["long"]
    assert rows[1]["old"] == ""


def impact(**kw: object) -> AmendmentImpact:
    base: dict[str, object] = {
        "version": 3,
        "status": "approved",
        "changes": [{"field": "service_name", "label": "Service Name", "old": "a", "new": "b"}],
        "status_reset": False,
        "review_fields": [],
        "free_fields": [],
    }
    base.update(kw)
    return AmendmentImpact(**base)  # type: ignore[arg-type]


def test_the_impact_texts_say_what_saving_will_do() -> None:
    reset = impact(status_reset=True, review_fields=["Service Name", "Description"])
    assert impact_text(reset) == (
        "Saving will send your service back for review because you changed:"
        " Service Name, Description.",
        "reset",
    )
    keep = impact(free_fields=["GitHub URL"])
    assert impact_text(keep)[0] == (
        "Saving will keep your service approved: you changed only fields that do not need"
        " review (GitHub URL)."
    )
    assert impact_text(impact(changes=[]))[1] == "none"
    assert impact_text(impact(status="submitted", free_fields=["Service Name"]))[1] == "other"
