"""The operation table of the OpenAPI document: every path, method, security scheme, body,
response model and the status codes each can answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from domain.fields import list_filters
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
    ProjectionStatus,
)
from schema.api.submissions import MODELS, Submission

Security = list[dict[str, list[str]]]
ADMIN: Security = [{"AdminKey": []}]
OWNER_OR_ADMIN: Security = [{"AdminKey": []}, {"ApiKey": []}]
PUBLIC: list[dict[str, list[str]]] = []

STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "Deleted (deactivated)",
    400: "Invalid input",
    401: "No or invalid credentials",
    403: "Not allowed with this key",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "The submission was erased",
    412: "Stale If-Match",
    413: "Body too large",
    415: "Unsupported media type",
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
    #: The body may also be sent as multipart/form-data (with a ``logo`` file part).
    multipart: bool = False
    #: The request may come without a body.
    optional_body: bool = False


_PAGING = (("page", "integer"), ("page_size", "integer"))
# The list filters are the field catalogue's (every one a string: an invalid value is ignored).
_FILTERS = (
    *((f.filter.param, "string") for f in list_filters() if f.filter),
    ("edam_topic", "string"),
    ("edam_operation", "string"),
    ("descendants", "boolean"),
    ("ordering", "string"),
)
_AUTH = (401, 403)
_WRITE = (400, 401, 403, 404, 409, 412, 413, 415, 429)
#: A command on one submission: as `_WRITE`, and 410 once it was erased.
_SUB_WRITE = (*_WRITE, 410)
SUB = "/api/v1/submissions/{id}/"


def _reference_ops(
    path: str,
    label: str,
    one: str,
    out: type[BaseModel],
    create: type[BaseModel],
    update: type[BaseModel],
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
            f"Create a {one}",
            ADMIN,
            201,
            out,
            body=create,
            errors=(400, 401, 403, 409, 413, 415, 429),
        ),
        Op("get", item, f"One {one}", ADMIN, response=out, errors=(*_AUTH, 404)),
        Op(
            "put",
            item,
            f"Replace a {one}",
            ADMIN,
            response=out,
            body=create,
            errors=(*_WRITE,),
        ),
        Op(
            "patch",
            item,
            f"Change a {one}",
            ADMIN,
            response=out,
            body=update,
            errors=(*_WRITE,),
        ),
        Op(
            "delete",
            item,
            f"Deactivate a {one} (soft delete)",
            ADMIN,
            204,
            errors=(*_AUTH, 404),
        ),
    ]


def submission_operations(api: int) -> tuple[Op, ...]:
    """Create, list, detail and PATCH of submissions (PUT/DELETE refused) in API version ``api``,
    with that version's models (``schema.api.submissions.MODELS``)."""
    models = MODELS[api]
    collection = f"/api/v{api}/submissions/"
    item = collection + "{id}/"
    return (
        Op(
            "post",
            collection,
            "Register a service (public)",
            PUBLIC,
            201,
            models.created,
            body=models.create,
            errors=(400, 409, 410, 413, 415, 422, 429),
            headers=("Idempotency-Key",),
            multipart=True,
        ),
        Op(
            "get",
            collection,
            "List submissions",
            ADMIN,
            response=models.page,
            errors=(*_AUTH, 404),
            query=(*_FILTERS, *_PAGING),
        ),
        Op(
            "get",
            item,
            "One submission (or its state as of an instant)",
            OWNER_OR_ADMIN,
            response=models.submission,
            errors=(400, 401, 404, 410),
            query=(("as_of", "string"),),
        ),
        Op(
            "patch",
            item,
            "Change some fields",
            OWNER_OR_ADMIN,
            response=models.submission,
            body=models.patch,
            errors=_SUB_WRITE,
            headers=("If-Match",),
            multipart=True,
        ),
        Op("put", item, "Not supported: use PATCH", OWNER_OR_ADMIN, 405, errors=(401,)),
        Op("delete", item, "Not supported", OWNER_OR_ADMIN, 405, errors=(401,)),
    )


OPERATIONS: tuple[Op, ...] = (
    *submission_operations(1),
    Op(
        "get",
        "/api/v1/registration/options/",
        "What a registration may reference (public)",
        PUBLIC,
        response=RegistrationOptions,
        headers=("If-None-Match",),
    ),
    Op(
        "post",
        SUB + "status/",
        "Change the status",
        OWNER_OR_ADMIN,
        response=Submission,
        body=StatusChange,
        errors=_SUB_WRITE,
        headers=("If-Match",),
    ),
    Op(
        "put",
        SUB + "maturity/",
        "Set the maturity tags",
        ADMIN,
        response=Submission,
        body=MaturityTags,
        errors=_SUB_WRITE,
        headers=("If-Match",),
    ),
    Op(
        "get",
        SUB + "keys/",
        "List the submission's keys",
        ADMIN,
        response=KeyInfo,
        many=True,
        errors=(*_AUTH, 404, 410),
    ),
    Op(
        "post",
        SUB + "keys/",
        "Issue a key (plaintext shown once)",
        ADMIN,
        201,
        KeyIssued,
        body=KeyRequest,
        errors=(400, 401, 403, 404, 410, 413, 415, 429),
    ),
    Op(
        "post",
        SUB + "keys/reset/",
        "Revoke every key and issue one write key",
        ADMIN,
        201,
        KeyIssued,
        errors=(*_AUTH, 404, 410),
    ),
    Op(
        "post",
        SUB + "keys/{key_id}/revoke/",
        "Revoke a key",
        ADMIN,
        response=KeyInfo,
        errors=(*_AUTH, 404, 410),
    ),
    Op(
        "get",
        SUB + "history/",
        "Every recorded change, oldest first (an erased submission's too, redacted)",
        OWNER_OR_ADMIN,
        response=HistoryItem,
        many=True,
        errors=(401, 404, 410),
    ),
    Op(
        "post",
        SUB + "erase/",
        "Erase the submission and its personal data (full admin key)",
        ADMIN,
        response=Erased,
        body=EraseRequest,
        errors=(400, 401, 403, 404, 409, 410, 413, 415),
        optional_body=True,
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
    *_reference_ops(
        "categories", "categories", "category", Category, CategoryCreate, CategoryUpdate
    ),
    *_reference_ops(
        "service-centers", "service centres", "service centre", Centre, CentreCreate, CentreUpdate
    ),
    *_reference_ops(
        "pis", "principal investigators", "principal investigator", Pi, PiCreate, PiUpdate
    ),
    Op(
        "get",
        "/api/v1/edam/",
        "EDAM terms (public)",
        PUBLIC,
        response=EdamTerm,
        many=True,
        query=(("branch", "string"), ("q", "string"), ("limit", "integer")),
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
        query=(
            ("biotools_id", "string"),
            ("submission", "string"),
            ("edam_operation", "string"),
            ("descendants", "boolean"),
            ("maturity", "string"),
            *_PAGING,
        ),
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
