"""The OpenAPI 3.1 document, generated from the ``schema.api`` models and the operation table
(``web.openapi_operations``).

The document depends on no running service, so ``schema/openapi.json`` can be regenerated and
diffed (``python -m web.openapi > schema/openapi.json``); a test fails when the committed copy
is stale. ``/api/v2/`` has its own document (``python -m web.openapi 2 >
schema/openapi-v2.json``): the submission operations in API version 2's shape.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from domain.fields import FIELDS
from schema.api.commands import (
    Erased,
    EraseRequest,
    KeyInfo,
    KeyIssued,
    KeyRequest,
    MaturityTags,
    StatusChange,
)
from schema.api.options import RegistrationOptions
from schema.api.reference import (
    Category,
    CategoryCreate,
    CategoryUpdate,
    Centre,
    CentreCreate,
    CentreUpdate,
    Pi,
    PiCreate,
    PiUpdate,
)
from schema.api.responses import (
    BioToolsPage,
    BioToolsRecord,
    ChangeFeed,
    EdamTerm,
    HistoryItem,
    License,
    Problem,
    ProjectionStatus,
    WriteRecorded,
)
from schema.api.submissions import MODELS
from web.openapi_docs import (
    DESCRIPTIONS,
    EXAMPLES,
    OVERVIEW,
    SCHEMES,
    TAGS,
    operation_key,
    tag_of,
)
from web.openapi_operations import OPERATIONS, STATUS_TEXT, Op, submission_operations


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


TITLE = "de.NBI Service Registry API"
#: The document's version: the newest API history entry of the fields /api/v1/ serves.
VERSION = max((f.api.added for f in FIELDS if f.api.served_in(1)), key=_release) + ".0"

_V1 = MODELS[1]
_MODELS: tuple[type[BaseModel], ...] = (
    Problem, _V1.created, _V1.page, _V1.submission, _V1.patch, _V1.create, StatusChange,
    MaturityTags, KeyInfo, KeyIssued, KeyRequest, HistoryItem, ChangeFeed,
    Category, CategoryCreate, CategoryUpdate, Centre, CentreCreate, CentreUpdate, Pi, PiCreate,
    PiUpdate, EdamTerm, License, BioToolsPage, BioToolsRecord, ProjectionStatus, WriteRecorded,
    EraseRequest, Erased, RegistrationOptions,
)  # fmt: skip

_HEADER_DOCS = {
    "Idempotency-Key": "A repeat with the same key returns the first response and creates nothing.",
    "If-Match": "The ETag of the version being changed; 412 when it is stale.",
    "If-None-Match": "The ETag of the copy the client holds; 304 (no body) while it is current.",
}


#: What ``/api/v2/``'s document says of the rest of the API.
V2_NOTE = (
    "Version 2 of the submissions resource: the fields and deprecated aliases the field catalogue"
    " removes in API 2 (kpi_start_year: use kpi_since) are neither accepted nor served. It is"
    " served from the same data as /api/v1/, which is unchanged. Every other resource (status,"
    " keys, history, reference data) is served under /api/v1/ (see /api/schema/)."
)


def build_openapi(api: int = 1) -> dict[str, Any]:
    """The whole document of API version ``api`` (``/api/schema/`` for 1, ``/api/v2/schema/``
    for 2, which has the submission operations only)."""
    if api == 1:
        operations, models = OPERATIONS, _MODELS
        info: dict[str, Any] = {"version": VERSION, "description": OVERVIEW}
    else:
        operations = submission_operations(api)
        version = MODELS[api]
        models = (Problem, version.created, version.page, version.submission, version.patch,
                  version.create, WriteRecorded)  # fmt: skip
        info = {"version": f"{api}.0.0", "description": V2_NOTE}
    refs, defs = _schemas(models)
    for op in operations:
        if op.multipart and op.body is not None:
            defs[_form_name(op.body)] = _form_schema(defs[op.body.__name__])
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            **info,
            "license": {"name": "MIT", "identifier": "MIT"},
            "contact": {"name": "de.NBI Service Registry", "url": "https://www.denbi.de/"},
        },
        "tags": [{"name": name, "description": text} for name, text, _ in TAGS],
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                name: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": text,
                }
                for name, text in SCHEMES.items()
            },
        },
    }


def _schemas(
    models: tuple[type[BaseModel], ...],
) -> tuple[dict[type[BaseModel], str], dict[str, Any]]:
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (m, "validation" if m.__name__.endswith(_INPUT_SUFFIXES) else "serialization")
        for m in models
    ]
    mapping, top = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    refs: dict[type[BaseModel], str] = {}
    for (model, _mode), schema in mapping.items():
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        refs[model] = str(schema["$ref"])
    return refs, dict(top.get("$defs", {}))


_INPUT_SUFFIXES = ("Create", "Patch", "Update", "Change", "Tags", "Request")


#: Response headers of a committed write (see ``web.context``) and of an outage answer.
_WRITE_HEADERS = {
    "Read-Your-Writes": {
        "description": "Absent when the body comes from the read tables. `event-log`: the read"
        " tables have not caught up (or the row is quarantined); the body is the new state folded"
        " from the event log. `unavailable`: the write is recorded but nothing could be read; the"
        " body is only what the command knows (WriteRecorded), the ETag the new version.",
        "schema": {"type": "string", "enum": ["event-log", "unavailable"]},
    }
}
_OUTAGE_HEADERS = {
    "Retry-After": {
        "description": "Seconds to wait before retrying: the database was unavailable. The"
        " problem type says whether anything was recorded (`not-recorded`, `outcome-unknown`).",
        "schema": {"type": "integer"},
    }
}


def _operation(op: Op, refs: dict[type[BaseModel], str]) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"$ref": refs[Problem]}}}
    responses: dict[str, Any] = {}
    if op.response is not None:
        schema: dict[str, Any] = {"$ref": refs[op.response]}
        if op.many:
            schema = {"type": "array", "items": schema}
        responses[str(op.ok)] = {
            "description": STATUS_TEXT[op.ok],
            "content": {"application/json": {"schema": schema}},
        }
        if op.method != "get":
            schema["anyOf"] = [{"$ref": schema.pop("$ref")}, {"$ref": refs[WriteRecorded]}]
            responses[str(op.ok)]["headers"] = _WRITE_HEADERS
    elif op.ok == 405:
        responses["405"] = {"description": STATUS_TEXT[405], "content": problem}
    else:
        responses[str(op.ok)] = {"description": STATUS_TEXT[op.ok]}
    if "If-None-Match" in op.headers:
        responses["304"] = {"description": "Not modified: the copy If-None-Match names is current"}
    for status in _error_codes(op):
        responses[str(status)] = {"description": STATUS_TEXT[status], "content": problem}
        if status == 503:
            responses[str(status)]["headers"] = _OUTAGE_HEADERS
    key = operation_key(op.method, op.path)
    out: dict[str, Any] = {
        "summary": op.summary,
        "description": DESCRIPTIONS[key],
        "tags": [tag_of(op.method, op.path)],
        "operationId": _operation_id(op),
        "security": op.security,
        "responses": responses,
    }
    parameters = [_path_param(name) for name in _path_names(op.path)]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
        for name, kind in op.query
    ]
    parameters += [
        {"name": name, "in": "header", "required": False, "schema": {"type": "string"},
         "description": _HEADER_DOCS[name]}
        for name in op.headers
    ]  # fmt: skip
    if parameters:
        out["parameters"] = parameters
    if op.body is not None:
        content: dict[str, Any] = {
            "application/json": {"schema": {"$ref": refs[op.body]}, "example": EXAMPLES[key]}
        }
        if op.multipart:
            form = {"$ref": f"#/components/schemas/{_form_name(op.body)}"}
            content["multipart/form-data"] = {"schema": form}
        out["requestBody"] = {"required": not op.optional_body, "content": content}
    return out


def _form_name(model: type[BaseModel]) -> str:
    return f"{model.__name__}Form"


def _form_schema(json_schema: dict[str, Any]) -> dict[str, Any]:
    """The multipart form of a body: the same fields (lists as repeated parts), the logo a file."""
    form = copy.deepcopy(json_schema)
    form["title"] = f"{json_schema.get('title', 'Body')} (multipart/form-data)"
    form["properties"]["logo"] = {
        "type": "string",
        "format": "binary",
        "writeOnly": True,
        "description": "The logo file: PNG, JPEG or SVG (detected from its content), at most"
        " REGISTRY_LOGO_MAX_BYTES (10 MiB). An empty part (no file) removes the logo.",
    }
    return form


def _error_codes(op: Op) -> list[int]:
    """The operation's own refusals plus those any request can meet: 400 (a malformed URL), 503
    (the database unavailable), and for authenticated operations 401 (no or bad key) and 429
    (the per-key limit)."""
    codes = {*op.errors, 400, 503}
    if op.security:
        codes |= {401, 429}
    return sorted(codes)


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _path_param(name: str) -> dict[str, Any]:
    kind: dict[str, Any] = {"type": "string"}
    if name in ("key_id",):
        kind = {"type": "string", "format": "uuid"}
    return {"name": name, "in": "path", "required": True, "schema": kind}


def _operation_id(op: Op) -> str:
    words = [p.strip("{}").replace("-", "_") for p in op.path.split("/") if p and p != "api"]
    return "_".join([op.method, *words])


def main() -> None:
    """Print the document of the API version given as the argument (default 1), used to refresh
    the committed ``schema/openapi.json`` and ``schema/openapi-v2.json``."""
    api = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    sys.stdout.write(json.dumps(build_openapi(api), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
