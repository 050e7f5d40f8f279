"""The field catalogue: one declaration per submission field (``domain.field_types.Field``).

Everything else is derived from :data:`FIELDS`: parsing and validation (``domain.parsing``,
``domain.validation``), change records and labels (``domain.changes``), the aggregate's defaults,
the API models and so the OpenAPI document (``schema.api.submissions``), the read documents and
their defaults (``projections.projectors.submission_doc``, ``projections.queries.shapes``), the
list filters (``projections.queries.submission_sql``), the mails, and the form, admin and export
metadata (:func:`form_sections`, :func:`admin_columns`, :func:`export_columns`). Adding an optional
field with a constant default is one entry here (``docs/schema-evolution.md``).

Aggregate state and event ``values`` use the wire names (``service_center_id``, …); change records
use the existing system's change-log names and labels (``service_center`` "Service Centre"), so the
history reads the same as the old ``SubmissionChangeLog``. The constants below the catalogue keep
the names the rest of the code imported before the catalogue existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from domain.field_types import (
    NO_DEFAULT,
    Alias,
    ApiHistory,
    Choice,
    Field,
    Kind,
    ListFilter,
    MaxItems,
    MinLength,
    Range,
    RequiredWhen,
)
from domain.lifecycle import PRIMARY_TAG_LABELS, SECONDARY_TAG_LABELS, STATUS_LABELS

__all__ = [
    "API_VERSIONS",
    "CONSENT_FIELD",
    "CONTENT_FIELDS",
    "DEFAULTS",
    "DEFAULT_EXEMPT_FIELDS",
    "FIELDS",
    "LABELS",
    "PERSONAL_FIELDS",
    "RELATED_FIELD",
    "RENAMED_FIELDS",
    "SECTION_TITLES",
    "Kind",
    "admin_columns",
    "change_name",
    "current_names",
    "export_columns",
    "field",
    "form_sections",
    "label_for",
    "list_filters",
    "mail_fields",
    "table_version",
    "valid_exempt_fields",
    "with_defaults",
]

API_VERSIONS: Final = (1, 2)
"""The API major versions served (``/api/v1/``, ``/api/v2/``); a field's ``ApiHistory`` says which
of them have it."""

URL_MAX: Final = 2000
TEXT_MAX: Final = 5000
"""The maximum of long free text (descriptions, notes, comments)."""
NOTE_MAX: Final = 2000


def _choices(labels: Mapping[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in labels.items())


def _url(name: str, label: str, *, required: bool = False, **more: Any) -> Field:
    """An https URL of section D (optional ones default to "" and keep an approval)."""
    return Field(
        name,
        "plain",
        label,
        "D",
        required=required,
        max_length=URL_MAX,
        format="https_url",
        widget="url",
        resets_approval=False,
        default=NO_DEFAULT if required else "",
        **more,
    )


def _edam(branch: str, noun: str) -> Field:
    plural = f"{noun}s"
    return Field(
        f"edam_{branch}_ids",
        "list_str",
        f"EDAM {plural.title()}",
        "B",
        change_name=f"edam_{branch}s",
        served_as=f"edam_{branch}s",
        default=[],
        refers_to="edam_topic" if branch == "topic" else "edam_operation",
        max_items=MaxItems(6, f"Select at most 6 EDAM {plural}."),
        resets_approval=False,
        widget="picker",
        help=f"EDAM {branch} accessions (or legacy integer ids), at most 6.",
    )


# A KPI year is needed unless monitoring is only planned (or not chosen yet).
def _kpi_running(value: Any) -> bool:
    return bool(value) and value != "planned"


FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "status", "plain", "Status", "", role="lifecycle", choices=_choices(STATUS_LABELS),
        exemptable=False, admin_column=True, widget="none",
        filter=ListFilter("status", column="status"),
    ),
    # -- A: general ------------------------------------------------------------------------------
    Field(
        "date_of_entry", "date", "Date of Entry", "A", required=True, exemptable=False,
        widget="date", form_label="Date of information entered",
    ),
    Field(
        "submitter_first_name", "text", "Submitter First Name", "A", default="",
        visibility="owner", personal=True, max_length=100,
        min_length=MinLength(2, "First name must be at least 2 characters."),
        form_label="First name",
    ),
    Field(
        "submitter_last_name", "text", "Submitter Last Name", "A", default="",
        visibility="owner", personal=True, max_length=100,
        min_length=MinLength(2, "Last name must be at least 2 characters."),
        form_label="Last name",
    ),
    Field(
        "submitter_affiliation", "text", "Submitter Affiliation", "A", default="",
        visibility="owner", personal=True, max_length=300,
        min_length=MinLength(2, "Affiliation must be at least 2 characters."),
        widget="combobox", form_label="Institute / Affiliation",
    ),
    Field(
        "register_as_elixir", "bool", "Register as ELIXIR", "A", default=False,
        exemptable=False, widget="radio", form_label="Also register as an ELIXIR-DE Service?",
        filter=ListFilter("register_as_elixir", column="register_as_elixir"), mail=True,
    ),
    # -- B: service master data ------------------------------------------------------------------
    Field(
        "service_name", "text", "Service Name", "B", required=True, max_length=300,
        min_length=MinLength(3, "Service name must be at least 3 characters."),
        form_label="Name of the Service", admin_column=True,
    ),
    Field(
        "service_description", "text", "Service Description", "B", required=True,
        max_length=TEXT_MAX, too_long="Service description must not exceed 5000 characters.",
        min_length=MinLength(50, "Service description must be at least 50 characters."),
        widget="textarea", mail=True, help="50 to 5000 characters.",
    ),
    Field(
        "year_established", "int", "Year Established", "B", required=True,
        range=Range(1900, None, "Year established must be between {minimum} and {maximum}."),
        widget="number", form_label="Year of Service establishment", admin_column=True,
        filter=ListFilter("year_established", column="year_established"), mail=True,
    ),
    Field(
        "service_category_ids", "list_int", "Service Categories", "B", required=True,
        default=[], change_name="service_categories", served_as="service_categories",
        refers_to="category", widget="multiselect", mail=True,
        form_label="Service category — select all that apply", help="Active category ids.",
    ),
    Field(
        "is_toolbox", "bool", "Is Toolbox", "B", default=False, widget="radio",
        form_label="Is the service part of a de.NBI toolbox?",
    ),
    Field(
        "toolbox_name", "text", "Toolbox Name", "B", default="", max_length=200,
        required_when=RequiredWhen(
            "is_toolbox", "Toolbox name is required when is_toolbox is True.",
            "when is_toolbox is true", holds=bool,
        ),
        form_label="Name of the de.NBI toolbox",
    ),
    Field(
        "user_knowledge_required", "text", "User Knowledge Required", "B", default="",
        max_length=TEXT_MAX, widget="textarea",
    ),
    Field(
        "publications_pmids", "plain", "Publications (PMIDs/DOIs)", "B", required=True,
        max_length=TEXT_MAX, format="pmids_or_dois", resets_approval=False, widget="textarea",
        mail=True,
        help="Comma-separated PMIDs or DOIs, at most 50 (e.g. 12345678, 10.1000/xyz123).",
    ),
    _edam("topic", "topic"),
    _edam("operation", "operation"),
    # -- C: responsibilities ---------------------------------------------------------------------
    Field(
        "responsible_pi_ids", "list_uuid", "Responsible PIs", "C", required=True, default=[],
        change_name="responsible_pis", served_as="responsible_pis", refers_to="pi",
        widget="multiselect", mail=True,
        form_label="Name(s) of the PI(s) responsible for the service",
    ),
    Field(
        "associated_partner_note", "text", "Associated Partner Note", "C", default="",
        max_length=NOTE_MAX, widget="textarea", form_label="Associated partner details",
        required_when=RequiredWhen(
            "responsible_pi_ids",
            "Please provide the name and affiliation of the associated partner.",
            "when a responsible PI is an associated partner", flag="is_associated_partner",
        ),
    ),
    Field(
        "host_institute", "text", "Host Institute", "C", required=True, max_length=300,
        widget="combobox", form_label="Host institute of the Service", mail=True,
    ),
    Field(
        "service_center_id", "ref", "Service Centre", "C", required=True,
        change_name="service_center", served_as="service_center", refers_to="centre",
        widget="select", form_label="Associated de.NBI Service Center", admin_column=True,
        filter=ListFilter("service_center", "reference_name", column="service_center_id"),
        mail=True,
    ),
    Field(
        "public_contact_email", "plain", "Public Contact (Email or URL)", "C", required=True,
        personal=True, max_length=URL_MAX, format="email_or_https_url", resets_approval=False,
        form_label="Public contact email or support form", mail=True,
    ),
    Field(
        "internal_contact_name", "text", "Internal Contact Name", "C", required=True,
        visibility="internal", personal=True, max_length=200, resets_approval=False,
        form_label="Internal contact person (name & affiliation)",
    ),
    Field(
        "internal_contact_email", "plain", "Internal Contact Email", "C", required=True,
        visibility="internal", personal=True, max_length=254, format="email",
        resets_approval=False, widget="email", form_label="Internal contact email",
    ),
    # -- D: links --------------------------------------------------------------------------------
    _url("website_url", "Website URL", required=True, mail=True,
         form_label="Link to the service website"),
    _url("terms_of_use_url", "Terms of Use URL", required=True,
         form_label="Link to the service terms of use"),
    Field(
        "licenses", "list_str", "Licenses", "D", default=[], refers_to="license",
        widget="picker", form_label="License(s)", mail=True, help="SPDX licence ids.",
        required_when=RequiredWhen(
            "license_note", "Select at least one license or provide a license note.",
            "unless a license note is given", holds=lambda note: not note,
        ),
    ),
    Field("license_note", "text", "License Note", "D", default="", max_length=200, mail=True),
    _url("github_url", "GitHub URL",
         prefix=("https://github.com/", "GitHub URL must start with https://github.com/")),
    _url("biotools_url", "bio.tools URL",
         prefix=("https://bio.tools/", "bio.tools URL must start with https://bio.tools/")),
    _url("fairsharing_url", "FAIRsharing URL",
         prefix=("https://fairsharing.org/",
                 "FAIRsharing URL must start with https://fairsharing.org/")),
    _url("other_registry_url", "Other Registry URL"),
    # -- E: KPIs ---------------------------------------------------------------------------------
    Field(
        "kpi_monitoring", "plain", "KPI Monitoring", "E", required=True,
        choices=(Choice("yes", "Yes"), Choice("planned", "Planned")), resets_approval=False,
        widget="select", form_label="Is KPI monitoring in place?", mail=True,
    ),
    Field(
        "kpi_since", "text", "KPI Since", "E", default="", max_length=100,
        resets_approval=False, form_label="Year KPI monitoring started", mail=True,
        required_when=RequiredWhen(
            "kpi_monitoring", "Please provide the year KPI monitoring started.",
            'when kpi_monitoring is "yes"', holds=_kpi_running,
        ),
        api=ApiHistory(added="1.1", renamed_from=(Alias("kpi_start_year", "1.1", removed_in=2),)),
    ),
    # The logo belongs to form section B; it is declared here for its place on the wire (§3.3).
    Field(
        "logo", "file", "Service Logo", "B", default=None, served_as="logo_url",
        resets_approval=False, widget="file", form_label="Service logo",
        help="The service logo (PNG, JPEG or SVG, at most 10 MiB): upload it as a file part of a"
        " multipart/form-data body; null (or an empty form field) removes it. Served as logo_url.",
    ),
    # -- F: discoverability ----------------------------------------------------------------------
    Field(
        "keywords_uncited", "text", "Keywords (uncited)", "F", default="", max_length=NOTE_MAX,
        resets_approval=False, widget="textarea",
    ),
    Field(
        "keywords_seo", "text", "Keywords (SEO)", "F", default="", max_length=NOTE_MAX,
        resets_approval=False, widget="textarea",
    ),
    Field(
        "survey_participation", "bool", "Survey Participation", "F", default=True,
        visibility="owner", widget="radio", form_label="User survey participation",
    ),
    Field(
        # The submitter's free text to the registry team (never public, often a name or a phone
        # number): personal, so erased with the rest (docs/erasure.md).
        "comments", "text", "Comments", "F", default="", visibility="owner", personal=True,
        max_length=TEXT_MAX, resets_approval=False, widget="textarea",
        form_label="Any Comments",
    ),
    Field(
        "data_access_type", "plain", "Data Access Type", "F", default="open",
        choices=(
            Choice("open", "Open access"),
            Choice("restricted", "Restricted access"),
            Choice("closed", "Closed / on request"),
        ),
        widget="radio", stored_from=2, filter=ListFilter("data_access_type"),
        help="How users can access the service.", api=ApiHistory(added="1.1"),
    ),
    Field(
        "related_service_ids", "list_uuid", "Related Services", "F", default=[],
        change_name="related_services", served_as="related_services", refers_to="submission",
        widget="multiselect", stored_from=2, api=ApiHistory(added="1.1"),
        help="Ids of other submissions related to this one. The relation is symmetric: adding B"
        " here lists this submission in B's related services too; removing likewise.",
    ),
    # -- G: consent ------------------------------------------------------------------------------
    Field(
        "data_protection_consent", "bool", "Data Protection Consent", "G", role="consent",
        visibility="internal", widget="checkbox",
        form_label="I consent to the data protection information.",
    ),
    # -- lifecycle: set by the admin's own commands ----------------------------------------------
    Field(
        "primary_maturity_tag", "plain", "Primary Maturity Tag", "", role="lifecycle",
        choices=_choices(PRIMARY_TAG_LABELS), exemptable=False, admin_column=True,
        widget="none", filter=ListFilter("primary_maturity_tag", column="primary_maturity_tag"),
    ),
    Field(
        "secondary_maturity_tags", "list_str", "Secondary Maturity Tags", "", role="lifecycle",
        choices=_choices(SECONDARY_TAG_LABELS), exemptable=False, widget="none",
        filter=ListFilter(
            "secondary_maturity_tags", "contains_all", column="secondary_maturity_tags"
        ),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Section:
    """A form section and its fields, in form order."""

    key: str
    title: str
    fields: tuple[Field, ...]


SECTION_TITLES: Final[dict[str, str]] = {
    "A": "General",
    "B": "Service master data",
    "C": "Responsibilities",
    "D": "Links",
    "E": "KPIs",
    "F": "Discoverability",
    "G": "Consent",
}

BY_NAME: Final[dict[str, Field]] = {f.name: f for f in FIELDS}


# -- the accessor API of forms, admin pages and exports -------------------------------------------


def field(name: str) -> Field:
    """The declaration of a wire name (KeyError for an unknown one)."""
    return BY_NAME[name]


def form_sections() -> tuple[Section, ...]:
    """The form: sections A–G with the fields a submitter fills in, in order (writable content
    and the consent; a field being removed is no longer offered)."""
    return tuple(
        Section(
            key,
            title,
            tuple(
                f
                for f in FIELDS
                if f.section == key and f.widget != "none" and (f.writable or f.role == "consent")
            ),
        )
        for key, title in SECTION_TITLES.items()
    )


def admin_columns() -> tuple[Field, ...]:
    """The admin list's columns, in order."""
    return tuple(f for f in FIELDS if f.admin_column and f.api.removed_in is None)


def export_columns() -> tuple[Field, ...]:
    """The CSV/JSON export columns (``served_as`` names; references resolved), in order."""
    return tuple(f for f in FIELDS if f.export and f.served and f.api.removed_in is None)


def table_version() -> int:
    """The newest ``submissions`` read-table version the declarations need (``stored_from``,
    ``dropped_from``); versions 1 and 2 predate the catalogue, 3 brought the list's covering
    indexes."""
    needed = [3, *(f.stored_from for f in FIELDS)]
    needed += [f.dropped_from for f in FIELDS if f.dropped_from is not None]
    return max(needed)


def list_filters() -> tuple[Field, ...]:
    """The fields the admin list filters on (``Field.filter``), in order."""
    return tuple(f for f in FIELDS if f.filter is not None and f.api.removed_in is None)


def mail_fields() -> tuple[Field, ...]:
    """The fields listed in a notification mail's "Service details", in order."""
    return tuple(f for f in FIELDS if f.mail)


# -- derived: what the code imported before the catalogue existed ---------------------------------

CONTENT: Final[tuple[Field, ...]] = tuple(f for f in FIELDS if f.role == "content")

CONTENT_FIELDS: Final[dict[str, Kind]] = {f.name: f.kind for f in CONTENT}
"""Wire name -> kind of every content field (written or being removed)."""

RENAMED_FIELDS: Final[dict[str, str]] = {
    alias.name: f.name for f in FIELDS for alias in f.api.renamed_from
}
"""Old name -> current name of renamed fields: accepted on input while the alias lasts, and read
under the current name wherever stored events or snapshots still use the old one."""

DATA_ACCESS_TYPES: Final[dict[str, str]] = {
    c.value: c.label for c in field("data_access_type").choices
}
"""``data_access_type``'s choices and their labels (the public catalogue's filter and tags)."""

RELATED_FIELD: Final = "related_service_ids"
"""The symmetric relation between submissions (hand-written: ``domain.relations``)."""
CONSENT_FIELD: Final = next(f.name for f in FIELDS if f.role == "consent")

REQUIRED_ON_CREATE: Final[tuple[str, ...]] = tuple(
    f.name for f in CONTENT if f.required and f.writable
)

DEFAULTS: Final[dict[str, object]] = {
    f.name: f.default for f in CONTENT if f.has_default and f.writable
}
"""The value every written content field has until set (and had before it existed)."""

LABELS: Final[dict[str, str]] = {f.change_name: f.label for f in FIELDS}
"""Change-log name -> label."""

CHANGE_NAME: Final[dict[str, str]] = {f.name: f.change_name for f in FIELDS}

PERSONAL_FIELDS: Final[frozenset[str]] = frozenset(
    name for f in FIELDS if f.personal for name in (f.name, *(a.name for a in f.api.renamed_from))
)
"""Personal data (wire names, old names included): encrypted in stored events with a
per-submission key, erased on request."""

DEFAULT_EXEMPT_FIELDS: Final[frozenset[str]] = frozenset(
    f.change_name for f in CONTENT if not f.resets_approval
)
"""The shipped exempt list of §2.2 (change-log names): an owner's change to only these fields
keeps an approved submission approved."""

SYSTEM_CONTROLLED: Final[frozenset[str]] = frozenset(
    f.change_name for f in FIELDS if not f.exemptable
)

_LIST_DEFAULTS: Final = frozenset(n for n, v in DEFAULTS.items() if isinstance(v, list))
_DEFAULT_NAMES: Final = frozenset(DEFAULTS)
_OLD_NAMES: Final = frozenset(RENAMED_FIELDS)


def change_name(wire_name: str) -> str:
    """The change-log name of a wire field."""
    return CHANGE_NAME.get(wire_name, wire_name)


def label_for(name: str) -> str:
    """The change-log label of a field; unknown names get a title-cased label."""
    return LABELS.get(name, name.replace("_", " ").title())


def with_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` plus the default of every content field it lacks (each list a new one): how a
    submission recorded before a field existed reads. A copy either way."""
    out = dict(values)
    if out.keys() >= _DEFAULT_NAMES:
        return out
    for name, default in DEFAULTS.items():
        if name not in out:
            out[name] = [] if name in _LIST_DEFAULTS else default
    return out


def current_names(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with old names of renamed fields under their current names (the same dict when
    none occurs: the common case costs one check per rename)."""
    if _OLD_NAMES.isdisjoint(values):
        return values
    out = dict(values)
    for old, new in RENAMED_FIELDS.items():
        if old in out:
            value = out.pop(old)
            out.setdefault(new, value)
    return out


def valid_exempt_fields(names: Iterable[str]) -> frozenset[str]:
    """Keep only diffable, non-system names (unknown names are dropped, as in the original)."""
    diffable = {change_name(w) for w in CONTENT_FIELDS}
    renamed = {RENAMED_FIELDS.get(n, n) for n in names}  # configs written before a rename
    return frozenset(n for n in renamed if n in diffable and n not in SYSTEM_CONTROLLED)
