"""The pages' HTML without a browser (spec/ui.md §11 "Unit"): landmarks, ids, labels,
``aria-describedby`` chains, the CSP header, no inline script or style, escaping, and the form
macros the registration form builds on."""

from __future__ import annotations

import itertools
import json

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from schema.settings import Settings
from tests.unit.web.ui.conftest import SERVICE_ID, FakeCatalogue, item
from web.ui.render import Renderer
from web.ui.security import CSP

PAGES = [
    "/",
    "/accessibility/",
    "/catalogue/",
    "/catalogue/?q=prot&category=1&view=list",
    f"/catalogue/{SERVICE_ID}/",
]


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def check_page(html: str) -> BeautifulSoup:
    doc = soup(html)
    assert doc.html["lang"] == "en"
    assert len(doc.find_all("h1")) == 1
    assert doc.find("a").get("href") == "#main"  # the skip link comes first
    assert doc.select_one("main#main[tabindex='-1']")
    ids = [tag["id"] for tag in doc.find_all(id=True)]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert not doc.find_all(style=True), "style attributes"
    assert not doc.find_all("style"), "style elements"
    for script in doc.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json", script
    for tag in doc.find_all(True):
        assert not [a for a in tag.attrs if a.startswith(("on", "hx-on"))], tag.name
    for described in doc.find_all(attrs={"aria-describedby": True}):
        for ref in described["aria-describedby"].split():
            assert doc.find(id=ref), f"aria-describedby points at missing #{ref}"
    labelled = {label["for"] for label in doc.find_all("label", attrs={"for": True})}
    for control in doc.find_all(["input", "select", "textarea"]):
        if control.get("type") != "hidden":
            assert control.get("id") in labelled, control
    headings = [int(h.name[1]) for h in doc.find_all(["h1", "h2", "h3", "h4"])]
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), headings
    return doc


@pytest.mark.parametrize("path", PAGES)
def test_every_public_page_is_well_formed_and_carries_the_csp(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "unsafe-inline" not in CSP
    assert "unsafe-eval" not in CSP
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "public, max-age=60"
    check_page(response.text)


def test_text_is_escaped_and_only_web_links_are_made(client: TestClient) -> None:
    html = client.get(f"/catalogue/{SERVICE_ID}/").text
    assert "Proteomics &lt;Toolkit&gt;" in html
    assert "<b>more</b>" not in html
    doc = soup(html)
    assert doc.select_one('.prose a[href="https://example.org/docs"]')
    data = json.loads(doc.select_one('script[type="application/ld+json"]').string)
    assert data["name"] == "Proteomics <Toolkit>"
    assert "<" not in doc.select_one('script[type="application/ld+json"]').string


def test_search_words_are_highlighted_after_escaping(
    client: TestClient, read: FakeCatalogue
) -> None:
    html = client.get("/catalogue/?q=proteomics+toolk").text
    assert "<mark>Proteomics</mark> &lt;<mark>Toolkit</mark>&gt;" in html
    assert read.criteria[-1]["sort"] == "relevance"


def test_the_result_count_is_outside_the_swap_target_and_updated_out_of_band(
    client: TestClient,
) -> None:
    page = soup(client.get("/catalogue/").text)
    count = page.select_one("p#result-count")
    assert count["aria-live"] == "polite"
    assert count.find_parent(id="catalogue-grid") is None
    assert page.select_one("search form#filter-form[method='get'][action='/catalogue/']")
    fragment = client.get("/catalogue/", headers={"HX-Request": "true"})
    assert fragment.headers["hx-push-url"] == "/catalogue/"
    assert soup(fragment.text).select_one("#result-count")["hx-swap-oob"] == "innerHTML"
    assert fragment.headers["vary"].startswith("HX-Request")


def test_in_review_and_deprecated_services_say_so(client: TestClient, read: FakeCatalogue) -> None:
    read.services[SERVICE_ID] = item(visibility="in_review")
    assert (
        "An update to this entry is being reviewed." in client.get(f"/catalogue/{SERVICE_ID}/").text
    )
    read.services[SERVICE_ID] = item(visibility="deprecated")
    assert "This service is deprecated" in client.get(f"/catalogue/{SERVICE_ID}/").text
    read.services[SERVICE_ID] = {"id": SERVICE_ID, "visibility": "hidden"}
    assert client.get(f"/catalogue/{SERVICE_ID}/").status_code == 404
    read.services[SERVICE_ID] = {"id": SERVICE_ID, "visibility": "erased"}
    gone = client.get(f"/catalogue/{SERVICE_ID}/")
    assert gone.status_code == 410
    assert "This service has been removed from the registry." in gone.text


def test_page_errors_are_html_and_api_errors_stay_problem_documents(client: TestClient) -> None:
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    doc = check_page(page.text)
    assert doc.title.get_text() == "Page not found (404) – de.NBI Service Registration Platform"
    assert f"Reference: {page.headers['x-request-id']}" in doc.get_text(" ", strip=True)
    api = client.get("/api/v1/no/such/")
    assert api.headers["content-type"] == "application/problem+json"
    wrong = client.post("/catalogue/")
    assert wrong.status_code == 405
    assert "This action is not available here" in wrong.text


def test_the_catalogue_can_be_switched_off(read: FakeCatalogue) -> None:
    from tests.unit.web.fakes import FakeRegistry
    from web.app import WebServices, create_app

    app = create_app(
        WebServices(
            settings=Settings(feature_catalogue=False),
            registry=FakeRegistry(read),
            read_model=read,
        )
    )
    client = TestClient(app)
    assert client.get("/catalogue/").status_code == 404
    assert client.get(f"/catalogue/{SERVICE_ID}/").status_code == 404
    assert 'href="/catalogue/"' not in client.get("/").text


def test_static_assets_have_hashed_names_and_are_cached_for_a_year(client: TestClient) -> None:
    doc = soup(client.get("/").text)
    sources = [s["src"] for s in doc.find_all("script", src=True)]
    sources += [link["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert len(sources) == 4
    for src in sources:
        response = client.get(src)
        assert response.status_code == 200, src
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert all(
        tag.get("integrity", "").startswith("sha384-")
        for tag in doc.find_all(["script", "link"])
        if tag.get("src") or tag.get("rel") == ["stylesheet"]
    )
    assert client.get("/static/ui/app.0000000000.js").status_code == 404
    assert client.get("/static/swagger-ui/init.js").status_code == 200  # the docs' mount stays


def render_macro(source: str, **context: object) -> BeautifulSoup:
    renderer = Renderer(Settings())
    template = renderer.env.from_string(
        '{% from "_components.html" import field, radios, checkboxes, error_summary %}' + source
    )
    return soup(template.render(**context))


def test_a_field_with_an_error_links_hint_then_error_and_is_marked_invalid() -> None:
    doc = render_macro(
        "{{ field('service_name', 'Service name', value=v, hint='The public name.',"
        " error='Enter a name.') }}",
        v='"><script>',
    )
    control = doc.select_one("input#id_service_name")
    assert control["aria-describedby"] == "id_service_name-hint id_service_name-error"
    assert control["aria-invalid"] == "true"
    assert control["aria-required"] == "true"
    assert control["value"] == '"><script>'
    assert doc.select_one("label[for=id_service_name]").get_text() == "Service name"
    error = doc.select_one("p#id_service_name-error.error-message")
    assert error.get_text(" ", strip=True) == "Error: Enter a name."


def test_an_optional_field_says_so_and_has_no_dangling_references() -> None:
    doc = render_macro("{{ field('comments', 'Comments', required=False, textarea=True) }}")
    assert doc.select_one("label").get_text() == "Comments (optional)"
    assert not doc.select_one("textarea").has_attr("aria-describedby")


def test_radios_and_checkboxes_are_fieldsets_with_a_legend() -> None:
    doc = render_macro(
        "{{ radios('is_toolbox', 'Is it a toolbox?', [('True', 'Yes'), ('False', 'No')],"
        " value='False', error='Choose one.') }}"
        "{{ checkboxes('service_categories', 'Categories', [(1, 'Tools'), (2, 'Data')],"
        " values=[2]) }}"
    )
    radios, boxes = doc.select("fieldset")
    assert radios.legend.get_text() == "Is it a toolbox?"
    assert radios["aria-describedby"] == "id_is_toolbox-error"
    assert [i.has_attr("checked") for i in radios.select("input")] == [False, True]
    assert [i.has_attr("checked") for i in boxes.select("input")] == [False, True]
    for control in doc.select("input"):
        assert doc.select_one(f"label[for={control['id']}]")


def test_the_error_summary_links_to_each_field() -> None:
    doc = render_macro(
        "{{ error_summary(errors) }}",
        errors=[
            ("service_name", "Enter a name.", "id_service_name"),
            (
                "licenses",
                "Select at least one license or provide a license note.",
                "id_licenses-input",
            ),
            ("", "There was a problem with your submission.", ""),
        ],
    )
    summary = doc.select_one("#error-summary[tabindex='-1']")
    assert summary["aria-labelledby"] == "error-summary-title"
    assert (
        summary.select_one("[role=alert] h2#error-summary-title").get_text() == "There is a problem"
    )
    assert [a["href"] for a in summary.select("a")] == ["#id_service_name", "#id_licenses-input"]
    assert len(summary.select("li")) == 3


def test_the_bio_tools_record_is_shown_and_only_web_links_are_made(
    client: TestClient, read: FakeCatalogue
) -> None:
    record = {
        "biotools_id": "mapper",
        "name": "Mapper",
        "version": "1.0, 2.0",
        "tool_type": ["Command-line tool"],
        "operating_system": ["Linux"],
        "functions": [
            {
                "operations": [
                    {"uri": "http://edamontology.org/operation_3198", "term": "Read mapping"}
                ],
                "inputs": [
                    {
                        "data": {"uri": "u", "term": "Sequence"},
                        "formats": [{"uri": "f", "term": "FASTQ"}],
                    }
                ],
                "outputs": [],
            }
        ],
        "documentation": [
            {"url": "javascript:alert(1)", "type": []},
            {"url": "https://docs.example.org", "type": []},
        ],
        "download": [],
        "last_synced_at": "2026-03-01T10:00:00+00:00",
        "sync_error": "",
    }
    read.services[SERVICE_ID] = item(biotoolsrecord=record, github_url="javascript:alert(2)")
    html = client.get(f"/catalogue/{SERVICE_ID}/").text
    doc = check_page(html)
    section = doc.select_one("section[aria-labelledby=biotools-heading]")
    text = section.get_text(" ", strip=True)
    assert "Read mapping" in text
    assert "Inputs: Sequence (FASTQ)" in text
    assert "Last synced" in text
    assert not doc.select('a[href^="javascript"]')
    assert doc.select_one('a[href="https://docs.example.org"]')
