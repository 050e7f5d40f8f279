"""The submission's fields: wire names, change-log names, labels and kinds.

Aggregate state and event ``values`` use the API's wire names (``service_center_id``,
``edam_topic_ids``, …). Change records use the existing system's change-log names and labels
(``service_center`` "Service Centre", ``edam_topics`` "EDAM Topics", …), so the history reads the
same as the old ``SubmissionChangeLog``.
"""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal[
    "text", "plain", "bool", "int", "date", "list_int", "list_str", "list_uuid", "ref", "file"
]

# wire name -> kind. "text" is free text (HTML stripped); "plain" is a URL, email or identifier.
CONTENT_FIELDS: Final[dict[str, Kind]] = {
    "date_of_entry": "date",
    "submitter_first_name": "text",
    "submitter_last_name": "text",
    "submitter_affiliation": "text",
    "register_as_elixir": "bool",
    "service_name": "text",
    "service_description": "text",
    "year_established": "int",
    "service_category_ids": "list_int",
    "edam_topic_ids": "list_str",
    "edam_operation_ids": "list_str",
    "is_toolbox": "bool",
    "toolbox_name": "text",
    "user_knowledge_required": "text",
    "publications_pmids": "plain",
    "logo": "file",
    "responsible_pi_ids": "list_uuid",
    "associated_partner_note": "text",
    "host_institute": "text",
    "service_center_id": "ref",
    "public_contact_email": "plain",
    "internal_contact_name": "text",
    "internal_contact_email": "plain",
    "website_url": "plain",
    "terms_of_use_url": "plain",
    "licenses": "list_str",
    "license_note": "text",
    "github_url": "plain",
    "biotools_url": "plain",
    "fairsharing_url": "plain",
    "other_registry_url": "plain",
    "kpi_monitoring": "plain",
    "kpi_since": "text",
    "keywords_uncited": "text",
    "keywords_seo": "text",
    "survey_participation": "bool",
    "comments": "text",
    "data_access_type": "plain",
    "related_service_ids": "list_uuid",
}

#: Field renames still accepted on input during their compatibility window: old -> new name.
#: Stored events, aggregate state and the read side know only the new name (old payloads are
#: upcast); only callers' input may still use the old one.
RENAMED_FIELDS: Final[dict[str, str]] = {"kpi_start_year": "kpi_since"}

#: ``data_access_type`` choices and their labels (the default is ``open``).
DATA_ACCESS_TYPES: Final[dict[str, str]] = {
    "open": "Open access",
    "restricted": "Restricted access",
    "closed": "Closed / on request",
}
DEFAULT_DATA_ACCESS_TYPE: Final = "open"

#: The symmetric relation between submissions (ids of other live submissions).
RELATED_FIELD: Final = "related_service_ids"

CONSENT_FIELD: Final = "data_protection_consent"

REQUIRED_ON_CREATE: Final[tuple[str, ...]] = (
    "date_of_entry",
    "service_name",
    "service_description",
    "year_established",
    "publications_pmids",
    "host_institute",
    "public_contact_email",
    "internal_contact_name",
    "internal_contact_email",
    "website_url",
    "terms_of_use_url",
    "kpi_monitoring",
    "service_center_id",
    "service_category_ids",
    "responsible_pi_ids",
)

DEFAULTS: Final[dict[str, object]] = {
    "submitter_first_name": "",
    "submitter_last_name": "",
    "submitter_affiliation": "",
    "register_as_elixir": False,
    "service_category_ids": [],
    "edam_topic_ids": [],
    "edam_operation_ids": [],
    "is_toolbox": False,
    "toolbox_name": "",
    "user_knowledge_required": "",
    "logo": None,
    "responsible_pi_ids": [],
    "associated_partner_note": "",
    "licenses": [],
    "license_note": "",
    "github_url": "",
    "biotools_url": "",
    "fairsharing_url": "",
    "other_registry_url": "",
    "kpi_since": "",
    "keywords_uncited": "",
    "keywords_seo": "",
    "survey_participation": True,
    "comments": "",
    "data_access_type": DEFAULT_DATA_ACCESS_TYPE,
    "related_service_ids": [],
}

# wire name -> change-log name, where they differ.
CHANGE_NAME: Final[dict[str, str]] = {
    "service_category_ids": "service_categories",
    "edam_topic_ids": "edam_topics",
    "edam_operation_ids": "edam_operations",
    "responsible_pi_ids": "responsible_pis",
    "service_center_id": "service_center",
    "related_service_ids": "related_services",
}

LABELS: Final[dict[str, str]] = {
    "submitter_first_name": "Submitter First Name",
    "submitter_last_name": "Submitter Last Name",
    "submitter_affiliation": "Submitter Affiliation",
    "status": "Status",
    "date_of_entry": "Date of Entry",
    "service_name": "Service Name",
    "service_description": "Service Description",
    "year_established": "Year Established",
    "is_toolbox": "Is Toolbox",
    "toolbox_name": "Toolbox Name",
    "user_knowledge_required": "User Knowledge Required",
    "publications_pmids": "Publications (PMIDs/DOIs)",
    "logo": "Service Logo",
    "associated_partner_note": "Associated Partner Note",
    "host_institute": "Host Institute",
    "service_center": "Service Centre",
    "public_contact_email": "Public Contact (Email or URL)",
    "internal_contact_name": "Internal Contact Name",
    "internal_contact_email": "Internal Contact Email",
    "website_url": "Website URL",
    "terms_of_use_url": "Terms of Use URL",
    "license_note": "License Note",
    "github_url": "GitHub URL",
    "biotools_url": "bio.tools URL",
    "fairsharing_url": "FAIRsharing URL",
    "other_registry_url": "Other Registry URL",
    "kpi_monitoring": "KPI Monitoring",
    "kpi_since": "KPI Since",
    "keywords_uncited": "Keywords (uncited)",
    "keywords_seo": "Keywords (SEO)",
    "survey_participation": "Survey Participation",
    "register_as_elixir": "Register as ELIXIR",
    "comments": "Comments",
    "primary_maturity_tag": "Primary Maturity Tag",
    "secondary_maturity_tags": "Secondary Maturity Tags",
    "service_categories": "Service Categories",
    "responsible_pis": "Responsible PIs",
    "edam_topics": "EDAM Topics",
    "edam_operations": "EDAM Operations",
    "licenses": "Licenses",
    "data_access_type": "Data Access Type",
    "related_services": "Related Services",
}

# Personal data: encrypted in stored events with a per-submission key, erased on request.
# ``comments`` is the submitter's free text to the registry team (never public, often a name
# or a phone number); see docs/erasure.md.
PERSONAL_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "submitter_first_name",
        "submitter_last_name",
        "submitter_affiliation",
        "internal_contact_name",
        "internal_contact_email",
        "public_contact_email",
        "comments",
    }
)

# The shipped exempt list of §2.2 (change-log names): an owner's change to only these fields
# keeps an approved submission approved.
DEFAULT_EXEMPT_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "logo",
        "github_url",
        "biotools_url",
        "fairsharing_url",
        "other_registry_url",
        "edam_topics",
        "edam_operations",
        "keywords_uncited",
        "keywords_seo",
        "publications_pmids",
        "public_contact_email",
        "internal_contact_name",
        "internal_contact_email",
        "website_url",
        "terms_of_use_url",
        "kpi_monitoring",
        "kpi_since",
        "comments",
    }
)

SYSTEM_CONTROLLED: Final[frozenset[str]] = frozenset(
    {
        "status",
        "date_of_entry",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "register_as_elixir",
    }
)


def change_name(wire_name: str) -> str:
    """The change-log name of a wire field."""
    return CHANGE_NAME.get(wire_name, wire_name)


def label_for(name: str) -> str:
    """The change-log label of a field; unknown names get a title-cased label."""
    return LABELS.get(name, name.replace("_", " ").title())


def valid_exempt_fields(names: frozenset[str] | set[str] | list[str]) -> frozenset[str]:
    """Keep only diffable, non-system names (unknown names are dropped, as in the original)."""
    diffable = {change_name(w) for w in CONTENT_FIELDS}
    renamed = {RENAMED_FIELDS.get(n, n) for n in names}  # configs written before a rename
    return frozenset(n for n in renamed if n in diffable and n not in SYSTEM_CONTROLLED)
