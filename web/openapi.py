"""The OpenAPI 3.1 document, generated from the ``schema.api`` models and the operation table
(``web.openapi_operations``).

The document depends on no running service, so ``schema/openapi.json`` can be regenerated and
diffed (``python -m web.openapi > schema/openapi.json``); a test fails when the committed copy
is stale.
"""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from schema.api.commands import KeyInfo, KeyIssued, KeyRequest, MaturityTags, StatusChange
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
)
from schema.api.submissions import (
    Submission,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionPage,
    SubmissionPatch,
)
from web.openapi_docs import (
    DESCRIPTIONS,
    EXAMPLES,
    OVERVIEW,
    SCHEMES,
    TAGS,
    operation_key,
    tag_of,
)
from web.openapi_operations import OPERATIONS, STATUS_TEXT, Op

TITLE = "de.NBI Service Registry API"
VERSION = "1.0.0"

_MODELS: tuple[type[BaseModel], ...] = (
    Problem, SubmissionCreated, SubmissionPage, Submission, SubmissionPatch, SubmissionCreate,
    StatusChange, MaturityTags, KeyInfo, KeyIssued, KeyRequest, HistoryItem, ChangeFeed,
    Category, CategoryCreate, CategoryUpdate, Centre, CentreCreate, CentreUpdate, Pi, PiCreate,
    PiUpdate, EdamTerm, License, BioToolsPage, BioToolsRecord, ProjectionStatus,
    RegistrationOptions,
)  # fmt: skip

_HEADER_DOCS = {
    "Idempotency-Key": "A repeat with the same key returns the first response and creates nothing.",
    "If-Match": "The ETag of the version being changed; 412 when it is stale.",
    "If-None-Match": "The ETag of the copy the client holds; 304 (no body) while it is current.",
}


def build_openapi() -> dict[str, Any]:
    """The whole document."""
    refs, defs = _schemas()
    for op in OPERATIONS:
        if op.multipart and op.body is not None:
            defs[_form_name(op.body)] = _form_schema(defs[op.body.__name__])
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "license": {"name": "MIT", "identifier": "MIT"},
            "contact": {"name": "de.NBI Service Registry", "url": "https://www.denbi.de/"},
            "description": OVERVIEW,
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


def _schemas() -> tuple[dict[type[BaseModel], str], dict[str, Any]]:
    keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (m, "validation" if m.__name__.endswith(_INPUT_SUFFIXES) else "serialization")
        for m in _MODELS
    ]
    mapping, top = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    refs: dict[type[BaseModel], str] = {}
    for (model, _mode), schema in mapping.items():
        assert isinstance(model, type)
        assert issubclass(model, BaseModel)
        refs[model] = str(schema["$ref"])
    return refs, dict(top.get("$defs", {}))


_INPUT_SUFFIXES = ("Create", "Patch", "Update", "Change", "Tags", "Request")


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
    elif op.ok == 405:
        responses["405"] = {"description": STATUS_TEXT[405], "content": problem}
    else:
        responses[str(op.ok)] = {"description": STATUS_TEXT[op.ok]}
    if "If-None-Match" in op.headers:
        responses["304"] = {"description": "Not modified: the copy If-None-Match names is current"}
    for status in _error_codes(op):
        responses[str(status)] = {"description": STATUS_TEXT[status], "content": problem}
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
        out["requestBody"] = {"required": True, "content": content}
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
    """The operation's own refusals plus those any request can meet: 400 (a malformed URL),
    and for authenticated operations 401 (no or bad key) and 429 (the per-key limit)."""
    codes = {*op.errors, 400}
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
    """Print the document (used to refresh the committed ``schema/openapi.json``)."""
    sys.stdout.write(json.dumps(build_openapi(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
