"""The registration pages over the real stack (spec/ui.md §5.3, §5.4, §3.2, §3.6): cookies, CSRF,
redirects, the error summary with the domain's messages, values kept, the one-time key page,
the inline validation endpoint, the honeypot and the rate limit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from bs4 import BeautifulSoup
from starlette.testclient import TestClient

from tests.integration.web.conftest import Live
from tests.ui.conftest import Site, app_client
from web.ports import BioToolsLookupFailed

pytestmark = pytest.mark.integration


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def token_of(client: TestClient, path: str = "/register/") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    field = soup(page.text).select_one("input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def form_data(live: Live, **overrides: Any) -> dict[str, Any]:
    """A valid registration under the form's names (the original's)."""
    data: dict[str, Any] = {
        "date_of_entry": "2026-06-01",
        "submitter_first_name": "Ada",
        "submitter_last_name": "Lovelace",
        "submitter_affiliation": "Analytical Engines Ltd",
        "register_as_elixir": "False",
        "service_name": "Sequence Mapper",
        "service_description": "Maps sequencing reads to a reference genome, quickly and well.",
        "year_established": "2020",
        "service_categories": [str(live.category)],
        "is_toolbox": "False",
        "edam_topics": "topic_0091",
        "publications_pmids": "12345678",
        "data_access_type": "open",
        "responsible_pis": [live.pi],
        "host_institute": "Bielefeld University",
        "service_center": live.centre,
        "public_contact_email": "help@mapper.example.org",
        "internal_contact_name": "Ada Internal",
        "internal_contact_email": "ada@mapper.example.org",
        "internal_contact_email_confirm": "ada@mapper.example.org",
        "website_url": "https://mapper.example.org",
        "terms_of_use_url": "https://mapper.example.org/terms",
        "licenses": "MIT",
        "kpi_monitoring": "planned",
        "survey_participation": "True",
        "data_protection_consent": "on",
        "website_confirm": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client: TestClient, data: dict[str, Any], **kwargs: Any) -> Any:
    token = token_of(client)
    return client.post(
        "/register/", data={"csrf_token": token, **data}, follow_redirects=False, **kwargs
    )


def test_the_form_lists_the_reference_choices_and_sets_a_csrf_cookie(site: Site) -> None:
    page = site.client.get("/register/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "registry_csrf" in page.cookies
    html = soup(page.text)
    assert html.title.get_text().startswith("Register a service – ")
    assert html.select_one("form#registration-form[novalidate]") is not None
    assert html.select_one(f"input[name=service_categories][value='{site.live.category}']")
    assert html.select_one(f"input[name=service_center][value='{site.live.centre}']")
    assert html.select_one(f"input[name=responsible_pis][value='{site.live.pi}']")
    assert html.find(id="id_date_of_entry")["value"]  # today
    assert int(html.select_one("#form-progress")["max"]) > 10
    assert html.find("main").find("h1").get_text() == "Register a service"
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_a_valid_registration_redirects_to_the_key_page_shown_once(site: Site) -> None:
    response = post(site.client, form_data(site.live))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/register/success/"
    assert "registry_flow" in response.cookies

    page = site.client.get("/register/success/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    html = soup(page.text)
    key = html.find(id="api-key").get_text()
    submission_id = html.find(id="submission-id").get_text()
    assert html.find("h1").get_text() == "Registration submitted"
    assert html.find(id="copy-key") is not None
    assert html.find(id="download-key") is not None

    # The key is the registration's write key: the API serves the submission to it.
    doc = site.live.client.get(
        f"/api/v1/submissions/{submission_id}/", headers={"Authorization": f"ApiKey {key}"}
    )
    assert doc.status_code == 200, doc.text
    body = doc.json()
    assert body["service_name"] == "Sequence Mapper"
    assert body["edam_topics"][0]["accession"] == "topic_0091"
    assert body["licenses"] == ["MIT"]
    assert body["survey_participation"] is True
    assert body["register_as_elixir"] is False

    again = site.client.get("/register/success/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/register/"


def test_the_api_wire_names_are_accepted_as_aliases(site: Site) -> None:
    live = site.live
    data = form_data(
        live,
        service_categories=None,
        responsible_pis=None,
        service_center=None,
        edam_topics=None,
        kpi_monitoring="yes",
        service_category_ids=[str(live.category)],
        responsible_pi_ids=live.pi,
        service_center_id=live.centre,
        edam_topic_ids=["topic_0091"],
        kpi_start_year="2019",
    )
    response = post(site.client, data)
    assert response.status_code == 303, soup(response.text).select_one("#error-summary")
    page = site.client.get("/register/success/")
    submission_id = UUID(soup(page.text).find(id="submission-id").get_text())
    doc = live.read.submission(submission_id)
    assert doc is not None
    assert doc["kpi_since"] == "2019"
    assert doc["service_center"]["id"] == live.centre


def test_invalid_input_is_re_rendered_with_the_domains_messages_and_every_value(
    site: Site,
) -> None:
    data = form_data(
        site.live,
        service_name="ab",
        service_description="Too short.",
        website_url="http://insecure.example.org",
        internal_contact_email_confirm="other@mapper.example.org",
        data_protection_consent=None,
        comments="Kept comment",
    )
    response = post(site.client, data)
    assert response.status_code == 422
    html = soup(response.text)
    assert html.title.get_text().startswith("Error: Register a service")
    summary = html.find(id="error-summary")
    assert summary["tabindex"] == "-1"
    assert summary.find(attrs={"role": "alert"}).find("h2").get_text() == "There is a problem"
    links = {a["href"]: a.get_text() for a in summary.find_all("a")}
    assert links["#id_service_name"] == "Service name must be at least 3 characters."
    assert links["#id_internal_contact_email_confirm"] == "Email addresses do not match."
    assert "#id_data_protection_consent" in links
    assert "#id_website_url" in links
    # Every summary link has its target, in form order.
    hrefs = list(links)
    for href in hrefs:
        assert html.find(id=href[1:]) is not None, href
    assert hrefs.index("#id_service_name") < hrefs.index("#id_website_url")
    # The API answers the same payload with the same messages.
    api = site.live.client.post(
        "/api/v1/submissions/",
        json=site.live.payload(
            service_name="ab",
            service_description="Too short.",
            website_url="http://insecure.example.org",
        ),
    )
    assert api.status_code == 400
    api_errors = api.json()["errors"]
    assert links["#id_service_name"] == " ".join(api_errors["service_name"])
    assert links["#id_website_url"] == " ".join(api_errors["website_url"])
    assert links["#id_service_description"] == " ".join(api_errors["service_description"])
    # Values are kept; the consent is not.
    assert html.find(id="id_service_name")["value"] == "ab"
    assert html.find(id="id_comments").get_text() == "Kept comment"
    assert html.find(id="id_edam_topics")["value"] == "topic_0091"
    checked = html.select_one(f"input[name=responsible_pis][value='{site.live.pi}']")
    assert checked.has_attr("checked")
    assert not html.find(id="id_data_protection_consent").has_attr("checked")
    control = html.find(id="id_service_name")
    assert control["aria-invalid"] == "true"
    assert "id_service_name-error" in control["aria-describedby"]
    # Nothing was recorded.
    assert site.live.read.list_submissions({}, "-submitted_at", 1, 10)[0] == 0


def test_a_post_without_the_csrf_token_is_refused_and_keeps_the_answers(site: Site) -> None:
    site.client.get("/register/")
    data = form_data(site.live, service_name="Forged Service")
    response = site.client.post("/register/", data=data, follow_redirects=False)
    assert response.status_code == 403
    html = soup(response.text)
    assert "This form expired. Check your answers and submit again." in (
        html.find(id="error-summary").get_text()
    )
    assert html.find(id="id_service_name")["value"] == "Forged Service"
    cross = site.client.post(
        "/register/",
        data={"csrf_token": token_of(site.client), **data},
        headers={"Origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert cross.status_code == 403
    assert site.live.read.list_submissions({}, "-submitted_at", 1, 10)[0] == 0


def test_a_filled_honeypot_is_refused_with_a_generic_message(site: Site) -> None:
    response = post(site.client, form_data(site.live, website_confirm="http://spam.example"))
    assert response.status_code == 422
    assert "There was a problem with your submission. Please try again." in response.text
    assert site.live.read.list_submissions({}, "-submitted_at", 1, 10)[0] == 0


def test_the_key_page_without_a_registration_goes_back_to_the_form(site: Site) -> None:
    response = site.client.get("/register/success/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/register/"


def test_inline_validation_answers_one_fields_error(site: Site) -> None:
    token = token_of(site.client)
    assert site.client.get("/register/validate/").status_code == 405
    missing = site.client.post("/register/validate/", data={"csrf_token": token})
    assert missing.status_code == 400
    unknown = site.client.post("/register/validate/", data={"csrf_token": token, "field": "x"})
    assert unknown.status_code == 400
    short = site.client.post(
        "/register/validate/",
        data={"csrf_token": token, "field": "service_name", "service_name": "ab"},
    )
    assert short.status_code == 200
    assert "Service name must be at least 3 characters." in short.text
    assert 'role="alert"' not in short.text
    fine = site.client.post(
        "/register/validate/",
        data={"csrf_token": token, "field": "service_name", "service_name": "Good name"},
    )
    assert fine.status_code == 200
    assert fine.text.strip() == ""
    # Form names and wire names alike; the form's own e-mail confirmation too.
    mismatch = site.client.post(
        "/register/validate/",
        data={
            "csrf_token": token,
            "field": "internal_contact_email_confirm",
            "internal_contact_email": "a@example.org",
            "internal_contact_email_confirm": "b@example.org",
        },
    )
    assert "Email addresses do not match." in mismatch.text
    forged = site.client.post(
        "/register/validate/", data={"field": "service_name", "service_name": "ab"}
    )
    assert forged.status_code == 403


def test_registrations_over_the_ui_limit_get_the_429_page(site: Site) -> None:
    with app_client(site, "ui_register=1/hour,invalid=60/hour") as client:
        # A refused attempt moves to the "invalid" budget: fixing errors costs no registration.
        refused = post(client, form_data(site.live, service_name="ab"))
        assert refused.status_code == 422
        first = post(client, form_data(site.live, service_name="First One"))
        assert first.status_code == 303, soup(first.text).select_one("#error-summary")
        second = post(client, form_data(site.live, service_name="Second One"))
        assert second.status_code == 429
        assert "Too many requests" in second.text
        assert int(second.headers["retry-after"]) > 0
        assert "text/html" in second.headers["content-type"]


def test_the_edam_suggestions_name_a_synonym_hit_and_skip_obsolete_terms(site: Site) -> None:
    hit = site.client.get("/ui/suggest/edam?branch=topic&q=seq&name=edam_topics")
    assert hit.status_code == 200
    options = soup(hit.text).select("li[role=option]")
    assert [o["data-value"] for o in options] == ["topic_0080"]
    assert options[0]["id"] == "edam_topics-opt-topic_0080"
    assert options[0].get_text(" ", strip=True) == "Sequence analysis (topic_0080)"
    synonym = soup(site.client.get("/ui/suggest/edam?branch=topic&q=bio-inf").text)
    assert synonym.select_one("li")["data-value"] == "topic_0091"
    assert "matches synonym: Bio-informatics" in synonym.get_text()
    assert soup(site.client.get("/ui/suggest/edam?branch=topic&q=root").text).select("li") == []
    assert soup(site.client.get("/ui/suggest/edam?branch=topic&q=s").text).select("li") == []


def test_the_licence_suggestions_omit_deprecated_licences(site: Site) -> None:
    found = soup(site.client.get("/ui/suggest/licenses?q=license&name=licenses").text)
    assert [o["data-value"] for o in found.select("li")] == ["Apache-2.0", "MIT"]
    assert found.select_one("li").get_text(strip=True) == "Apache License 2.0 (Apache-2.0)"
    assert soup(site.client.get("/ui/suggest/licenses?q=gpl").text).select("li") == []


def test_edam_names_and_synonyms_resolve_without_javascript(site: Site) -> None:
    data = form_data(site.live, edam_topics="sequence analysis, Bio-informatics")
    response = post(site.client, data)
    assert response.status_code == 303, soup(response.text).select_one("#error-summary")
    page = site.client.get("/register/success/")
    submission_id = UUID(soup(page.text).find(id="submission-id").get_text())
    doc = site.live.read.submission(submission_id)
    assert doc is not None
    assert [t["accession"] for t in doc["edam_topics"]] == ["topic_0080", "topic_0091"]


def test_unknown_edam_names_and_more_than_six_terms_are_refused(site: Site) -> None:
    unknown = post(site.client, form_data(site.live, edam_topics="topic_0091, xyz"))
    assert unknown.status_code == 422
    summary = soup(unknown.text).find(id="error-summary")
    assert summary.find("a", href="#id_edam_topics").get_text() == "Unknown EDAM topic: 'xyz'"
    # Seven chips (the widget's repeated fields) are refused by the server too (decision 3).
    seven = [f"topic_{n:04d}" for n in range(1000, 1007)]
    many = post(site.client, form_data(site.live, edam_topics=seven))
    assert many.status_code == 422
    assert "Select at most 6 EDAM topics." in soup(many.text).find(id="error-summary").get_text()


#: A bio.tools record in the flat shape the look-up returns (schema.biotools.flat_record).
MAPPER_RECORD: dict[str, Any] = {
    "biotools_id": "mapper",
    "name": "Read Mapper",
    "description": "Maps reads to genomes.",
    "homepage": "https://mapper.example.org",
    "license": "mit",
    "publications": [{"pmid": "12345678", "doi": ""}, {"pmid": "", "doi": "10.1000/xyz123"}],
    "edam_topic_uris": ["http://edamontology.org/topic_0080", "http://edamontology.org/topic_9999"],
    "functions": [{"operations": [{"uri": "http://edamontology.org/operation_0292"}]}],
    "links": [{"url": "https://github.com/example/mapper", "type": ["Repository"]}],
    "download": [],
}


class FakeLookup:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def lookup(self, biotools_id: str) -> dict[str, Any]:
        self.asked.append(biotools_id)
        if biotools_id != "mapper":
            raise BioToolsLookupFailed(f"no tool with the id '{biotools_id}'")
        return MAPPER_RECORD


def test_the_biotools_prefill_offers_what_bio_tools_has_matched_to_reference_data(
    site: Site,
) -> None:
    lookup = FakeLookup()
    with app_client(site, biotools=lookup) as client:
        assert soup(client.get("/register/").text).find(id="biotools-fetch") is not None
        found = client.get("/ui/biotools/prefill?biotools_url=https://bio.tools/mapper")
        assert found.status_code == 200
        rows = {
            box["data-prefill-target"]: box
            for box in soup(found.text).select("input[data-prefill-target]")
        }
        assert lookup.asked == ["mapper"]
        assert rows["service_name"]["data-prefill-value"] == "Read Mapper"
        assert rows["website_url"]["data-prefill-value"] == "https://mapper.example.org"
        assert rows["publications_pmids"]["data-prefill-value"] == "12345678, 10.1000/xyz123"
        # EDAM terms by URI, unknown ones left out; the licence by its SPDX id, any case.
        assert rows["edam_topics"]["data-prefill-value"] == "topic_0080"
        assert rows["edam_topics"]["data-prefill-labels"] == "Sequence analysis"
        assert rows["edam_operations"]["data-prefill-value"] == "operation_0292"
        assert rows["licenses"]["data-prefill-value"] == "MIT"
        assert rows["github_url"]["data-prefill-value"] == "https://github.com/example/mapper"
        failed = client.get("/ui/biotools/prefill?id=nothing")
        message = soup(failed.text).find(id="biotools-error").get_text()
        assert message == "bio.tools lookup failed: no tool with the id 'nothing'"
    # Without a configured look-up there is no button.
    assert soup(site.client.get("/register/").text).find(id="biotools-fetch") is None


def test_the_registration_page_stays_within_its_budget(site: Site) -> None:
    for n in range(60):  # a realistic reference list
        site.live.app.create_pi(
            {"last_name": f"Person{n}", "first_name": "Pat"}, actor="admin:root"
        )
    site.sync()
    page = site.client.get("/register/")
    assert len(page.content) <= 90_000, len(page.content)
    assert len(soup(page.text).select("input[name=responsible_pis]")) == 61


def png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGBA", (8, 8), (0, 128, 0, 255)).save(out, "PNG")
    return out.getvalue()


def test_a_logo_is_uploaded_with_the_registration_and_named_again_after_an_error(
    site: Site,
) -> None:
    refused = post(
        site.client,
        form_data(site.live, service_name="ab"),
        files={"logo": ("logo.png", png(), "image/png")},
    )
    assert refused.status_code == 422
    error = soup(refused.text).find(id="id_logo-error").get_text(" ", strip=True)
    assert error == "Error: You chose logo.png; choose it again."
    bad = post(site.client, form_data(site.live), files={"logo": ("x.png", b"nope", "image/png")})
    assert bad.status_code == 422
    assert soup(bad.text).find("a", href="#id_logo") is not None
    response = post(
        site.client, form_data(site.live), files={"logo": ("logo.png", png(), "image/png")}
    )
    assert response.status_code == 303
    page = site.client.get("/register/success/")
    submission_id = UUID(soup(page.text).find(id="submission-id").get_text())
    doc = site.live.read.submission(submission_id)
    assert doc is not None
    assert str(doc["logo_url"]).endswith(".png")


def test_check_your_answers_validates_without_saving(site: Site) -> None:
    data = form_data(site.live, _preview="1", comments="Preview comment")
    page = post(site.client, data)
    assert page.status_code == 200
    html = soup(page.text)
    assert html.title.get_text().startswith("Check your answers: Register a service")
    rows = {
        row.find("dt").get_text(): row.find_all("dd")
        for row in html.select("#check-answers .summary-row")
    }
    assert rows["Name of the Service"][0].get_text() == "Sequence Mapper"
    assert rows["Any Comments"][0].get_text() == "Preview comment"
    assert rows["Service category — select all that apply"][0].get_text() == "Tools"
    assert rows["Is KPI monitoring in place?"][0].get_text() == "Planned"
    change = rows["Name of the Service"][1].find("a")
    assert change["href"] == "#id_service_name"
    assert change.get_text() == "Change Name of the Service"
    # The answers stay in the form, ready to submit; nothing was recorded.
    assert html.find(id="id_service_name")["value"] == "Sequence Mapper"
    assert site.live.read.list_submissions({}, "-submitted_at", 1, 10)[0] == 0
    # With errors, the preview is the usual error page.
    invalid = post(site.client, form_data(site.live, _preview="1", service_name="ab"))
    assert invalid.status_code == 422
    assert soup(invalid.text).find(id="check-answers") is None


def test_another_registration_can_start_from_the_previous_ones_shared_answers(
    site: Site,
) -> None:
    response = post(site.client, form_data(site.live, service_name="First Service"))
    assert response.status_code == 303
    page = soup(site.client.get("/register/success/").text)
    link = page.find("a", string="Register another service based on this one")
    assert link["href"] == "/register/?from=previous"
    form = soup(site.client.get("/register/?from=previous").text)
    assert form.find(id="id_submitter_first_name")["value"] == "Ada"
    assert form.find(id="id_host_institute")["value"] == "Bielefeld University"
    assert form.select_one(f"input[name=responsible_pis][value='{site.live.pi}']").has_attr(
        "checked"
    )
    assert form.find(id="id_licenses")["value"] == "MIT"
    assert form.find(id="id_service_name")["value"] == ""  # the service's own answers are not
    assert form.find(id="id_website_url")["value"] == ""
    # The key itself is gone.
    again = site.client.get("/register/success/", follow_redirects=False)
    assert again.status_code == 303


def test_the_kpi_year_is_cleared_while_monitoring_is_only_planned(site: Site) -> None:
    planned = post(site.client, form_data(site.live, kpi_monitoring="planned", kpi_since="2018"))
    assert planned.status_code == 303
    page = soup(site.client.get("/register/success/").text)
    doc = site.live.read.submission(UUID(page.find(id="submission-id").get_text()))
    assert doc is not None
    assert doc["kpi_since"] == ""


def test_institute_suggestions_come_from_reference_data_and_approved_services_only(
    site: Site,
) -> None:
    site.approved(host_institute="Approved Institute")
    site.register(host_institute="Unreviewed Institute")
    options = [
        o["value"]
        for o in soup(site.client.get("/register/").text).select(
            "#host-institute-suggestions option"
        )
    ]
    assert "Approved Institute" in options
    assert "Bielefeld-Gießen" in options  # a centre's name
    assert "Unreviewed Institute" not in options


def test_related_service_suggestions_list_approved_services_only(site: Site) -> None:
    approved = site.approved(service_name="Galaxy Europe")
    site.register(service_name="Galaxy Draft")
    found = soup(site.client.get("/ui/suggest/services?q=galaxy&name=related_services").text)
    options = found.select("li[role=option]")
    assert [o["data-value"] for o in options] == [approved["id"]]
    assert options[0]["data-label"] == "Galaxy Europe"
    assert options[0]["id"] == f"related_services-opt-{approved['id']}"


def test_malformed_answers_get_messages_naming_their_fields_never_a_500(site: Site) -> None:
    data = form_data(
        site.live,
        year_established="abc",
        service_center="not-a-uuid",
        service_categories=["x"],
        date_of_entry="2026-13-01",
        register_as_elixir="maybe",
        data_access_type="secret",
    )
    response = post(site.client, data)
    assert response.status_code == 422
    links = {a["href"] for a in soup(response.text).select("#error-summary a")}
    assert {
        "#id_year_established",
        "#id_service_center",
        "#id_service_categories",
        "#id_date_of_entry",
        "#id_register_as_elixir",
        "#id_data_access_type",
    } <= links
    garbage = site.client.post(
        "/register/",
        content=b"--x\r\nbroken",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    assert garbage.status_code in (400, 403)
    assert "text/html" in garbage.headers["content-type"]
