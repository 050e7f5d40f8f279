"""The admin console's list and activity queries (spec/ui.md §5.7.3, §5.7.6) against rows the real
runner projected: filters with a count per value, search, order, pages, exports as of an instant,
and the change feed's filters."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import pytest

from tests.integration.projections.read.conftest import ADMIN, Stack


@pytest.fixture
def made(stack: Stack) -> dict[str, str]:
    """Four submissions: two submitted (one with a failed bio.tools sync), one approved ELIXIR
    service of the other centre, one approved and then edited by its owner (in review)."""
    alpha = stack.register(service_name="Älpha Tool", submitter_last_name="Müller")
    gamma = stack.register(service_name="Gamma Grid", biotools_url="https://bio.tools/gg")
    stack.app.record_biotools_failure(gamma.submission_id, "gg", "HTTP 404")
    beta = stack.register(
        service_name="beta base",
        service_center_id=str(stack.other_centre),
        service_category_ids=[stack.other_category, stack.category],
        responsible_pi_ids=[str(stack.other_pi)],
        licenses=["Apache-2.0"],
        license_note="Free for academics",
        register_as_elixir=True,
    )
    stack.app.change_status(beta.submission_id, "approved", actor=ADMIN, by_admin=True)
    delta = stack.register(service_name="Delta Dock")
    stack.app.change_status(delta.submission_id, "approved", actor=ADMIN, by_admin=True)
    stack.app.amend_submission(
        delta.submission_id, {"service_name": "Delta Dock 2"}, actor="api:owner", by_admin=False
    )
    stack.sync()
    return {
        name: str(reg.submission_id)
        for name, reg in (("alpha", alpha), ("gamma", gamma), ("beta", beta), ("delta", delta))
    }


def names(page: dict[str, Any]) -> list[str]:
    return [item["service_name"] for item in page["items"]]


def test_a_filter_counts_its_values_among_the_rows_the_other_filters_keep(
    stack: Stack, made: dict[str, str]
) -> None:
    page = stack.read.admin_submissions({"status": ["submitted"], "center": [str(stack.centre)]})
    assert page["total"] == 3
    assert sorted(names(page)) == ["Delta Dock 2", "Gamma Grid", "Älpha Tool"]
    # Each filter counts among the rows the other keeps: every submitted one is BiGi's, and
    # BiGi has no other status.
    assert page["facets"]["status"] == {"submitted": 3}
    assert page["facets"]["center"] == {str(stack.centre): 3}
    everything = stack.read.admin_submissions({"status": ["approved"]})
    assert names(everything) == ["beta base"]
    assert everything["facets"]["status"] == {"submitted": 3, "approved": 1}
    assert everything["facets"]["category"] == {
        str(stack.category): 1,
        str(stack.other_category): 1,
    }
    assert everything["facets"]["elixir"] == {"1": 1}
    assert everything["labels"]["center"] == {str(stack.other_centre): "HD-HuB"}
    assert everything["labels"]["pi"] == {str(stack.other_pi): "Adams, Zoe"}
    assert everything["labels"]["category"] == {
        str(stack.category): "Tools",
        str(stack.other_category): "Databases",
    }


def test_every_filter_keeps_what_it_names(stack: Stack, made: dict[str, str]) -> None:
    def kept(**criteria: Any) -> list[str]:
        return sorted(names(stack.read.admin_submissions(criteria)))

    assert kept(status=["approved", "submitted"]) == [
        "Delta Dock 2",
        "Gamma Grid",
        "beta base",
        "Älpha Tool",
    ]
    assert kept(category=[str(stack.other_category)]) == ["beta base"]
    assert kept(pi=[str(stack.other_pi), "not-an-id"]) == ["beta base"]
    assert kept(elixir="1") == ["beta base"]
    assert kept(maturity="none", access="open") == kept()
    assert kept(biotools_sync="error") == ["Gamma Grid"]
    assert kept(biotools_sync="ok") == []
    assert len(kept(biotools_sync="none")) == 3
    today = dt.date.today()
    assert len(kept(submitted_from=(today - dt.timedelta(days=1)).isoformat())) == 4
    assert kept(submitted_to=(today - dt.timedelta(days=1)).isoformat()) == []
    # A chosen centre nobody names counts 0 and keeps nothing, but still has its name.
    page = stack.read.admin_submissions({"center": [str(stack.other_centre)], "status": "rejected"})
    assert (page["total"], page["labels"]["center"]) == (
        0,
        {str(stack.other_centre): "HD-HuB"},
    )


def test_changed_since_approval_keeps_and_counts_the_approved_ones_edited_since(
    stack: Stack, made: dict[str, str]
) -> None:
    page = stack.read.admin_submissions({})
    assert page["changed"] == 1
    assert page["in_review"] == {made["delta"]}
    changed = stack.read.admin_submissions({"changed_since_approval": True})
    assert names(changed) == ["Delta Dock 2"]
    assert changed["facets"]["status"] == {"submitted": 1}
    assert stack.read.admin_submissions({"status": "approved"})["changed"] == 0


def test_search_needs_every_folded_word_in_names_submitters_pis_or_licences(
    stack: Stack, made: dict[str, str]
) -> None:
    def found(q: str) -> list[str]:
        return sorted(names(stack.read.admin_submissions({"q": q})))

    assert found("muller alpha") == ["Älpha Tool"]
    assert found("MÜLLER gamma") == []
    assert found("zoe academics") == ["beta base"]  # a PI's name and the licence note
    assert found("jane doe") == ["Delta Dock 2", "Gamma Grid", "Älpha Tool"]
    assert found("apache-2.0") == ["beta base"]  # a licence id
    assert found("Apache License") == ["beta base"]  # a licence's name, not in the document
    assert found("genome") == []  # the description is not searched
    assert found("50%_") == []


def test_sorts_pages_and_a_page_past_the_end(stack: Stack, made: dict[str, str]) -> None:
    def order(sort: str) -> list[str]:
        return names(stack.read.admin_submissions({"sort": sort}))

    assert order("service_name") == ["Älpha Tool", "beta base", "Delta Dock 2", "Gamma Grid"]
    assert order("-service_name") == list(reversed(order("service_name")))
    assert order("-submitted_at") == ["Delta Dock 2", "beta base", "Gamma Grid", "Älpha Tool"]
    assert order("submitted_at") == list(reversed(order("-submitted_at")))
    assert order("status")[-1] == "beta base"  # approved after submitted
    assert order("-updated_at")[0] == "Delta Dock 2"
    assert order("bogus") == order("-submitted_at")
    second = stack.read.admin_submissions({"sort": "service_name"}, 2, 3)
    assert (second["total"], second["page"], second["pages"]) == (4, 2, 2)
    assert names(second) == ["Gamma Grid"]
    beyond = stack.read.admin_submissions({"sort": "service_name"}, 99, 3)
    assert (beyond["page"], names(beyond)) == (2, ["Gamma Grid"])
    counts = stack.read.admin_submissions({}, 1, 0)
    assert (counts["total"], counts["items"], counts["facets"]["status"]["submitted"]) == (
        4,
        [],
        3,
    )
    assert stack.read.admin_submissions({"q": "nothing like it"})["pages"] == 1


def test_the_page_has_served_documents_and_their_key_counts(
    stack: Stack, made: dict[str, str]
) -> None:
    stack.app.issue_key(UUID(made["beta"]), "CI", "read", actor=ADMIN)
    stack.sync()
    page = stack.read.admin_submissions({"status": "approved"})
    [item] = page["items"]
    assert item == stack.read.list_submissions({"id": made["beta"]})[1][0]
    assert page["keys"] == {made["beta"]: {"active": 2, "total": 2}}


def test_documents_are_every_kept_one_or_the_ones_asked_for(
    stack: Stack, made: dict[str, str]
) -> None:
    every = stack.read.admin_documents({"status": "submitted", "sort": "service_name"})
    assert [d["service_name"] for d in every] == ["Älpha Tool", "Delta Dock 2", "Gamma Grid"]
    chosen = stack.read.admin_documents({"ids": [made["alpha"], made["beta"], "nonsense"]})
    assert [d["id"] for d in chosen] == [made["beta"], made["alpha"]]
    assert stack.read.admin_documents({"ids": []}) == []


def test_documents_as_of_an_instant_are_filtered_as_they_were(
    stack: Stack, made: dict[str, str]
) -> None:
    before = dt.datetime.now(dt.UTC)
    late = stack.register(service_name="Latecomer")
    stack.app.change_status(late.submission_id, "approved", actor=ADMIN, by_admin=True)
    between = dt.datetime.now(dt.UTC)
    stack.app.change_status(late.submission_id, "deprecated", actor=ADMIN, by_admin=True)
    stack.sync()
    then = stack.read.admin_documents({"status": "approved"}, between)
    assert sorted(d["service_name"] for d in then) == ["Latecomer", "beta base"]
    assert stack.read.admin_documents({"q": "latecomer"}, before) == []
    now = stack.read.admin_documents({"status": "approved"})
    assert [d["service_name"] for d in now] == ["beta base"]
    # Whether an edit is in review is today's: not applied to the past.
    assert len(stack.read.admin_documents({"changed_since_approval": True}, between)) == 5


def test_the_activity_is_the_feed_newest_first_filtered_with_top_and_unseen(
    stack: Stack, made: dict[str, str]
) -> None:
    feed = stack.read.changes(0, 1000)
    top = feed[-1]["position"]
    everything = stack.read.admin_activity({}, None)
    assert [e["position"] for e in everything["entries"]] == [e["position"] for e in reversed(feed)]
    assert (everything["top"], everything["unseen"]) == (top, len(feed))
    newest = everything["entries"][0]
    assert newest == {**feed[-1], "service_name": "Delta Dock 2"}
    assert stack.read.admin_activity({}, 2, feed[-3]["position"])["unseen"] == 2
    assert len(stack.read.admin_activity({}, 2)["entries"]) == 2

    def kinds(**filters: Any) -> list[tuple[str, str]]:
        found = stack.read.admin_activity(filters, None)["entries"]
        return [(e["type"], e["id"]) for e in found]

    assert kinds(type="StatusChanged", actor="ROOT") == [
        ("StatusChanged", made["delta"]),
        ("StatusChanged", made["beta"]),
    ]
    assert kinds(actor="owner") == [("Amended", made["delta"])]
    assert {i for _, i in kinds(submission=made["gamma"])} == {made["gamma"]}
    assert kinds(after=top) == []
    assert kinds(after=feed[-2]["position"]) == [(feed[-1]["type"], feed[-1]["id"])]
    today = feed[-1]["changed_at"][:10]
    assert len(kinds(**{"from": today, "to": today})) == len(feed)
    assert kinds(to="2000-01-01") == []
