"""Reference data in the admin console (spec/ui.md §5.7.5) over the real stack: lists with usage
counts, create/edit with the domain's rules inline, deactivate/reactivate with the usage in the
confirmation, each record's history, EDAM and licence browsers; Managers change, Viewers read."""

from __future__ import annotations

import re

import pytest

from tests.ui.admin_helpers import csrf_of, sign_in_with_key
from tests.ui.conftest import Site

pytestmark = pytest.mark.integration


def test_categories_list_with_usage_counts_linked_to_the_filtered_list(site: Site) -> None:
    site.register(service_name="Uses Tools")
    other = site.live.app.create_category({"name": "Elsewhere"}, actor="admin:root")
    site.register(service_name="Uses Elsewhere", service_category_ids=[int(str(other.id))])
    site.sync()
    sign_in_with_key(site.client, site.live.admin_read)
    page = site.client.get("/admin/reference/categories/")
    assert page.status_code == 200
    row = page.text.split(f'data-id="{site.live.category}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/admin/submissions/?category={site.live.category}"' in row
    assert ">1 submission<" in row
    listed = site.client.get(f"/admin/submissions/?category={site.live.category}")
    assert listed.status_code == 200
    assert "Uses Tools" in listed.text
    assert "Uses Elsewhere" not in listed.text
    assert "Edit" not in row  # a Viewer reads only


def test_a_manager_creates_edits_and_deactivates_with_the_domain_rules(site: Site) -> None:
    token = sign_in_with_key(site.client, site.live.admin_full)
    created = site.client.post(
        "/admin/reference/categories/new",
        data={"name": "Workflows", "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    listing = site.client.get("/admin/reference/categories/").text
    assert "Workflows was created." in listing
    duplicate = site.client.post(
        "/admin/reference/categories/new", data={"name": "Workflows", "csrf_token": token}
    )
    assert duplicate.status_code == 422
    assert 'id="error-summary"' in duplicate.text
    assert 'aria-invalid="true"' in duplicate.text
    bad_orcid = site.client.post(
        "/admin/reference/pis/new",
        data={
            "last_name": "Curie",
            "first_name": "Marie",
            "orcid": "0000-0002-1825-0098",
            "csrf_token": token,
        },
    )
    assert bad_orcid.status_code == 422
    assert "id_orcid-error" in bad_orcid.text
    new_id = re.search(r'data-id="(\d+)">\s*<th scope="row">Workflows', listing)
    assert new_id
    edited = site.client.post(
        f"/admin/reference/categories/{new_id[1]}/edit",
        data={"name": "Workflow systems", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    confirm = site.client.get(f"/admin/reference/categories/{site.live.category}/deactivate")
    assert "Hidden from the registration form and the catalogue filters." in confirm.text
    assert "The 0 submissions that use it keep it." in confirm.text
    done = site.client.post(
        f"/admin/reference/categories/{new_id[1]}/deactivate",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    inactive = site.client.get("/admin/reference/categories/?state=inactive").text
    assert "Workflow systems" in inactive
    history = site.client.get(f"/admin/reference/categories/{new_id[1]}/history").text
    assert [h for h in re.findall(r"<h2>([^<]+)</h2>", history)] == [
        "Deactivated",
        "Edited",
        "Created",
    ]
    assert "<del>Workflows</del>" in history
    assert "<ins>Workflow systems</ins>" in history
    assert "Admin: ops" in history


def test_a_viewer_cannot_change_reference_data_even_by_posting_directly(site: Site) -> None:
    sign_in_with_key(site.client, site.live.admin_read)
    token = csrf_of(site.client.get("/admin/reference/categories/").text)
    for path, data in (
        ("/admin/reference/categories/new", {"name": "Sneaky"}),
        (f"/admin/reference/categories/{site.live.category}/edit", {"name": "Sneaky"}),
        (f"/admin/reference/categories/{site.live.category}/deactivate", {}),
        (f"/admin/reference/pis/{site.live.pi}/deactivate", {}),
    ):
        response = site.client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    assert site.live.read.category(site.live.category)["is_active"] is True
    assert all(c["name"] != "Sneaky" for c in site.live.read.categories())


def test_edam_and_licence_browsers_search_and_filter(site: Site) -> None:
    sign_in_with_key(site.client, site.live.admin_read)
    edam = site.client.get("/admin/reference/edam/?q=topic_0091")
    assert edam.status_code == 200
    assert "topic_0091" in edam.text
    licences = site.client.get("/admin/reference/licenses/?q=MIT&osi=yes")
    assert licences.status_code == 200
    assert "<code>MIT</code>" in licences.text
    none = site.client.get("/admin/reference/licenses/?q=MIT&deprecated=yes")
    assert "<code>MIT</code>" not in none.text
