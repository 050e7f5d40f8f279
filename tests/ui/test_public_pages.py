"""The public pages over the real stack (spec/ui.md §5.2, §5.5, §5.5.1, §5.5.2, §3.3): what the
public sees is the last approved version of a service, read from the event log; never-approved
services are 404, erased ones 410; the catalogue's search, facets, chips, fragments, budgets."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest
from bs4 import BeautifulSoup

from tests.ui.conftest import Seeded, Site

pytestmark = pytest.mark.integration

# The tests on a fresh `site` come before the first that uses the module's `seeded` site: two
# live stacks at once would exceed the suite's connection budget (tests/conftest.py).


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def names(html: str) -> list[str]:
    return [a.get_text(" ", strip=True) for a in soup(html).select("article.service-card h3 a")]


def test_an_owner_edit_in_review_leaves_the_last_approved_version_public(site: Site) -> None:
    created = site.approved(service_name="Galaxy Europe", service_description="A" * 60)
    site.amend_as_owner(created, service_name="Galaxy Unreviewed", service_description="B" * 60)
    assert site.live.read.submission(UUID(created["id"]))["status"] == ("submitted")

    page = site.client.get(f"/catalogue/{created['id']}/")
    assert page.status_code == 200
    assert "An update to this entry is being reviewed." in page.text
    assert "Galaxy Europe" in page.text
    assert "A" * 60 in page.text
    assert "Unreviewed" not in page.text
    assert "B" * 60 not in page.text
    listing = site.client.get("/catalogue/")
    assert names(listing.text) == ["Galaxy Europe"]
    assert "Update under review" in listing.text
    assert names(site.client.get("/catalogue/?q=unreviewed").text) == []

    site.status(created, "approved")
    page = site.client.get(f"/catalogue/{created['id']}/")
    assert "Galaxy Unreviewed" in page.text
    assert "being reviewed" not in page.text
    assert names(site.client.get("/catalogue/").text) == ["Galaxy Unreviewed"]


def test_never_approved_services_are_404_and_not_listed(site: Site) -> None:
    submitted = site.register(service_name="Hidden Draft")
    rejected = site.register(service_name="Rejected One")
    site.status(rejected, "rejected")
    for created in (submitted, rejected):
        response = site.client.get(f"/catalogue/{created['id']}/")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Page not found" in response.text
    assert site.client.get("/catalogue/not-a-uuid/").status_code == 404
    assert names(site.client.get("/catalogue/").text) == []
    assert "No approved services are available yet." in site.client.get("/catalogue/").text


def test_an_erased_service_answers_410_with_nothing_but_the_notice(site: Site) -> None:
    created = site.approved(service_name="Soon Gone")
    site.erase(created)
    response = site.client.get(f"/catalogue/{created['id']}/")
    assert response.status_code == 410
    assert site.client.get(f"/catalogue/{created['id']}.json").status_code == 410
    assert "This service has been removed from the registry." in response.text
    assert "Soon Gone" not in response.text
    assert names(site.client.get("/catalogue/").text) == []


def test_a_deprecated_once_approved_service_warns_and_is_listed_only_on_request(
    site: Site,
) -> None:
    created = site.approved(service_name="Old Portal")
    never = site.register(service_name="Never Portal")
    site.status(created, "deprecated")
    site.status(never, "deprecated")
    page = site.client.get(f"/catalogue/{created['id']}/")
    assert page.status_code == 200
    assert "This service is deprecated and no longer maintained." in page.text
    assert site.client.get(f"/catalogue/{never['id']}/").status_code == 404
    assert names(site.client.get("/catalogue/").text) == []
    assert names(site.client.get("/catalogue/?include_deprecated=1").text) == ["Old Portal"]


def test_a_service_page_shows_public_fields_and_bioschemas_but_no_personal_data(
    site: Site,
) -> None:
    created = site.approved(
        service_name="Proteomics Toolkit",
        comments="internal remark xyzzy",
        keywords_uncited="uncited-secret",
        edam_operation_ids=["operation_3198"],
        licenses=["MIT"],
        publications_pmids="12345678, 10.1000/xyz123",
    )
    page = site.client.get(f"/catalogue/{created['id']}/")
    html = page.text
    for private in (
        "Ada",
        "Lovelace",
        "Analytical Engines",
        "ada@mapper",
        "xyzzy",
        "uncited-secret",
        "Ada Internal",
    ):
        assert private not in html, private
    doc = soup(html)
    data = json.loads(doc.select_one('script[type="application/ld+json"]').string)
    assert data["name"] == "Proteomics Toolkit"
    assert data["license"] == ["https://spdx.org/licenses/MIT"]
    assert data["featureList"][0]["@id"] == "http://edamontology.org/operation_3198"
    assert data["applicationSubCategory"][0]["name"] == "Bioinformatics"
    assert set(data["citation"]) == {
        "https://pubmed.ncbi.nlm.nih.gov/12345678/",
        "https://doi.org/10.1000/xyz123",
    }
    assert doc.select_one('link[rel="canonical"]')["href"].endswith(f"/catalogue/{created['id']}/")
    assert doc.select_one('a[href="https://doi.org/10.1000/xyz123"]')
    assert page.headers["cache-control"] == "public, max-age=60"


def test_home_says_when_nothing_is_listed_yet(site: Site) -> None:
    assert "No services are listed yet." in site.client.get("/").text


def test_a_bug_on_a_page_is_an_html_500_with_the_reference(site: Site) -> None:
    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("secret internals")

    from starlette.testclient import TestClient

    from schema.settings import Settings
    from web.app import WebServices, create_app

    app = create_app(WebServices(settings=Settings(), registry=site.live.app, read_model=Broken()))
    response = TestClient(app, raise_server_exceptions=False).get("/catalogue/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert response.headers["x-request-id"] in response.text
    assert "secret" not in response.text


def test_search_covers_description_centre_pi_and_edam_without_accents(seeded: Seeded) -> None:
    site = seeded.site
    assert names(site.client.get("/catalogue/?q=muller").text)  # PI Jörg Müller
    assert names(site.client.get("/catalogue/?q=Gie%C3%9Fen").text)  # centre full name
    assert "Read Mapper Pro" in names(site.client.get("/catalogue/?q=genomics").text)  # SEO
    mapping = names(site.client.get("/catalogue/?q=read%20mapping").text)  # EDAM label
    assert "Galaxy Europe" in mapping
    assert "Genome Browser" not in mapping
    # "aligning" is only in a synonym of operation_0292 ("Sequence aligning")
    assert names(site.client.get("/catalogue/?q=aligning").text) == ["Sequence Aligner"]
    found = site.client.get("/catalogue/?q=proteo").text
    assert names(found) == ["Proteomics Toolkit"]
    assert "<mark>Proteomics</mark>" in found
    assert names(site.client.get("/catalogue/?q=zzzqqq").text) == []
    assert (
        "No services match your current filters or search."
        in site.client.get("/catalogue/?q=zzzqqq").text
    )


def test_facets_count_or_within_and_across_with_removable_chips(seeded: Seeded) -> None:
    site = seeded.site
    page = soup(site.client.get("/catalogue/").text)
    tools = page.select_one("#cat-1").find_parent("label").get_text(" ", strip=True)
    assert tools == "Tools (14)"  # the in-review one shows its approved version
    labels = [label.get_text(" ", strip=True) for label in page.select("#facet-category label")]
    assert labels == ["Tools (14)", "Databases (4)", "Cloud computing (3)", "Training (3)"]
    html = site.client.get("/catalogue/?category=1&edam=operation_3198").text
    result = soup(html)
    assert result.select_one("#result-count").get_text(" ", strip=True) == "5 results found"
    chips = result.select("#active-filters .chip-remove")
    assert [c["aria-label"] for c in chips] == [
        "Remove filter Category: Tools",
        "Remove filter EDAM term: Read mapping (operation_3198)",
    ]
    assert chips[1]["href"] == "/catalogue/?category=1"
    assert chips[1]["hx-get"] == "/catalogue/grid/?category=1"
    # a facet's own selection does not narrow its own counts
    assert result.select_one("#cat-1").has_attr("checked")


def test_fragments_carry_the_count_out_of_band_and_push_the_canonical_url(seeded: Seeded) -> None:
    site = seeded.site
    fragment = site.client.get(
        "/catalogue/grid/?q=&sort=name_asc&view=grid&category=1&page=1",
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.headers["hx-push-url"] == "/catalogue/?category=1"
    assert "<html" not in fragment.text
    assert "<h1" not in fragment.text
    doc = soup(fragment.text)
    assert doc.select_one("#result-count")["hx-swap-oob"] == "innerHTML"
    assert doc.select_one("#catalogue-facets")["hx-swap-oob"] == "innerHTML"
    assert len(fragment.content) <= 30_000
    same = site.client.get("/catalogue/?category=1", headers={"HX-Request": "true"})
    assert "<html" not in same.text
    restore = site.client.get(
        "/catalogue/grid/?category=1",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text
    filters = site.client.get("/catalogue/filters/?category=1")
    assert "catalogue-filter-sidebar" in filters.text
    assert "<html" not in filters.text


def test_pages_past_the_end_show_the_last_and_bad_values_fall_back(seeded: Seeded) -> None:
    site = seeded.site
    last = soup(site.client.get("/catalogue/?page=99").text)
    assert "Page 2 of 2 (14 services)" in last.get_text(" ", strip=True)
    odd = site.client.get("/catalogue/?page=x&sort=nope&view=tiles&center=zz&category=a")
    assert odd.status_code == 200
    assert "Page 1 of 2" in soup(odd.text).get_text(" ", strip=True)
    backwards = names(site.client.get("/catalogue/?sort=name_desc").text)
    assert backwards[:2] == ["Variant Annotator", "Training Hub"]
    grouped = soup(site.client.get("/catalogue/?group_by=service_center").text)
    assert [h.get_text(" ", strip=True) for h in grouped.select(".group-heading")] == [
        "BiGi (5)",
        "de.NBI-cloud (4)",
        "HD-HuB (5)",
    ]


def test_home_shows_the_recent_services(seeded: Seeded) -> None:
    home = soup(seeded.site.client.get("/").text)
    assert home.h1.get_text(strip=True) == "de.NBI Service Registration Platform"
    assert len(home.select(".recent li")) == 6
    assert "Secret Draft" not in str(home)


def test_public_pages_revalidate_with_their_etag_and_stay_within_budget(seeded: Seeded) -> None:
    site = seeded.site
    first = site.client.get("/catalogue/")
    assert len(first.content) <= 80_000
    again = site.client.get("/catalogue/", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    csp = first.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_the_catalogue_has_json_and_csv_twins_with_public_fields_only(seeded: Seeded) -> None:
    client = seeded.site.client
    rows = client.get("/catalogue.json?category=2&page=2").json()
    assert len(rows) == 4
    assert all("Databases" in row["service_categories"] for row in rows)
    text = str(rows)
    for private in ("Lovelace", "Analytical Engines", "ada@mapper", "Ada Internal"):
        assert private not in text
    everything = client.get("/catalogue.json").json()
    assert len(everything) == 14  # not paginated
    galaxy = next(r for r in everything if r["id"] == seeded.made["Galaxy Europe"]["id"])
    assert galaxy["service_name"] == "Galaxy Europe"
    assert galaxy["update_in_review"] is True
    csv = client.get("/catalogue.csv?q=proteo")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    lines = csv.text.splitlines()
    assert lines[0].startswith("id,url,service_name,")
    assert len(lines) == 2
    assert "Proteomics Toolkit" in lines[1]
    one = client.get(f"/catalogue/{seeded.made['Galaxy Europe']['id']}.json").json()
    assert one == galaxy
    assert client.get(f"/catalogue/{seeded.made['Secret Draft']['id']}.json").status_code == 404
