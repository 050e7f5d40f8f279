"""Every field rule and message of §1.1.2 plus decisions.md's additions, on the merged state.

``validate`` returns ``{field: [messages]}`` for every failing field at once. Rules that concern
*newly selected* things (inactive references, obsolete EDAM terms, deprecated licences, minimum
name lengths) look only at what this command sets, so legacy records keep saving.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit

from domain.catalog import ReferenceCatalog
from domain.fields import CONSENT_FIELD, DATA_ACCESS_TYPES, REQUIRED_ON_CREATE

REQUIRED = "This field is required."
NOT_EMPTY = "This list may not be empty."
INSECURE_URL = "URL must use the https:// scheme. Plain http:// and other schemes are not accepted."
INVALID_URL = "Enter a valid URL."
INVALID_EMAIL = "Enter a valid email address."
INVALID_PUBLIC_CONTACT = "Enter a valid email address or a URL starting with https://."
PREFIXES = {
    "github_url": ("https://github.com/", "GitHub URL must start with https://github.com/"),
    "biotools_url": ("https://bio.tools/", "bio.tools URL must start with https://bio.tools/"),
    "fairsharing_url": (
        "https://fairsharing.org/",
        "FAIRsharing URL must start with https://fairsharing.org/",
    ),
}
URL_FIELDS = (
    "website_url",
    "terms_of_use_url",
    "github_url",
    "biotools_url",
    "fairsharing_url",
    "other_registry_url",
)
MAX_LENGTHS = {
    "submitter_first_name": 100,
    "submitter_last_name": 100,
    "submitter_affiliation": 300,
    "service_name": 300,
    "toolbox_name": 200,
    "host_institute": 300,
    "public_contact_email": 2000,
    "internal_contact_name": 200,
    "internal_contact_email": 254,
    "license_note": 200,
    "kpi_since": 100,
    **dict.fromkeys(URL_FIELDS, 2000),
}
MIN_LENGTHS = {
    "submitter_first_name": (2, "First name must be at least 2 characters."),
    "submitter_last_name": (2, "Last name must be at least 2 characters."),
    "submitter_affiliation": (2, "Affiliation must be at least 2 characters."),
    "service_name": (3, "Service name must be at least 3 characters."),
}
PUBLICATIONS_REQUIRED = "At least one PMID or DOI is required."
PUBLICATIONS_MAX = "A maximum of 50 publications may be listed."
DESCRIPTION_MIN = "Service description must be at least 50 characters."
DESCRIPTION_MAX = "Service description must not exceed 5000 characters."
TOOLBOX_REQUIRED = "Toolbox name is required when is_toolbox is True."
KPI_REQUIRED = "Please provide the year KPI monitoring started."
LICENSE_REQUIRED = "Select at least one license or provide a license note."
PARTNER_NOTE_REQUIRED = "Please provide the name and affiliation of the associated partner."
CONSENT_REQUIRED = "You must consent to the data protection information to submit this form."
EDAM_MAX = 6

_PMID = re.compile(r"^\d{1,8}$")
_DOI = re.compile(r"^10\.\d{4,}/\S+$")
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_HOST = re.compile(
    r"^(localhost|([A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?\.)+"
    r"[A-Za-z\u00a1-\uffff]{2,63}\.?|\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])$"
)


@dataclass(frozen=True)
class RefInfo:
    """What validation needs to know about a referenced record."""

    is_active: bool
    is_associated_partner: bool = False


class ReferenceLookup(Protocol):
    """Port: look up categories, centres and PIs (None when unknown)."""

    def category(self, category_id: int) -> RefInfo | None:
        """The category with this integer id."""
        ...

    def centre(self, centre_id: str) -> RefInfo | None:
        """The service centre with this UUID."""
        ...

    def pi(self, pi_id: str) -> RefInfo | None:
        """The principal investigator with this UUID."""
        ...


def does_not_exist(value: object) -> str:
    """The message for an unknown (or inactive, newly selected) id."""
    return f'Invalid pk "{value}" - object does not exist.'


def unknown_license(license_id: object) -> str:
    """The message for a licence id that is not on the SPDX list (any case matches)."""
    return (
        f'"{license_id}" is not an SPDX licence identifier this registry knows'
        " (GET /api/v1/licenses/?q=… lists them; case does not matter)."
    )


def is_valid_email(value: str) -> bool:
    """A pragmatic equivalent of Django's ``validate_email``."""
    return len(value) <= 254 and _EMAIL.match(value) is not None


def is_valid_https_url(value: str) -> bool:
    """An ``https://`` URL with a plausible host and no whitespace."""
    if not value.startswith("https://") or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        return False
    return bool(host) and _HOST.match(host) is not None


def url_errors(field: str, value: str) -> list[str]:
    """https-only, URL shape and registry prefixes; empty passes."""
    if not value:
        return []
    if not value.startswith("https://"):
        return [INSECURE_URL]
    if not is_valid_https_url(value):
        return [INVALID_URL]
    prefix = PREFIXES.get(field)
    if prefix and not value.startswith(prefix[0]):
        return [prefix[1]]
    return []


def public_contact_errors(value: str) -> list[str]:
    """An email address or an https URL; empty passes (required is checked separately)."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("https://"):
        return [] if is_valid_https_url(value) else [INVALID_PUBLIC_CONTACT]
    return [] if is_valid_email(value) else [INVALID_PUBLIC_CONTACT]


def publication_errors(value: str) -> list[str]:
    """Comma-separated PMIDs/DOIs, at least one, at most 50."""
    tokens = [t.strip() for t in value.split(",") if t.strip()]
    if not tokens:
        return [PUBLICATIONS_REQUIRED]
    if len(tokens) > 50:
        return [PUBLICATIONS_MAX]
    return [
        f"'{t}' is not a valid PMID (digits only) or DOI (starts with 10.xxxx/)."
        for t in tokens
        if not (_PMID.match(t) or _DOI.match(t))
    ]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def validate(
    values: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None,
    touched: frozenset[str] | set[str],
    refs: ReferenceLookup,
    catalog: ReferenceCatalog,
    today: date,
) -> dict[str, list[str]]:
    """All field errors of the merged ``values``; ``previous`` is None on create."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    creating = previous is None
    for field in REQUIRED_ON_CREATE:
        if field in ("service_category_ids", "responsible_pi_ids"):
            if field not in values and creating:
                add(field, REQUIRED)
            elif field in values and not values[field]:
                add(field, NOT_EMPTY)
        elif _empty(values.get(field)) and (creating or field in touched):
            add(field, REQUIRED)
    if creating and values.get(CONSENT_FIELD) is not True:
        add(CONSENT_FIELD, CONSENT_REQUIRED)

    for field, limit in MAX_LENGTHS.items():
        value = values.get(field)
        if isinstance(value, str) and len(value) > limit:
            add(field, f"Ensure this field has no more than {limit} characters.")
    for field, (minimum, message) in MIN_LENGTHS.items():
        value = values.get(field)
        if (creating or field in touched) and isinstance(value, str) and len(value) < minimum:
            if field == "service_name" and not value:
                continue  # already "This field is required."
            add(field, message)

    for field in URL_FIELDS:
        for message in url_errors(field, values.get(field) or ""):
            add(field, message)
    for message in public_contact_errors(values.get("public_contact_email") or ""):
        add("public_contact_email", message)
    email = values.get("internal_contact_email") or ""
    if email and not is_valid_email(email):
        add("internal_contact_email", INVALID_EMAIL)
    if not _empty(values.get("publications_pmids")):
        for message in publication_errors(values.get("publications_pmids") or ""):
            add("publications_pmids", message)

    year = values.get("year_established")
    if isinstance(year, int) and not 1900 <= year <= today.year:
        add("year_established", f"Year established must be between 1900 and {today.year}.")
    description = (values.get("service_description") or "").strip()
    if description and len(description) < 50:
        add("service_description", DESCRIPTION_MIN)
    elif len(description) > 5000:
        add("service_description", DESCRIPTION_MAX)
    if values.get("is_toolbox") and _empty(values.get("toolbox_name")):
        add("toolbox_name", TOOLBOX_REQUIRED)
    kpi = values.get("kpi_monitoring") or ""
    if kpi and kpi not in ("yes", "planned"):
        add("kpi_monitoring", f'"{kpi}" is not a valid choice.')
    if kpi and kpi != "planned" and _empty(values.get("kpi_since")):
        add("kpi_since", KPI_REQUIRED)
    access = values.get("data_access_type")
    if access is not None and access not in DATA_ACCESS_TYPES:
        add("data_access_type", f'"{access}" is not a valid choice.')
    if not values.get("licenses") and _empty(values.get("license_note")):
        add("licenses", LICENSE_REQUIRED)

    _check_references(values, previous or {}, refs, catalog, add)
    return errors


def _newly(values: Mapping[str, Any], previous: Mapping[str, Any], field: str) -> list[Any]:
    before = previous.get(field) or []
    return [v for v in values.get(field) or [] if v not in before]


def _check_references(
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
    refs: ReferenceLookup,
    catalog: ReferenceCatalog,
    add: Any,
) -> None:
    centre = values.get("service_center_id")
    if centre and centre != previous.get("service_center_id"):
        info = refs.centre(centre)
        if info is None or not info.is_active:
            add("service_center_id", does_not_exist(centre))
    for category_id in _newly(values, previous, "service_category_ids"):
        info = refs.category(category_id)
        if info is None or not info.is_active:
            add("service_category_ids", does_not_exist(category_id))
    for pi_id in _newly(values, previous, "responsible_pi_ids"):
        info = refs.pi(pi_id)
        if info is None or not info.is_active:
            add("responsible_pi_ids", does_not_exist(pi_id))
    partner = any(
        (info := refs.pi(pi_id)) is not None and info.is_associated_partner
        for pi_id in values.get("responsible_pi_ids") or []
    )
    if partner and _empty(values.get("associated_partner_note")):
        add("associated_partner_note", PARTNER_NOTE_REQUIRED)

    for field, branch, noun in (
        ("edam_topic_ids", "topic", "EDAM topics"),
        ("edam_operation_ids", "operation", "EDAM operations"),
    ):
        if len(values.get(field) or []) > EDAM_MAX:
            add(field, f"Select at most {EDAM_MAX} {noun}.")
        for accession in _newly(values, previous, field):
            term = catalog.edam_term(accession)
            if term is None or term.branch != branch:
                add(field, does_not_exist(accession))
            elif term.is_obsolete:
                add(field, f"EDAM term {accession} is obsolete and cannot be newly selected.")
    for license_id in _newly(values, previous, "licenses"):
        licence = catalog.license(license_id)
        if licence is None:
            add("licenses", unknown_license(license_id))
        elif licence.is_deprecated:
            add(
                "licenses",
                f"{license_id} is a deprecated SPDX license and cannot be newly selected.",
            )
