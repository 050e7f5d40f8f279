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


Rule = Callable[[Any, bool, date], list[str] | None]
"""One rule of a field: ``(value, present, today)`` -> its messages (None or [] when it holds)."""


def _required(f: Field) -> Rule:
    if f.is_list:
        return lambda value, present, today: (
            [REQUIRED] if not present else [NOT_EMPTY] if not value else None
        )
    return lambda value, present, today: [REQUIRED] if _empty(value) else None


def _min_length(f: Field, length: int, message: str) -> Rule:
    # A required field's empty value already says "This field is required.".
    empty_ok = f.required
    return lambda value, present, today: (
        [message]
        if isinstance(value, str) and len(value) < length and (value or not empty_ok)
        else None
    )


def _choice(f: Field) -> Rule:
    allowed = frozenset(c.value for c in f.choices)
    empty_ok = f.required  # "" of a required choice is "This field is required."
    return lambda value, present, today: (
        [f'"{value}" is not a valid choice.']
        if value is not None and value not in allowed and not (value == "" and empty_ok)
        else None
    )


def _in_range(minimum: int, maximum: int | None, message: str) -> Rule:
    def check(value: Any, present: bool, today: date) -> list[str] | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        top = today.year if maximum is None else maximum
        return None if minimum <= value <= top else [message.format(minimum=minimum, maximum=top)]

    return check


def _rules(f: Field) -> tuple[Rule, ...]:
    """A field's own rules, in the order their messages are listed."""
    rules: list[Rule] = []
    if f.required:
        rules.append(_required(f))
    if f.min_length is not None:
        rules.append(_min_length(f, f.min_length.length, f.min_length.message))
    if f.choices:
        rules.append(_choice(f))
    if f.format is not None:
        rules.append(lambda value, present, today: _format_errors(f, value))
    if f.range is not None:
        rules.append(_in_range(f.range.minimum, f.range.maximum, f.range.message))
    if f.max_items is not None:
        count, message = f.max_items.count, f.max_items.message
        rules.append(lambda value, present, today: [message] if len(value or []) > count else None)
    return tuple(rules)


#: Every written content field with its own rules, in catalogue order.
_CHECKED: tuple[tuple[Field, tuple[Rule, ...]], ...] = tuple(
    (f, _rules(f)) for f in CONTENT if f.writable
)
#: The maximum lengths (the commonest rule, checked in one loop): name, limit, message.
_MAXIMA: tuple[tuple[str, int, str], ...] = tuple(
    (f.name, f.max_length, f.too_long.format(limit=f.max_length))
    for f, _ in _CHECKED
    if f.max_length is not None
)
_RULED: tuple[tuple[str, tuple[Rule, ...]], ...] = tuple((f.name, r) for f, r in _CHECKED if r)
#: The conditional requirements.
_CONDITIONAL: tuple[Field, ...] = tuple(f for f, _ in _CHECKED if f.required_when is not None)


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
    changed: set[str] = set() if previous is None else changed_fields(values, previous)
    if creating and values.get(CONSENT_FIELD) is not True:
        add(CONSENT_FIELD, CONSENT_REQUIRED)
    for name, limit, message in _MAXIMA:
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit and (creating or name in changed):
            add(name, message)
    for name, rules in _RULED:
        if not creating and name not in changed:
            continue
        value = values.get(name)
        present = name in values
        for rule in rules:
            messages = rule(value, present, today)
            if messages:
                errors.setdefault(name, []).extend(messages)
    for f in _CONDITIONAL:
        condition = f.required_when
        assert condition is not None
        name = f.name
        concerned = creating or name in changed or condition.field in changed
        if (
            concerned
            and _empty(values.get(name))
            and _requires(
                condition.holds,
                condition.flag,
                values.get(condition.field),
                BY_NAME[condition.field],
                refs,
            )
        ):
            add(name, condition.message)
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
    f for f, _ in _CHECKED if f.refers_to is not None and f.refers_to != "submission"
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
                    add(name, unknown_license(item))
                elif licence.is_deprecated:
                    add(name, f"{item} is a deprecated SPDX license and cannot be newly selected.")
