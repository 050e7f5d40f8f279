"""Turn wire data into normalised raw values (the shapes events carry), or field errors.

Unknown keys are ignored (the API layer rejects them). Lists are de-duplicated and sorted so that
selecting the same things in another order is not a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.fields import CONSENT_FIELD, CONTENT, RENAMED_FIELDS
from domain.normalise import normalise_plain, normalise_text

NOT_STRING = "Not a valid string."
NOT_BOOL = "Must be a valid boolean."
NOT_INT = "A valid integer is required."
NOT_DATE = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
NOT_UUID = "Must be a valid UUID."

#: The fields a command writes and their kinds (a field being removed is no longer written: it is
#: accepted and ignored, like a read-only member).
WRITTEN: tuple[tuple[str, str], ...] = tuple((f.name, f.kind) for f in CONTENT if f.writable)


def alias_conflict(old: str, new: str) -> str:
    """The message for a body that sends a renamed field under both names, differently."""
    return f"{old} is a deprecated alias of {new}; send one of them, or the same value in both."


def _not_list(value: object) -> str:
    return f'Expected a list of items but got type "{type(value).__name__}".'


def parse_input(data: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise the known fields of ``data``; return ``(values, errors)``."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    data = _renamed(data, errors)
    for name, kind in WRITTEN:
        if name not in data:
            continue
        raw = data[name]
        try:
            values[name] = _parse(kind, raw)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if CONSENT_FIELD in data:
        consent = data[CONSENT_FIELD]
        if isinstance(consent, bool):
            values[CONSENT_FIELD] = consent
        else:
            errors[CONSENT_FIELD] = [NOT_BOOL]
    return values, errors


def _renamed(data: Mapping[str, object], errors: dict[str, list[str]]) -> Mapping[str, object]:
    """``data`` with old field names (``RENAMED_FIELDS``) moved to their new names."""
    if not any(old in data for old in RENAMED_FIELDS):
        return data
    out = dict(data)
    for old, new in RENAMED_FIELDS.items():
        if old not in out:
            continue
        legacy = out.pop(old)
        if new in out and out[new] != legacy:
            errors[new] = [alias_conflict(old, new)]
        else:
            out[new] = legacy
    return out


def _parse(kind: str, raw: object) -> Any:
    if kind in ("text", "plain"):
        if raw is None:
            return ""
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            raw = str(raw)  # like DRF's CharField: numbers are accepted as text
        if not isinstance(raw, str):
            raise ValueError(NOT_STRING)
        return normalise_text(raw) if kind == "text" else normalise_plain(raw)
    if kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError(NOT_BOOL)
        return raw
    if kind == "int":
        return _to_int(raw)
    if kind == "date":
        return _to_date(raw)
    if kind == "ref":
        if raw is None or raw == "":
            return None
        return _to_uuid(raw)
    if kind == "file":
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            raise ValueError(NOT_STRING)
        return normalise_plain(raw) or None
    if not isinstance(raw, list | tuple):
        raise ValueError(_not_list(raw))
    if kind == "list_int":
        return sorted({_to_int(item) for item in raw})
    if kind == "list_uuid":
        return sorted({_to_uuid(item) for item in raw})
    items: set[str] = set()
    for item in raw:
        if not isinstance(item, str):
            raise ValueError(NOT_STRING)
        cleaned = normalise_plain(item)
        if cleaned:
            items.add(cleaned)
    return sorted(items)


def _to_int(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError(NOT_INT)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw.strip())
    raise ValueError(NOT_INT)


def _to_date(raw: object) -> str:
    if isinstance(raw, date):
        return date(raw.year, raw.month, raw.day).isoformat()
    if isinstance(raw, str) and len(raw.strip()) == 10:
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(NOT_DATE)


def _to_uuid(raw: object) -> str:
    if isinstance(raw, UUID):
        return str(raw)
    if isinstance(raw, str):
        try:
            return str(UUID(raw.strip()))
        except ValueError:
            pass
    raise ValueError(NOT_UUID)
