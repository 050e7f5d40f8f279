"""Submission bodies in any of the three encodings the old API accepted (spec §3.1).

JSON is read as before. ``multipart/form-data`` (the only way to upload a ``logo`` file) and
``application/x-www-form-urlencoded`` are mapped onto the same plain data the JSON path yields,
so one request model validates all three: a list field is its repeated keys (one empty value
means the empty list), every other field takes its single value as a string and the model's
lax parsing reads ``"true"``/``"false"`` and numbers. An empty ``logo`` form field clears the logo,
as ``"logo": null`` does in JSON.
"""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.types import Message

from web.body import read_json, read_limited
from web.errors import ApiError

MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
LOGO = "logo"
#: Form fields beyond any model's: the parser refuses floods before they are mapped.
MAX_FIELDS = 500
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
ONE_VALUE = "Send this field once."
ONLY_LOGO_FILE = "Only the logo may be uploaded as a file."


@dataclass(frozen=True)
class SubmissionInput:
    """A submission body, decoded but not yet validated.

    Fields:
        data: the plain field values, as a JSON body would give them (the logo file excluded).
        logo: the uploaded logo's bytes, or None when no file part was sent.
        fingerprint: what identifies the request for ``Idempotency-Key`` comparisons.
    """

    data: Any
    logo: bytes | None
    fingerprint: Any


async def read_submission(
    request: Request, model: type[BaseModel], max_bytes: int, max_logo_bytes: int
) -> SubmissionInput:
    """Decode a JSON, multipart or form-encoded submission body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == MULTIPART:
        limit = max_bytes + max_logo_bytes
        too_large = {LOGO: [f"The logo must be at most {max_logo_bytes} bytes."]}
        raw = await read_limited(request, limit, errors=too_large)
        form = await parse_form(request, raw, max_bytes)
    elif media == URLENCODED:
        raw = await read_limited(request, max_bytes)
        form = await parse_form(request, raw, max_bytes)
    else:
        data = await read_json(request, max_bytes)
        return SubmissionInput(data, None, data)
    try:
        data, logo = await _map_form(form, model)
    finally:
        await form.close()
    digest = None if logo is None else hashlib.sha256(logo).hexdigest()
    fingerprint = {**data, LOGO: digest} if logo is not None else data
    return SubmissionInput(data, logo, fingerprint)


async def parse_form(request: Request, raw: bytes, max_part_size: int) -> FormData:
    """Parse an already size-checked body (replayed to a fresh request); starlette's
    ``MultiPartException`` for a broken body or too many parts."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    copy = Request(request.scope, replay)
    return await copy.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=max_part_size)


async def _map_form(form: FormData, model: type[BaseModel]) -> tuple[dict[str, Any], bytes | None]:
    lists = list_fields(model)
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    logo: bytes | None = None
    for key in dict.fromkeys(form.keys()):
        values = form.getlist(key)
        files = [v for v in values if isinstance(v, UploadFile)]
        texts = [v for v in values if isinstance(v, str)]
        if files and key != LOGO:
            errors[key] = [ONLY_LOGO_FILE]
            continue
        if key == LOGO:
            if files and not texts:
                logo = await files[0].read()
            elif texts == [""]:
                data[LOGO] = None
            else:
                errors[LOGO] = [NOT_A_FILE]
        elif key in lists:
            data[key] = [v for v in texts if v != ""]
        elif len(texts) > 1:
            errors[key] = [ONE_VALUE]
        else:
            data[key] = texts[0]
    if errors:
        raise ApiError(400, "Validation failed.", errors=dict(sorted(errors.items())))
    return data, logo


def list_fields(model: type[BaseModel]) -> frozenset[str]:
    """The model's fields whose type is a list (sent as repeated form keys)."""
    return frozenset(name for name, info in model.model_fields.items() if _is_list(info.annotation))


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return False
