"""The history in the pages (spec/ui.md §7.3, §7.4, Appendix B): diff rows, word diff, badges."""

from __future__ import annotations

from domain.fields import BY_NAME
from web.ui.versions import (
    actor_badge,
    compare,
    diff_row,
    entry_rows,
    heading,
    record_sections,
    word_diff,
)


def test_the_word_diff_escapes_every_token_and_marks_runs() -> None:
    out = str(word_diff("keep <b>old</b> words", "keep <i>new</i> words"))
    assert "<b>" not in out
    assert "<i>" not in out
    assert '<del><span class="visually-hidden">removed: </span>&lt;b&gt;old&lt;/b&gt;</del>' in out
    assert '<ins><span class="visually-hidden">added: </span>&lt;i&gt;new&lt;/i&gt;</ins>' in out


def test_long_unchanged_runs_are_collapsed_with_a_count() -> None:
    same = " ".join(f"w{i}" for i in range(57))
    out = str(word_diff(f"{same} tail", f"{same} end"))
    assert "… 57 unchanged words …" in out
    assert "w30" not in out


def test_sets_show_added_and_removed_by_name_ignoring_order() -> None:
    f = BY_NAME["edam_topic_ids"]
    before = {
        "edam_topics": [
            {"accession": "topic_0091", "label": "Bioinformatics"},
            {"accession": "topic_0080", "label": "Sequence analysis"},
        ]
    }
    after = {
        "edam_topics": [
            {"accession": "topic_0121", "label": "Proteomics, mass spec"},
            {"accession": "topic_0091", "label": "Bioinformatics"},
        ]
    }
    row = diff_row(f, before, after)
    assert row.kind == "set"
    assert row.added == ("Proteomics, mass spec (topic_0121)",)
    assert row.removed == ("Sequence analysis (topic_0080)",)


def test_long_text_becomes_one_change_cell_and_erased_values_are_flagged() -> None:
    f = BY_NAME["service_description"]
    row = diff_row(f, {"service_description": "a " * 80}, {"service_description": "b " * 80})
    assert row.kind == "long"
    erased = diff_row(
        BY_NAME["submitter_first_name"],
        {"submitter_first_name": "[erased]"},
        {"submitter_first_name": "Ada"},
    )
    assert erased.kind == "scalar"
    assert erased.before_erased
    assert not erased.after_erased


def test_compare_lists_changed_fields_with_times_and_counts_the_unchanged() -> None:
    before = {"status": "approved", "service_name": "Old", "website_url": "https://a.org"}
    after = {"status": "submitted", "service_name": "New", "website_url": "https://a.org"}
    found = {
        "from": 4,
        "to": 7,
        "fields": ["service_name", "status"],
        "times": {"service_name": 2},
        "steps": {"service_name": [5, 6]},
        "from_served": before,
        "to_served": after,
    }
    result = compare(found)
    names = [r.name for r in result.rows]
    assert names == ["status", "service_name"]
    assert result.rows[0].before == "Approved"
    assert result.rows[0].after == "Submitted"
    assert result.rows[1].times == 2
    assert "website_url" in [r.name for r in result.unchanged]


def test_actor_badges_follow_appendix_b() -> None:
    assert actor_badge("submitter") == "Submitter"
    assert actor_badge("api:Initial key") == "API: Initial key"
    assert actor_badge("admin:ada") == "Admin: ada"
    assert actor_badge("worker:biotools") == "bio.tools sync"
    assert actor_badge("recovery") == "Key recovery"


def test_headings_say_what_happened_in_words() -> None:
    status = {
        "type": "Submission.StatusChanged",
        "old_status": "submitted",
        "new_status": "approved",
        "changes": [],
    }
    assert heading(status) == "Status changed: Submitted → Approved"
    key = {
        "type": "Submission.KeyIssued",
        "changes": [{"field": "api_key", "new": "Initial key (write)"}],
    }
    assert heading(key) == "Key issued: 'Initial key' (read-write)"
    assert heading({"type": "BioToolsRecord.SyncFailed", "changes": []}) == "bio.tools sync failed"


def test_entry_rows_show_empty_values_as_empty_not_a_dash() -> None:
    rows = entry_rows({"changes": [{"field": "x", "label": "X", "old": "—", "new": "y"}]})
    assert rows[0].before == ""
    assert rows[0].after == "y"


def test_the_record_has_sections_with_every_field_and_its_provenance() -> None:
    doc = {"service_name": "Mapper", "submitter_first_name": "[erased]"}
    prov = {"service_name": {"version": 3, "changed_by": "admin:ada"}}
    sections = record_sections(doc, prov)
    assert [s.key for s in sections][:3] == ["A", "B", "C"]
    rows = {r.name: r for s in sections for r in s.rows}
    assert rows["service_name"].provenance == {**prov["service_name"], "badge": "Admin: ada"}
    assert rows["submitter_first_name"].erased
