"""Submission detail and list queries against rows the real runner projected."""

from __future__ import annotations

from tests.integration.projections.read.conftest import ADMIN, Stack


def test_the_detail_is_the_wire_shape_with_resolved_references(stack: Stack) -> None:
    reg = stack.register()
    stack.sync()
    item = stack.read.submission(reg.submission_id)
    assert item is not None
    assert item["id"] == str(reg.submission_id)
    assert item["version"] == reg.version
    assert item["status"] == "submitted"
    assert item["service_center"] == {
        "id": str(stack.centre),
        "short_name": "BiGi",
        "full_name": "Bielefeld-Gießen",
        "website": "https://bigi.de",
    }
    assert item["service_categories"] == [{"id": stack.category, "name": "Tools"}]
    assert item["responsible_pis"] == [
        {
            "id": str(stack.pi),
            "last_name": "Doe",
            "first_name": "Jane",
            "display_name": "Doe, Jane",
            "institute": "",
            "orcid": "",
        }
    ]
    assert [t["accession"] for t in item["edam_topics"]] == ["topic_0080", "topic_0091"]
    assert item["edam_topics"][1] == {
        "uri": "http://edamontology.org/topic_0091",
        "accession": "topic_0091",
        "branch": "topic",
        "label": "Bioinformatics",
        "url": "https://edamontology.org/topic_0091",
    }
    assert [t["label"] for t in item["edam_operations"]] == ["Sequence alignment"]
    assert item["licenses"] == ["MIT"]
    assert item["biotoolsrecord"] is None
    assert item["secondary_maturity_tags"] == []
    for hidden in ("internal_contact_name", "internal_contact_email", "logo", "links"):
        assert hidden not in item
    assert item["submitted_at"].endswith("+00:00")


def test_an_unknown_or_malformed_id_has_no_detail(stack: Stack) -> None:
    assert stack.read.submission("00000000-0000-0000-0000-000000000000") is None
    assert stack.read.submission("not-a-uuid") is None


def test_a_renamed_centre_shows_its_new_name(stack: Stack) -> None:
    reg = stack.register()
    stack.app.update_reference("centre", stack.centre, {"short_name": "BiGi-2"}, actor=ADMIN)
    stack.sync()
    item = stack.read.submission(reg.submission_id)
    assert item is not None
    assert item["service_center"]["short_name"] == "BiGi-2"


def _ids(stack: Stack, **filters: str) -> set[str]:
    ordering = filters.pop("ordering", None)
    _, items = stack.read.list_submissions(filters, ordering, 1, 100)
    return {i["id"] for i in items}


def test_every_list_filter_selects_exactly_the_matching_submissions(stack: Stack) -> None:
    a = stack.register(service_name="Alpha", year_established=2001, register_as_elixir=True)
    b = stack.register(
        service_name="Beta", year_established=2002, service_center_id=str(stack.other_centre)
    )
    c = stack.register(service_name="Gamma", year_established=2001)
    for sub in (a, c):
        stack.app.change_status(sub.submission_id, "approved", actor=ADMIN, by_admin=True)
    stack.app.assign_maturity_tags(a.submission_id, "mature", ["unstable"], actor=ADMIN)
    stack.app.assign_maturity_tags(c.submission_id, "emerging", [], actor=ADMIN)
    stack.sync()
    ida, idb, idc = (str(s.submission_id) for s in (a, b, c))
    assert _ids(stack) == {ida, idb, idc}
    assert _ids(stack, status="approved") == {ida, idc}
    assert _ids(stack, status="nonsense") == set()
    assert _ids(stack, service_center="hub") == {idb}
    assert _ids(stack, service_center="BIGI") == {ida, idc}
    assert _ids(stack, year_established="2001") == {ida, idc}
    assert _ids(stack, year_established="20x1") == {ida, idb, idc}
    assert _ids(stack, register_as_elixir="true") == {ida}
    assert _ids(stack, register_as_elixir="1") == {ida}
    assert _ids(stack, register_as_elixir="0") == {idb, idc}
    assert _ids(stack, register_as_elixir="maybe") == {ida, idb, idc}
    assert _ids(stack, primary_maturity_tag="emerging") == {idc}
    assert _ids(stack, secondary_maturity_tags="unstable") == {ida}
    assert _ids(stack, secondary_maturity_tags="unstable,other") == set()
    assert _ids(stack, secondary_maturity_tags="stable") == set()
    assert _ids(stack, status="approved", year_established="2001", service_center="bigi") == {
        ida,
        idc,
    }


def test_orderings_and_pages(stack: Stack) -> None:
    names = ["Delta", "Alpha", "Charlie", "Bravo", "Echo"]
    for name in names:
        stack.register(service_name=name)
    stack.sync()
    count, items = stack.read.list_submissions({}, None, 1, 2)
    assert count == 5
    assert [i["service_name"] for i in items] == ["Echo", "Bravo"]  # default -submitted_at
    _, items = stack.read.list_submissions({}, "submitted_at", 1, 100)
    assert [i["service_name"] for i in items] == names
    _, items = stack.read.list_submissions({}, "-service_name", 1, 100)
    assert [i["service_name"] for i in items] == ["Echo", "Delta", "Charlie", "Bravo", "Alpha"]
    count, items = stack.read.list_submissions({}, "service_name", 3, 2)
    assert (count, len(items)) == (5, 1)
    count, items = stack.read.list_submissions({}, "service_name", 9, 2)
    assert (count, items) == (5, [])
    count, items = stack.read.list_submissions({}, "bogus", 1, 1000)
    assert len(items) == 5
    _, items = stack.read.list_submissions({"status": "approved"}, None, 1, 20)
    assert items == []


def test_list_items_embed_the_biotools_summary_and_the_detail_the_full_record(
    stack: Stack,
) -> None:
    reg = stack.register(biotools_url="https://bio.tools/bwa")
    record = {
        "biotools_id": "bwa",
        "name": "BWA",
        "edam_topic_uris": [
            "http://edamontology.org/topic_0091",
            "http://edamontology.org/topic_9999",
        ],
        "functions": [
            {"position": 0, "operations": [], "inputs": [], "outputs": [], "cmd": "", "note": ""}
        ],
    }
    stack.app.record_biotools_sync(reg.submission_id, "bwa", record)
    stack.sync()
    _, (item,) = stack.read.list_submissions({}, None, 1, 20)
    summary = item["biotoolsrecord"]
    assert summary["function_count"] == 1
    assert summary["edam_topic_count"] == 2
    assert summary["biotools_url"] == "https://bio.tools/bwa"
    assert "functions" not in summary
    detail = stack.read.submission(reg.submission_id)
    assert detail is not None
    full = detail["biotoolsrecord"]
    assert [t["label"] for t in full["edam_topics_resolved"]] == ["Bioinformatics", None]
    assert full["edam_topics_resolved"][1]["accession"] == "topic_9999"
    assert len(full["functions"]) == 1
