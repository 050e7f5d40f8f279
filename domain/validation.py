"""Every field rule and message of §1.1.2 plus decisions.md's additions, from the field catalogue.

``validate`` returns ``{field: [messages]}`` for every failing field at once. The rules are the
declarations' (``domain.fields``): required, lengths, choices, formats, ranges, list sizes,
conditional requirements and references; the functions here are what each kind of rule means.

On an edit a rule looks only at what the edit changes: a field's own rules run when its value
changes, a conditional requirement when either of its two fields changes, and references only
for ids newly selected. A record that already holds a value today's rules would refuse (an
imported one with more than 6 EDAM terms, a name under the minimum length) can therefore be
edited elsewhere, while the value itself cannot be changed into another refused one. On create
every rule runs; the consent is asked on create only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit

from domain.catalog import ReferenceCatalog
from domain.field_types import Field
from domain.fields import BY_NAME, CONSENT_FIELD, CONTENT

REQUIRED = "This field is required."
NOT_EMPTY = "This list may not be empty."
INSECURE_URL = "URL must use the https:// scheme. Plain http:// and other schemes are not accepted."
INVALID_URL = "Enter a valid URL."
INVALID_EMAIL = "Enter a valid email address."
INVALID_PUBLIC_CONTACT = "Enter a valid email address or a URL starting with https://."
PUBLICATIONS_REQUIRED = "At least one PMID or DOI is required."
PUBLICATIONS_MAX = "A maximum of 50 publications may be listed."
CONSENT_REQUIRED = "You must consent to the data protection information to submit this form."

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
    declared = BY_NAME.get(field)
    prefix = declared.prefix if declared is not None else None
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


def _same(old: Any, new: Any) -> bool:
    """Whether an edit leaves a value as it was (lists in any order; None and "" alike)."""
    if old == new:
        return True
    if isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return old in (None, "") and new in (None, "")


def changed_fields(values: Mapping[str, Any], previous: Mapping[str, Any]) -> set[str]:
    """The fields whose value in ``values`` (the merged state) differs from ``previous``."""
    return {
        name
        for name, value in values.items()
        if value is not previous.get(name) and not _same(previous.get(name), value)
    }


def _format_errors(f: Field, value: Any) -> list[str]:
    if f.format == "https_url":
        return url_errors(f.name, value or "")
    if f.format == "email_or_https_url":
        return public_contact_errors(value or "")
    if f.format == "email":
        return [INVALID_EMAIL] if value and not is_valid_email(value) else []
    if f.format == "pmids_or_dois":
        return [] if _empty(value) else publication_errors(value or "")
    return []


def _own_errors(f: Field, value: Any, *, present: bool, today: date) -> list[str]:
    """The rules of one field on its own value."""
    messages: list[str] = []
    if f.required:
        if f.is_list:
            if not present:
                messages.append(REQUIRED)
            elif not value:
                messages.append(NOT_EMPTY)
        elif _empty(value):
            messages.append(REQUIRED)
    if isinstance(value, str):
        if f.max_length is not None and len(value) > f.max_length:
            messages.append(f.too_long.format(limit=f.max_length))
        minimum = f.min_length
        if minimum is not None and len(value) < minimum.length and (value or not f.required):
            messages.append(minimum.message)
    if (
        f.choices
        and value is not None
        and not (value == "" and f.required)
        and value not in {c.value for c in f.choices}
    ):
        messages.append(f'"{value}" is not a valid choice.')
    if f.format is not None:
        messages += _format_errors(f, value)
    bounds = f.range
    if bounds is not None and isinstance(value, int) and not isinstance(value, bool):
        top = today.year if bounds.maximum is None else bounds.maximum
        if not bounds.minimum <= value <= top:
            messages.append(bounds.message.format(minimum=bounds.minimum, maximum=top))
    if f.max_items is not None and len(value or []) > f.max_items.count:
        messages.append(f.max_items.message)
    return messages


#: The rules ``validate`` applies, in order: every written content field.
_CHECKED: tuple[Field, ...] = tuple(f for f in CONTENT if f.writable)


def validate(
    values: Mapping[str, Any],
    *,
    previous: Mapping[str, Any] | None,
    refs: ReferenceLookup,
    catalog: ReferenceCatalog,
    today: date,
) -> dict[str, list[str]]:
    """All field errors of the merged ``values``; ``previous`` is None on create."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    creating = previous is None
    changed = set() if previous is None else changed_fields(values, previous)

    def concerned(name: str) -> bool:
        return creating or name in changed

    if creating and values.get(CONSENT_FIELD) is not True:
        add(CONSENT_FIELD, CONSENT_REQUIRED)
    for f in _CHECKED:
        value = values.get(f.name)
        if concerned(f.name):
            for message in _own_errors(f, value, present=f.name in values, today=today):
                add(f.name, message)
        rule = f.required_when
        if (
            rule is not None
            and (concerned(f.name) or concerned(rule.field))
            and _empty(value)
            and _requires(rule.holds, rule.flag, values.get(rule.field), BY_NAME[rule.field], refs)
        ):
            add(f.name, rule.message)
    _check_references(values, previous or {}, refs, catalog, add)
    return errors


def _requires(
    holds: Callable[[Any], bool] | None,
    flag: str | None,
    other: Any,
    other_field: Field,
    refs: ReferenceLookup,
) -> bool:
    """Whether a conditional requirement applies, given the other field's value."""
    if holds is not None:
        return holds(other)
    lookup = _LOOKUPS.get(other_field.refers_to or "")
    if flag is None or lookup is None:
        return False
    return any(
        (info := lookup(refs, item)) is not None and bool(getattr(info, flag, False))
        for item in (other if isinstance(other, list) else [other] if other else [])
    )


_LOOKUPS: dict[str, Callable[[ReferenceLookup, Any], RefInfo | None]] = {
    "centre": lambda refs, value: refs.centre(value),
    "category": lambda refs, value: refs.category(value),
    "pi": lambda refs, value: refs.pi(value),
}


def _newly(values: Mapping[str, Any], previous: Mapping[str, Any], field: str) -> list[Any]:
    before = previous.get(field) or []
    return [v for v in values.get(field) or [] if v not in before]


#: Reference fields checked here (related services are checked by ``domain.relations``).
_REFERENCES: tuple[Field, ...] = tuple(
    f for f in _CHECKED if f.refers_to is not None and f.refers_to != "submission"
)


def _check_references(
    values: Mapping[str, Any],
    previous: Mapping[str, Any],
    refs: ReferenceLookup,
    catalog: ReferenceCatalog,
    add: Callable[[str, str], None],
) -> None:
    """Newly selected ids must exist and be active (EDAM terms in their branch and not obsolete,
    licences not deprecated); ids a record already holds may stay."""
    for f in _REFERENCES:
        kind, name = f.refers_to, f.name
        if f.kind == "ref":
            value = values.get(name)
            chosen = [value] if value and value != previous.get(name) else []
        else:
            chosen = _newly(values, previous, name)
        for item in chosen:
            if kind in _LOOKUPS:
                info = _LOOKUPS[kind](refs, item)
                if info is None or not info.is_active:
                    add(name, does_not_exist(item))
            elif kind in ("edam_topic", "edam_operation"):
                term = catalog.edam_term(item)
                if term is None or term.branch != kind.removeprefix("edam_"):
                    add(name, does_not_exist(item))
                elif term.is_obsolete:
                    add(name, f"EDAM term {item} is obsolete and cannot be newly selected.")
            elif kind == "license":
                licence = catalog.license(item)
                if licence is None:
                    add(name, f"Object with license_id={item} does not exist.")
                elif licence.is_deprecated:
                    add(name, f"{item} is a deprecated SPDX license and cannot be newly selected.")
