"""Reading request bodies and query values into ``schema.api`` models, refusing bad input with 4xx.

Everything a client can get wrong before the domain sees the request ends here as an
:class:`~web.errors.ApiError`: a wrong content type (415), an oversized body (413), a body that is
not JSON or not an object (400), unknown or ill-typed fields (400 naming every field at once).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from web.errors import ApiError

M = TypeVar("M", bound=BaseModel)

JSON_TYPES = ("application/json",)


async def read_json(request: Request, max_bytes: int) -> Any:
    """The decoded JSON body, refusing wrong media types, oversized and malformed bodies."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES and not media.endswith("+json"):
        raise ApiError(415, f'Unsupported media type "{media}" in request.')
    raw = await read_limited(request, max_bytes)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "JSON parse error: the body is not valid JSON.") from None


async def read_limited(
    request: Request, max_bytes: int, errors: dict[str, list[str]] | None = None
) -> bytes:
    """The raw body; over ``max_bytes`` (declared or streamed) is a 413 (``errors`` attached)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, f"Request body exceeds {max_bytes} bytes.", errors=errors)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(413, f"Request body exceeds {max_bytes} bytes.", errors=errors)
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_body(request: Request, model: type[M], max_bytes: int) -> M:
    """Read the body and validate it against ``model``."""
    data = await read_json(request, max_bytes)
    return validate(model, data)


def validate(model: type[M], data: Any) -> M:
    """Validate plain data; every failing field is named in one 400."""
    if not isinstance(data, dict):
        raise ApiError(
            400,
            "Invalid data. Expected a dictionary.",
            errors={"non_field_errors": ["Invalid data. Expected a dictionary."]},
        )
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        info = model.model_fields.get(name)
        if value is None and info is not None and not _nullable(model, name):
            errors.setdefault(name, []).append("This field may not be null.")
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            field = _field_of(error["loc"])
            errors.setdefault(field, []).append(_message(error))
        raise ApiError(400, "Validation failed.", errors=_dedupe(errors)) from None
    if errors:
        raise ApiError(400, "Validation failed.", errors=errors)
    return parsed


def parse_uuid(value: str) -> uuid.UUID:
    """A path id; a malformed one is a 404 (no such resource), never a 500."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(404, "Not found.") from None


def _nullable(model: type[BaseModel], name: str) -> bool:
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    return name in nullable


def _field_of(loc: tuple[int | str, ...]) -> str:
    return str(loc[0]) if loc else "non_field_errors"


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "literal_error":
        return f'"{error.get("input")}" is not a valid choice.'
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "A valid integer is required."
    if kind in ("bool_parsing", "bool_type"):
        return "Must be a valid boolean."
    if kind in ("string_type",):
        return "Not a valid string."
    if kind in ("list_type",):
        return f'Expected a list of items but got type "{type(error.get("input")).__name__}".'
    if kind in ("uuid_parsing", "uuid_type"):
        return "Must be a valid UUID."
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing"):
        return "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"Ensure this field has no more than {limit} characters."
    if kind == "string_too_short":
        return "This field may not be blank."
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    message: str = error["msg"]
    return message


def _dedupe(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {field: list(dict.fromkeys(messages)) for field, messages in sorted(errors.items())}
