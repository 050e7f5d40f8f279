"""Field rules of reference records (categories, centres, PIs), on normalised values.

Text is normalised like a submission's (``domain.normalise``: HTML removed from free text, NFC,
stripped) and must be storable; names may not contain invisible characters (``domain.text``).
The import takes values verbatim (``verbatim=True``): only the storable rule applies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from domain.normalise import normalise_plain, normalise_text
from domain.text import check_storable, name_errors
from domain.validation import INVALID_EMAIL, REQUIRED, is_valid_email, url_errors

ORCID_FORMAT = (
    "ORCID must be in format 0000-0000-0000-0000 (last character may be X for the checksum digit)."
)
ORCID_CHECKSUM = "ORCID checksum is invalid."
ROR_FORMAT = "Enter a ROR id like https://ror.org/0xxxxxxxx (9 characters, starting with 0)."
ROR_CHECKSUM = "ROR id checksum is invalid."
DUPLICATE_CATEGORY = "service category with this name already exists."
PARTNER_TAKEN = "Another principal investigator is already the associated partner."
NOT_BOOL = "Must be a valid boolean."

_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^https://ror\.org/0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"

TEXT_FIELDS = {
    "category": {"name": 100},
    "centre": {"short_name": 50, "full_name": 300},
    "pi": {"last_name": 100, "first_name": 100, "institute": 200},
}
PLAIN_FIELDS = {
    "category": {},
    "centre": {"website": 200, "ror_id": 200},
    "pi": {"email": 254, "orcid": 30},
}
#: Fields that are names: no control or format characters (``domain.text.name_problem``).
NAME_FIELDS = {
    "category": ("name",),
    "centre": ("short_name", "full_name"),
    "pi": ("last_name", "first_name", "institute"),
}
BOOL_FIELDS = {"category": (), "centre": (), "pi": ("is_associated_partner",)}
REQUIRED_FIELDS = {
    "category": ("name",),
    "centre": ("short_name", "full_name"),
    "pi": ("last_name", "first_name"),
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "category": {},
    "centre": {"website": "", "ror_id": ""},
    "pi": {"email": "", "institute": "", "orcid": "", "is_associated_partner": False},
}


def orcid_errors(value: str) -> list[str]:
    """Format and ISO 7064 MOD 11-2 checksum; empty passes."""
    if not value:
        return []
    if not _ORCID.match(value):
        return [ORCID_FORMAT]
    digits = value.replace("-", "")
    total = 0
    for char in digits[:15]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return [] if digits[15] == expected else [ORCID_CHECKSUM]


def ror_errors(value: str) -> list[str]:
    """An optional ``https://ror.org/0xxxxxxxx`` id: format, then the ROR checksum (the last two
    digits are ISO 7064 MOD 97-10 of the Crockford base32 number the first seven encode)."""
    if not value:
        return []
    if not _ROR.match(value):
        return [ROR_FORMAT]
    body = value.rsplit("/", 1)[1]
    number = 0
    for char in body[:7]:
        number = number * 32 + _CROCKFORD.index(char)
    return [] if int(body[7:]) == 98 - (number * 100) % 97 else [ROR_CHECKSUM]


def parse_reference(
    kind: str, data: Mapping[str, object], *, verbatim: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise the known fields of a reference record of ``kind`` (``verbatim``: keep each
    string as it is, refusing only what cannot be stored, as the import does)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for fields, normalise in ((TEXT_FIELDS, normalise_text), (PLAIN_FIELDS, normalise_plain)):
        for name in fields[kind]:
            if name not in data:
                continue
            raw = "" if data[name] is None else data[name]
            if not isinstance(raw, str):
                errors[name] = ["Not a valid string."]
                continue
            try:
                values[name] = check_storable(raw) if verbatim else normalise(raw)
            except ValueError as exc:
                errors[name] = [str(exc)]
    for name in BOOL_FIELDS[kind]:
        if name in data:
            if isinstance(data[name], bool):
                values[name] = data[name]
            else:
                errors[name] = [NOT_BOOL]
    if not verbatim:
        for name, messages in name_errors(values, NAME_FIELDS[kind]).items():
            errors.setdefault(name, messages)
    return values, errors


def validate_reference(kind: str, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of a merged reference record."""
    errors: dict[str, list[str]] = {}
    for name in REQUIRED_FIELDS[kind]:
        if not values.get(name):
            errors.setdefault(name, []).append(REQUIRED)
    limits = {**TEXT_FIELDS[kind], **PLAIN_FIELDS[kind]}
    for name, limit in limits.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.setdefault(name, []).append(
                f"Ensure this field has no more than {limit} characters."
            )
    if kind == "centre":
        for message in url_errors("website", values.get("website") or ""):
            errors.setdefault("website", []).append(message)
        for message in ror_errors(values.get("ror_id") or ""):
            errors.setdefault("ror_id", []).append(message)
    if kind == "pi":
        email = values.get("email") or ""
        if email and not is_valid_email(email):
            errors.setdefault("email", []).append(INVALID_EMAIL)
        for message in orcid_errors(values.get("orcid") or ""):
            errors.setdefault("orcid", []).append(message)
    return errors
