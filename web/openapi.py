"""The OpenAPI 3.1 document, generated from the ``schema.api`` models and the operation table.

The document depends on no running service, so ``schema/openapi.json`` can be regenerated and
diffed (``python -m web.openapi > schema/openapi.json``); a test fails when the committed copy
is stale.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from schema.api.commands import KeyInfo, KeyIssued, KeyRequest, MaturityTags, StatusChange
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

TITLE = "de.NBI Service Registry API"
VERSION = "1.0.0"
Security = list[dict[str, list[str]]]
ADMIN: Security = [{"AdminKey": []}]
OWNER_OR_ADMIN: Security = [{"AdminKey": []}, {"ApiKey": []}]
PUBLIC: list[dict[str, list[str]]] = []

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "Deleted (deactivated)",
    400: "Invalid input",
    401: "No or invalid credentials",
    403: "Not allowed with this key",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Stale If-Match",
    413: "Body too large",
    415: "Not JSON",
    422: "Idempotency-Key reused with another body",
    429: "Rate limited",
    503: "Not available",
}


@dataclass(frozen=True)
class Op:
    """One operation of the API."""

    method: str
    path: str
    summary: str
    security: list[dict[str, list[str]]]
    ok: int = 200
    response: type[BaseModel] | None = None
    many: bool = False
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


_PAGING = (("page", "integer"), ("page_size", "integer"))
_FILTERS = (
    ("status", "string"),
    ("service_center", "string"),
    ("year_established", "string"),
    ("register_as_elixir", "string"),
    ("primary_maturity_tag", "string"),
    ("secondary_maturity_tags", "string"),
    ("ordering", "string"),
)
_AUTH = (401, 403)
_WRITE = (400, 401, 403, 404, 409, 412, 413, 415, 429)
SUB = "/api/v1/submissions/{id}/"


def _reference_ops(
    path: str, label: str, out: type[BaseModel], create: type[BaseModel], update: type[BaseModel]
) -> list[Op]:
    item = f"/api/v1/{path}/{{id}}/"
    return [
        Op(
            "get",
            f"/api/v1/{path}/",
            f"List {label}",
            ADMIN,
            response=out,
            many=True,
            errors=_AUTH,
            query=(("is_active", "string"),),
        ),
        Op(
            "post",
            f"/api/v1/{path}/",
            f"Create a {label[:-1]}",
            ADMIN,
            201,
            out,
            body=create,
            errors=(400, 401, 403, 409, 413, 415, 429),
        ),
        Op("get", item, f"One {label[:-1]}", ADMIN, response=out, errors=(*_AUTH, 404)),
        Op(
            "put",
            item,
            f"Replace a {label[:-1]}",
            ADMIN,
            response=out,
            body=create,
            errors=(*_WRITE,),
        ),
        Op(
            "patch",
            item,
            f"Change a {label[:-1]}",
            ADMIN,
            response=out,
            body=update,
            errors=(*_WRITE,),
        ),
        Op(
            "delete",
            item,
            f"Deactivate a {label[:-1]} (soft delete)",
            ADMIN,
            204,
            errors=(*_AUTH, 404),
        ),
    ]


OPERATIONS: tuple[Op, ...] = (
    Op(
        "post",
        "/api/v1/submissions/",
        "Register a service (public)",
        PUBLIC,
        201,
        SubmissionCreated,
        body=SubmissionCreate,
        errors=(400, 409, 413, 415, 422, 429),
        headers=("Idempotency-Key",),
    ),
    Op(
        "get",
        "/api/v1/submissions/",
        "List submissions",
        ADMIN,
        response=SubmissionPage,
        errors=(*_AUTH, 404),
        query=(*_FILTERS, *_PAGING),
    ),
    Op(
        "get",
        SUB,
        "One submission (or its state as of an instant)",
        OWNER_OR_ADMIN,
        response=Submission,
        errors=(400, 401, 404),
        query=(("as_of", "string"),),
    ),
    Op(
        "patch",
        SUB,
        "Change some fields",
        OWNER_OR_ADMIN,
        response=Submission,
        body=SubmissionPatch,
        errors=_WRITE,
        headers=("If-Match",),
    ),
    Op("put", SUB, "Not supported: use PATCH", OWNER_OR_ADMIN, 405, errors=(401,)),
    Op("delete", SUB, "Not supported", OWNER_OR_ADMIN, 405, errors=(401,)),
    Op(
        "post",
        SUB + "status/",
        "Change the status",
        OWNER_OR_ADMIN,
        response=Submission,
        body=StatusChange,
        errors=_WRITE,
        headers=("If-Match",),
    ),
    Op(
        "put",
        SUB + "maturity/",
        "Set the maturity tags",
        ADMIN,
        response=Submission,
        body=MaturityTags,
        errors=_WRITE,
        headers=("If-Match",),
    ),
    Op(
        "get",
        SUB + "keys/",
        "List the submission's keys",
        ADMIN,
        response=KeyInfo,
        many=True,
        errors=(*_AUTH, 404),
    ),
    Op(
        "post",
        SUB + "keys/",
        "Issue a key (plaintext shown once)",
        ADMIN,
        201,
        KeyIssued,
        body=KeyRequest,
        errors=(400, 401, 403, 404, 413, 415, 429),
    ),
    Op(
        "post",
        SUB + "keys/reset/",
        "Revoke every key and issue one write key",
        ADMIN,
        201,
        KeyIssued,
        errors=(*_AUTH, 404),
    ),
    Op(
        "post",
        SUB + "keys/{key_id}/revoke/",
        "Revoke a key",
        ADMIN,
        response=KeyInfo,
        errors=(*_AUTH, 404),
    ),
    Op(
        "get",
        SUB + "history/",
        "Every recorded change, oldest first",
        OWNER_OR_ADMIN,
        response=HistoryItem,
        many=True,
        errors=(401, 404),
    ),
    Op(
        "get",
        "/api/v1/changes/",
        "The registry-wide change feed",
        ADMIN,
        response=ChangeFeed,
        errors=(400, *_AUTH),
        query=(("after", "integer"), ("limit", "integer")),
    ),
    *_reference_ops("categories", "categories", Category, CategoryCreate, CategoryUpdate),
    *_reference_ops("service-centers", "service centres", Centre, CentreCreate, CentreUpdate),
    *_reference_ops("pis", "principal investigators", Pi, PiCreate, PiUpdate),
    Op(
        "get",
        "/api/v1/edam/",
        "EDAM terms (public)",
        PUBLIC,
        response=EdamTerm,
        many=True,
        query=(("branch", "string"), ("q", "string")),
    ),
    Op(
        "get",
        "/api/v1/edam/{key}/",
        "One EDAM term by accession or id (public)",
        PUBLIC,
        response=EdamTerm,
        errors=(404,),
    ),
    Op(
        "get",
        "/api/v1/licenses/",
        "SPDX licences (public)",
        PUBLIC,
        response=License,
        many=True,
        query=(("q", "string"),),
    ),
    Op(
        "get",
        "/api/v1/biotools/",
        "bio.tools records",
        ADMIN,
        response=BioToolsPage,
        errors=(400, *_AUTH, 404),
        query=(("biotools_id", "string"), ("submission", "string"), *_PAGING),
    ),
    Op(
        "get",
        "/api/v1/biotools/{biotools_id}/",
        "A bio.tools record of an approved service",
        PUBLIC,
        response=BioToolsRecord,
        errors=(404,),
    ),
    Op(
        "get",
        "/api/v1/projections/",
        "Read-model projection status",
        ADMIN,
        response=ProjectionStatus,
        errors=(*_AUTH, 503),
    ),
)

_MODELS: tuple[type[BaseModel], ...] = (
    Problem, SubmissionCreated, SubmissionPage, Submission, SubmissionPatch, SubmissionCreate,
    StatusChange, MaturityTags, KeyInfo, KeyIssued, KeyRequest, HistoryItem, ChangeFeed,
    Category, CategoryCreate, CategoryUpdate, Centre, CentreCreate, CentreUpdate, Pi, PiCreate,
    PiUpdate, EdamTerm, License, BioToolsPage, BioToolsRecord, ProjectionStatus,
)  # fmt: skip

_HEADER_DOCS = {
    "Idempotency-Key": "A repeat with the same key returns the first response and creates nothing.",
    "If-Match": "The ETag of the version being changed; 412 when it is stale.",
}


def build_openapi() -> dict[str, Any]:
    """The whole document."""
    refs, defs = _schemas()
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
        },
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "AdminKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: AdminKey <key>` (scopes read or full).",
                },
                "ApiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: ApiKey <key>`: a submission's own key.",
                },
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
            "description": _STATUS_TEXT[op.ok],
            "content": {"application/json": {"schema": schema}},
        }
    elif op.ok == 405:
        responses["405"] = {"description": _STATUS_TEXT[405], "content": problem}
    else:
        responses[str(op.ok)] = {"description": _STATUS_TEXT[op.ok]}
    for status in op.errors:
        responses[str(status)] = {"description": _STATUS_TEXT[status], "content": problem}
    out: dict[str, Any] = {
        "summary": op.summary,
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
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": refs[op.body]}}},
        }
    return out


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
