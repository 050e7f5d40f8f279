"""The submission form's view models and macro, rendered without a browser (spec/ui.md §5.3,
§4 "Forms"): every catalogue field of sections A–G under its form name, labels and hints,
``aria-describedby`` hint first, errors as text, values kept, no inline script or style."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bs4 import BeautifulSoup

from domain.fields import form_sections as catalogue_sections
from schema.settings import Settings
from web.ui.assets import Assets
from web.ui.form_fields import (
    FormOptions,
    FormSection,
    field_names,
    form_sections,
    required_names,
    summary_with_labels,
)
from web.ui.forms import form_name
from web.ui.render import Renderer

OPTIONS = FormOptions(
    categories=[{"id": 1, "name": "Tools"}, {"id": 2, "name": "Data"}],
    centres=[{"id": "c-1", "short_name": "BioInfra", "full_name": "BioInfra Centre"}],
    pis=[
        {
            "id": "pi-1",
            "display_name": "Ada Lovelace",
            "institute": "X",
            "is_associated_partner": 0,
        },
        {"id": "pi-2", "display_name": "Partner P", "institute": "Y", "is_associated_partner": 1},
    ],
    labels={"topic_0121": "Proteomics"},
    definitions={"topic_0121": "Protein and peptide identification."},
)


LICENCE_OR_NOTE = "Select at least one license or provide a license note."


def render(sections: tuple[FormSection, ...], **more: Any) -> BeautifulSoup:
    renderer = Renderer(Settings())
    template = renderer.env.from_string(
        '{% from "form/_submission_form.html" import submission_form, form_sidebar %}'
        "{{ form_sidebar(sections, 3, 1) }}"
        '{{ submission_form(sections, "/register/", "tok", "Submit registration", **more) }}'
    )
    return BeautifulSoup(template.render(sections=sections, more=more), "html.parser")


def test_every_catalogue_field_of_sections_a_to_g_is_on_the_register_form() -> None:
    sections = form_sections({}, {}, options=OPTIONS)
    wanted = {form_name(f.name) for s in catalogue_sections() for f in s.fields}
    names = set(field_names(sections))
    assert wanted <= names
    assert names - wanted == {"internal_contact_email_confirm"}
    assert [s.key for s in sections] == list("ABCDEFG")
    page = render(sections, honeypot=True)
    for name in wanted - {"service_categories", "responsible_pis", "service_center"}:
        control = page.find(id=f"id_{name}")
        assert control is not None, name
        assert control.get("name") == name
        assert page.find("label", attrs={"for": f"id_{name}"}) is not None, name
    assert page.select_one("input[name=website_confirm][tabindex='-1']") is not None
    assert page.select_one(".hp-field")["aria-hidden"] == "true"


def test_the_edit_form_has_no_consent_and_no_confirmation_but_can_remove_the_logo() -> None:
    sections = form_sections({}, {}, mode="edit", options=FormOptions(logo_url="/media/l.png"))
    names = field_names(sections)
    assert "data_protection_consent" not in names
    assert "internal_contact_email_confirm" not in names
    page = render(sections)
    assert page.select_one("input[name=logo_clear]") is not None
    assert page.select_one("img.logo-preview")["alt"] == "Current logo"


def test_ids_are_unique_and_every_described_by_target_exists() -> None:
    sections = form_sections(
        {"service_name": "x"}, {"service_name": "Service name must be at least 3 characters."},
        options=OPTIONS,
    )  # fmt: skip
    page = render(sections, honeypot=True)
    ids = Counter(tag["id"] for tag in page.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    for tag in page.find_all(attrs={"aria-describedby": True}):
        for ref in tag["aria-describedby"].split():
            assert page.find(id=ref) is not None, ref
    for label in page.find_all("label"):
        assert page.find(id=label["for"]) is not None, label["for"]


def test_an_error_is_text_linked_to_its_control_hint_first() -> None:
    message = "Service description must be at least 50 characters."
    sections = form_sections(
        {"service_description": "short"}, {"service_description": message}, options=OPTIONS
    )
    page = render(sections)
    control = page.find(id="id_service_description")
    assert control["aria-describedby"] == "id_service_description-hint id_service_description-error"
    assert control["aria-invalid"] == "true"
    assert control.get_text() == "short"
    error = page.find(id="id_service_description-error")
    assert error.get_text(" ", strip=True) == f"Error: {message}"
    assert error.select_one(".visually-hidden").get_text() == "Error:"
    # A field without an error is not invalid and not described by the (empty) error element.
    other = page.find(id="id_service_name")
    assert "aria-invalid" not in other.attrs
    assert "id_service_name-error" not in other.get("aria-describedby", "")


def test_wire_names_and_served_values_are_re_rendered_under_form_names() -> None:
    values = {
        "service_name": "Galaxy",
        "service_category_ids": [2],
        "responsible_pis": [{"id": "pi-2", "display_name": "Partner P"}],
        "service_center_id": "c-1",
        "is_toolbox": True,
        "edam_topics": [{"accession": "topic_0121", "label": "Proteomics"}],
        "licenses": ["MIT", "Apache-2.0"],
        "kpi_monitoring": "planned",
        "kpi_start_year": "2019",
        "data_protection_consent": "on",
    }
    sections = form_sections(values, {}, options=OPTIONS)
    by_name = {f.name: f for s in sections for f in s.fields}
    assert by_name["kpi_since"].value == "2019"
    assert not by_name["kpi_since"].revealed
    assert by_name["toolbox_name"].revealed
    assert by_name["associated_partner_note"].revealed
    page = render(sections)
    assert page.find(id="id_service_name")["value"] == "Galaxy"
    assert page.select_one("input[name=service_categories][value='2']").has_attr("checked")
    assert not page.select_one("input[name=service_categories][value='1']").has_attr("checked")
    assert page.select_one("input[name=responsible_pis][value=pi-2]").has_attr("checked")
    assert page.select_one("input[name=service_center][value=c-1]").has_attr("checked")
    assert page.select_one("input[name=is_toolbox][value=True]").has_attr("checked")
    assert page.find(id="id_edam_topics")["value"] == "topic_0121"
    chips = page.select("#id_edam_topics-chips li")
    assert [c.select_one("input")["value"] for c in chips] == ["topic_0121"]
    assert chips[0].select_one("button")["aria-label"] == "Remove Proteomics"
    assert page.find(id="id_licenses")["value"] == "MIT, Apache-2.0"
    # The consent is never kept (§4 "Redundant entry").
    assert not page.find(id="id_data_protection_consent").has_attr("checked")


def test_required_and_optional_follow_the_catalogue() -> None:
    sections = form_sections({}, {}, options=OPTIONS)
    by_name = {f.name: f for s in sections for f in s.fields}
    assert by_name["service_name"].required
    assert not by_name["comments"].required
    assert by_name["comments"].optional
    # Required under a condition: neither aria-required nor "(optional)".
    assert not by_name["toolbox_name"].required
    assert not by_name["toolbox_name"].optional
    assert "service_name" in required_names(sections)
    assert by_name["service_description"].counted
    assert by_name["service_description"].minlength == 50
    assert by_name["edam_topics"].max_items == 6
    page = render(sections)
    assert page.find("label", attrs={"for": "id_comments"}).get_text() == "Any Comments (optional)"
    assert page.find(id="id_service_name")["aria-required"] == "true"
    assert page.find(id="id_service_name")["maxlength"] == "300"
    assert page.find(id="id_year_established")["inputmode"] == "numeric"
    assert page.find(id="id_submitter_first_name")["autocomplete"] == "given-name"


def test_the_pickers_have_a_no_js_text_field_and_a_disabled_hidden_chip_widget() -> None:
    page = render(form_sections({"edam_topics": "topic_0121"}, {}, options=OPTIONS))
    text = page.find(id="id_edam_topics")
    assert text["type"] == "text"
    assert text.find_parent(attrs={"data-no-js": True}) is not None
    widget = page.select_one("fieldset[data-picker=edam_topics]")
    assert widget.has_attr("hidden")
    assert widget.has_attr("disabled")  # its hidden inputs are not submitted without JS
    assert widget["data-max"] == "6"
    combo = page.find(id="id_edam_topics-input")
    assert combo["role"] == "combobox"
    assert combo["aria-controls"] == "id_edam_topics-listbox"
    assert page.find(id="id_edam_topics-listbox")["role"] == "listbox"
    assert page.find(id="id_licenses-input") is not None  # the summary's target for licences


def test_the_form_has_no_inline_script_style_or_handlers() -> None:
    page = render(form_sections({}, {}, options=OPTIONS), honeypot=True, preview=True)
    assert page.find("script") is None
    assert page.find("style") is None
    for tag in page.find_all(True):
        assert "style" not in tag.attrs, tag.name
        assert not any(a.startswith("on") or a.startswith("hx-on") for a in tag.attrs), tag.name
    form = page.find("form")
    assert form.has_attr("novalidate")
    assert form["enctype"] == "multipart/form-data"
    assert page.select_one("nav[aria-label='Form sections'] a[href='#section-g']") is not None


def test_a_generic_message_in_the_summary_names_its_field() -> None:
    sections = form_sections({}, {}, options=OPTIONS)
    items = summary_with_labels(
        [
            ("service_description", "This field is required.", "id_service_description"),
            ("service_name", "Service name must be at least 3 characters.", "id_service_name"),
            ("", "This form expired. Check your answers and submit again.", ""),
            (
                "licenses",
                "Select at least one license or provide a license note.",
                "id_licenses-input",
            ),
        ],
        sections,
    )
    assert items[3][2] == "id_licenses"  # the control without JS; form.js moves on to the box
    assert [m for _, m, _ in items] == [
        "Service Description: This field is required.",
        "Service name must be at least 3 characters.",
        "This form expired. Check your answers and submit again.",
        LICENCE_OR_NOTE,
    ]


def test_a_stored_document_fills_the_edit_form_under_its_served_names() -> None:
    doc = {
        "service_name": "Galaxy",
        "service_center": {"id": "c-1", "short_name": "BioInfra"},
        "service_categories": [{"id": 1, "name": "Tools"}],
        "responsible_pis": [{"id": "pi-1", "display_name": "Ada Lovelace"}],
        "edam_operations": [{"accession": "operation_0292", "label": "Sequence alignment"}],
        "related_services": [{"id": "s-9", "service_name": "Other"}],
        "kpi_since": "2019",
        "date_of_entry": "2026-01-02",
        "register_as_elixir": True,
    }
    sections = form_sections(doc, {}, mode="edit", options=OPTIONS)
    by_name = {f.name: f for s in sections for f in s.fields}
    assert by_name["service_center"].value == "c-1"
    assert [o.value for o in by_name["service_center"].options if o.checked] == ["c-1"]
    assert [o.value for o in by_name["service_categories"].options if o.checked] == ["1"]
    assert [o.value for o in by_name["responsible_pis"].options if o.checked] == ["pi-1"]
    assert [(c.value, c.label) for c in by_name["edam_operations"].chips] == [
        ("operation_0292", "Sequence alignment")
    ]
    assert [(c.value, c.label) for c in by_name["related_services"].chips] == [("s-9", "Other")]
    assert by_name["date_of_entry"].value == "2026-01-02"
    assert [o.value for o in by_name["register_as_elixir"].options if o.checked] == ["True"]


def test_the_consent_is_kept_only_when_asked() -> None:
    values = {"data_protection_consent": "on"}
    kept = render(form_sections(values, {}, options=OPTIONS, keep_consent=True))
    assert kept.find(id="id_data_protection_consent").has_attr("checked")
    dropped = render(form_sections(values, {}, options=OPTIONS))
    assert not dropped.find(id="id_data_protection_consent").has_attr("checked")


def test_a_chosen_edam_chip_tells_about_its_term() -> None:
    page = render(form_sections({"edam_topics": "topic_0121"}, {}, options=OPTIONS))
    about = page.select_one("#id_edam_topics-chips details.chip-definition")
    assert about.find("summary").get_text(" ", strip=True) == "About this term : Proteomics"
    assert about.find("p").get_text() == "Protein and peptide identification."


def test_the_forms_script_keeps_its_budget() -> None:
    # form.js is loaded by the form pages only (app.js keeps its 12 kB for every page); it is
    # served unminified, so the budget is on the raw bytes.
    assets = Assets()
    assert assets.size("ui/form.js") <= 16_000
    assert assets.size("ui/app.js") + assets.size("ui/form.js") <= 24_000
