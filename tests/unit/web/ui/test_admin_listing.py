"""The admin list's pure parts (spec/ui.md §5.7.3, §9 item 11): the lifecycle-aware bulk plan,
the export's columns, the query-string state and TOTP codes (RFC 6238's test vector)."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from domain.fields import export_columns
from web.ui.admin import totp
from web.ui.admin.access import Role, safe_next
from web.ui.admin.listing import ORIGINAL_COLUMNS, ListParams, export_names
from web.ui.admin.submissions import plan


def doc(name: str, status: str, **more: object) -> dict[str, object]:
    return {"id": name, "service_name": name, "status": status, **more}


def test_the_bulk_plan_says_which_items_change_and_why_the_others_are_skipped() -> None:
    docs = [doc("a", "submitted"), doc("b", "approved"), doc("c", "deprecated")]
    change, skip = plan(docs, "approve")
    assert [d["id"] for d in change] == ["a"]
    assert [(d["id"], why) for d, why in skip] == [
        ("b", "already Approved"),
        ("c", "not allowed from Deprecated"),
    ]
    change, skip = plan(docs, "undeprecate")
    assert [d["id"] for d in change] == ["c"]
    change, skip = plan(docs, "assign_maturity")
    assert [d["id"] for d in change] == ["b"]
    assert skip[0][1].startswith("not Approved (Submitted)")


def test_the_export_keeps_the_original_order_and_appends_every_new_catalogue_field() -> None:
    names = export_names()
    assert names[: len(ORIGINAL_COLUMNS)] == ORIGINAL_COLUMNS
    appended = names[len(ORIGINAL_COLUMNS) :]
    assert {"data_access_type", "kpi_since", "related_services"} <= set(appended)
    assert {f.served_as for f in export_columns()} <= set(names)


def test_list_state_round_trips_through_the_query_string_and_drops_bad_values() -> None:
    params = ListParams.parse(
        QueryParams(
            "status=submitted&status=bogus&maturity=nope&q=  gal  axy &sort=x&page_size=999"
            "&submitted_from=2026-13-01&page=2"
        )
    )
    assert params.status == ("submitted",)
    assert params.maturity == ""
    assert params.q == "gal axy"
    assert params.sort == "-submitted_at"
    assert params.page_size == 30
    assert params.errors == {"submitted_from": "submitted_from: enter a date as YYYY-MM-DD."}
    assert ListParams.parse(QueryParams(params.query().lstrip("?"))) == params
    assert params.criteria() == {
        "status": ("submitted",),
        "maturity": "",
        "elixir": "",
        "center": (),
        "category": (),
        "pi": (),
        "access": "",
        "biotools_sync": "",
        "submitted_from": "",
        "submitted_to": "",
        "changed_since_approval": False,
        "q": "gal axy",
        "sort": "-submitted_at",
    }


def test_totp_matches_rfc_6238_and_allows_one_step_of_drift() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # b"12345678901234567890"
    assert totp.code(secret, 59 // 30) == "287082"  # RFC 6238 Appendix B, 8 digits 94287082
    assert totp.matching_step(secret, "287082", now=59 + 30) == 1
    assert totp.matching_step(secret, "287082", now=59 + 90) is None
    assert totp.matching_step(secret, "28708", now=59) is None


def test_roles_order_and_the_next_target_stays_on_the_admin_paths() -> None:
    assert Role.MANAGER > Role.EDITOR > Role.VIEWER
    assert Role.parse("Editor") is Role.EDITOR
    assert safe_next("/admin/activity/") == "/admin/activity/"
    for bad in ("https://evil.example/admin/", "//evil.example/admin/", "/catalogue/", None):
        assert safe_next(bad) == "/admin/"
