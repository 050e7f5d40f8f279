"""The text rules every input path shares: what can be stored, what a name may contain, and
when two names look the same.

**Storable text.** PostgreSQL's ``text`` and ``jsonb`` refuse U+0000, and UTF-8 (so every
column, and psycopg on the way) cannot hold a lone surrogate (U+D800 to U+DFFF). A value with
either would be accepted here and then stop every projection that meets its event, so such a
value is **refused** (never silently removed: the caller learns which field and which character,
and nothing is recorded). Two places apply it: the normalisers (``domain.normalise``), so a
field's own message names the field, and :func:`unstorable_fields` over every event's payload
before it is saved (``RegistryBase._save``), so no command, present or future, can record one.
The import applies the same refusal: the existing system ran on PostgreSQL, so a real export
cannot hold either character, and a hand-edited one is reported record by record.

**Names** (service and toolbox names, people's names, reference names, key labels) may not
contain control or format characters (Unicode categories Cc and Cf: bidi controls such as
U+202E, zero-width characters such as U+200B/U+200D, soft hyphens, tag characters). They are
invisible, so removing them silently would alter a value behind its author's back, and keeping
them lets two names that look identical differ; a name with one is refused with the character
named. Free text (descriptions, comments) may keep them.

**Look-alike names.** :func:`similarity_key` is what "the same name" means for uniqueness:
NFKC, format characters dropped, ``casefold``, every non-ASCII character that looks like a Latin
letter or digit replaced by it (``domain.confusables``, from UTS #39), whitespace runs as one
space. ASCII letters and digits are never merged with each other (``l``/``1``, ``o``/``0``): once
case is ignored that would make honest names such as "tail" and "tall" duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Final

from domain.confusables import LOOKALIKES

#: The submission's fields that are names (reference records have theirs in
#: ``domain.reference_rules.NAME_FIELDS``; key labels are names too).
SUBMISSION_NAMES: Final = (
    "service_name",
    "toolbox_name",
    "submitter_first_name",
    "submitter_last_name",
    "submitter_affiliation",
    "internal_contact_name",
    "host_institute",
)

_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf"})
_SPACES: Final = re.compile(r"\s+")
_DERIVED: Final = frozenset({"changes"})
"""Event attributes built from other attributes: named only when nothing else explains."""


def _codepoint(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}{f' {name}' if name else ''}"


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored (its first NUL or lone surrogate), or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "Contains U+0000 (NUL), which cannot be stored; remove it."
    return f"Contains U+{ord(char):04X}, an unpaired surrogate, which cannot be stored; remove it."


def storable_display(value: str) -> str:
    """``value`` with every character PostgreSQL cannot store shown as U+FFFD.

    Only for what a change record shows of a value stored before this rule existed (by an older
    release or an import): the record must stay storable so the history can show the change
    that mends it, and the event that holds the old value keeps it as it was. Input is never
    passed through this: it is refused (:func:`check_storable`)."""
    return _UNSTORABLE.sub("\ufffd", value)


def check_storable(value: str) -> str:
    """``value`` itself; ValueError (the message) when it cannot be stored."""
    problem = unstorable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def unstorable_fields(payload: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every string (key or value) in ``payload`` that cannot be stored, by dotted path.

    A path starts at the payload's attribute; ``values.<field>`` is named ``<field>`` (the
    submission's fields are what callers sent). Derived attributes (``changes``) are named only
    when no other attribute explains the refusal.
    """
    errors: dict[str, list[str]] = {}
    for name, value in payload.items():
        if name in _DERIVED:
            continue
        for path, problem in _walk(value, "" if name == "values" else name):
            errors.setdefault(path or name, []).append(problem)
    if not errors:
        for name in _DERIVED & payload.keys():
            for path, problem in _walk(payload[name], name):
                errors.setdefault(path, []).append(problem)
    return errors


def _walk(value: object, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        problem = unstorable(value)
        if problem is not None:
            yield path, problem
    elif isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (problem := unstorable(key)) is not None:
                yield path or "key", f"A key: {problem}"
            else:
                yield from _walk(item, child)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def name_problem(value: str) -> str | None:
    """Why ``value`` may not be a name (its first control or format character), or None."""
    for char in value:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return (
                f"Contains {_codepoint(char)}, an invisible control or formatting character "
                "(such as a bidi control or a zero-width character); names may not contain one."
            )
    return None


def name_errors(values: Mapping[str, object], names: Iterable[str]) -> dict[str, list[str]]:
    """``{field: [message]}`` for each of ``names`` whose string value breaks the name rule."""
    errors: dict[str, list[str]] = {}
    for name in names:
        value = values.get(name)
        if isinstance(value, str) and (problem := name_problem(value)) is not None:
            errors[name] = [problem]
    return errors


def similarity_key(name: str) -> str:
    """The key two names share when they look alike (case, width, confusable letters, zero-width
    characters and whitespace runs ignored)."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf").casefold()
    text = unicodedata.normalize("NFKC", text.translate(LOOKALIKES))
    return _SPACES.sub(" ", text).strip()
