"""Submission request bodies (create, PATCH) and response shapes (spec §3.3), built from the field
catalogue (``domain.fields``), one set per API major version.

Each declared field gives its wire type (from its kind, choices and what it refers to), whether
it is required on create, its documented maximum length, its description (help text, choices,
API history) and its markers (``writeOnly`` for names never served, ``deprecated`` for aliases
and fields being removed). The OpenAPI document is generated from these models, so it follows
the catalogue too. Written here by hand: the envelope of a submission (id, times, links, the
bio.tools record) and the shapes of resolved references.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field, ValidationInfo, create_model, field_validator

from domain.field_types import TOO_LONG
from domain.field_types import Field as Declared
from domain.fields import API_VERSIONS, FIELDS
from schema.api.base import RequestBody


class NamedRef(BaseModel):
    """A category as embedded in a submission."""

    id: int
    name: str


class EdamRefOut(BaseModel):
    """An EDAM term as embedded in a submission (label null for URIs EDAM no longer has)."""

    uri: str
    accession: str
    branch: str | None
    label: str | None
    url: str


class PiOut(BaseModel):
    """A responsible PI as embedded in a submission (never the email)."""

    id: UUID
    last_name: str
    first_name: str
    display_name: str
    institute: str
    orcid: str


class CentreOut(BaseModel):
    """The service centre as embedded in a submission."""

    id: UUID
    short_name: str
    full_name: str
    website: str


class RelatedService(BaseModel):
    """Another submission related to this one (symmetric relation)."""

    id: UUID
    service_name: str


class SubmissionLinks(BaseModel):
    """Hypermedia links of a submission."""

    self: str
    schema_: str = Field(alias="schema")
    docs: str
    biotoolsrecord: str | None = None


#: Read-only members of a submission besides its served fields: accepted in a body and ignored.
ENVELOPE = frozenset({"id", "submitted_at", "updated_at", "biotoolsrecord", "links"})

# How a reference field is served (resolved) and described, per kind of reference.
_SERVED_REFERENCES: dict[str, tuple[Any, str]] = {
    "category": (list[NamedRef], ""),
    "edam_topic": (list[EdamRefOut], ""),
    "edam_operation": (list[EdamRefOut], ""),
    "pi": (list[PiOut], ""),
    "centre": (CentreOut | None, ""),
    "submission": (
        list[RelatedService],
        "The related submissions `[{id, service_name}]`, by service name.",
    ),
}
_SCALARS: dict[str, Any] = {"text": str, "plain": str, "bool": bool, "int": int, "date": dt.date}


def _input_type(f: Declared) -> Any:
    if f.choices:
        return Literal[tuple(c.value for c in f.choices)]
    if f.kind in _SCALARS:
        return _SCALARS[f.kind]
    if f.kind == "list_int":
        return list[int]
    if f.kind == "list_uuid":
        return list[UUID]
    if f.kind == "ref":
        return UUID
    if f.kind == "file":
        return None  # in JSON only null (remove): the stored path is chosen by the server
    if f.refers_to in ("edam_topic", "edam_operation"):
        return list[int | str]  # accessions, or the old system's integer ids
    return list[str]


def _output_type(f: Declared) -> Any:
    if f.refers_to in _SERVED_REFERENCES:
        return _SERVED_REFERENCES[f.refers_to][0]
    if f.kind == "file":
        return str | None
    if f.choices:
        # With a default every record holds one of them; a required choice may be empty on an
        # imported record.
        return Literal[tuple(c.value for c in f.choices)] if f.has_default else str
    return _input_type(f)


def _choices_note(f: Declared) -> str:
    if not f.choices:
        return ""
    listed = [
        f'"{c.value}" ({c.label}{", the default" if f.default == c.value else ""})'
        for c in f.choices
    ]
    return ", ".join(listed[:-1]) + " or " + listed[-1] + "." if len(listed) > 1 else listed[0]


def _describe(f: Declared, *, served: bool = False) -> str:
    """The description: help text (in a response, what a field served under another name
    holds), choices, API history."""
    note = f.help
    if served and f.served_as != f.name:
        note = _SERVED_REFERENCES.get(f.refers_to or "", (None, ""))[1]
    parts = [note, _choices_note(f)]
    if f.api.added != "1.0":
        parts.append(f"Added in API {f.api.added}.")
    if not f.writable:
        parts.append(f"Deprecated: {f.api.deprecated} No longer stored; always null.".strip())
    if f.api.removed_in is not None:
        parts.append(f"Removed in /api/v{f.api.removed_in}/.")
    return " ".join(p for p in parts if p)


def _alias_note(f: Declared, old: str, removed_in: int | None) -> str:
    note = f"Deprecated alias of {f.name} (the same value); use {f.name}."
    return note + (f" Removed in /api/v{removed_in}/." if removed_in is not None else "")


def _meta(f: Declared, description: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"description": description} if description else {}
    schema_extra: dict[str, Any] = {}
    if f.max_length is not None and f.kind in ("text", "plain"):
        if f.too_long == TOO_LONG:
            meta["max_length"] = f.max_length  # refused at the edge with the domain's message
        else:
            schema_extra["maxLength"] = f.max_length  # its own message: the domain refuses it
    if f.visibility == "internal" or f.role == "consent" or f.served_as != f.name:
        schema_extra["writeOnly"] = True  # never served under this name
    if schema_extra:
        meta["json_schema_extra"] = schema_extra
    if not f.writable or f.api.deprecated:
        meta["deprecated"] = True
    return {**meta, **extra}


def _aliases(f: Declared, major: int) -> list[tuple[str, int | None]]:
    return [
        (a.name, a.removed_in)
        for a in f.api.renamed_from
        if a.removed_in is None or major < a.removed_in
    ]


def _accepted(major: int) -> list[Declared]:
    return [f for f in FIELDS if f.role in ("content", "consent") and f.api.served_in(major)]


def _served(major: int) -> list[Declared]:
    return [
        f
        for f in FIELDS
        if f.role in ("content", "computed") and f.served and f.api.served_in(major)
    ]


class PatchBody(RequestBody):
    """Base of the PATCH and create bodies: deprecated aliases are handed on under their
    current names (``aliases``: old -> new of the API version)."""

    aliases: ClassVar[dict[str, str]] = {}
    #: Fields that accept null: the logo (null removes it).
    nullable: ClassVar[frozenset[str]] = frozenset({"logo"})

    def payload(self) -> dict[str, Any]:
        """The fields sent, deprecated aliases under their current names."""
        data = super().payload()
        for old, new in self.aliases.items():
            if old in data:
                legacy = data.pop(old)
                data.setdefault(new, legacy)
        return data


def _same_as_current(cls: type[PatchBody], value: Any, info: ValidationInfo) -> Any:
    """An alias sent with its current name must carry the same value."""
    assert info.field_name is not None
    new = cls.aliases[info.field_name]
    current = info.data.get(new)
    if value is not None and current is not None and current != value:
        msg = f"{info.field_name} is a deprecated alias of {new}; send one, or the same value."
        raise ValueError(msg)
    return value


def _too_long(cls: type[PatchBody], value: Any, info: ValidationInfo) -> Any:
    """A maximum with its own message (``Field.too_long``), refused at the edge with it."""
    assert info.field_name is not None
    declared = _BY_NAME[info.field_name]
    limit = declared.max_length
    if isinstance(value, str) and limit is not None and len(value) > limit:
        raise ValueError(declared.too_long.format(limit=limit))
    return value


_BY_NAME = {f.name: f for f in FIELDS}


def _request_model(name: str, major: int, *, create: bool) -> type[PatchBody]:
    fields: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    for f in _accepted(major):
        if not f.writable:
            continue  # being removed: accepted and ignored (listed in ``ignored``)
        kind = _input_type(f)
        description = _describe(f)
        optional = None if kind is None else kind | None
        if create and f.required:
            fields[f.name] = (kind, Field(**_meta(f, description)))
        else:
            fields[f.name] = (optional, Field(default=None, **_meta(f, description)))
        for old, removed_in in _aliases(f, major):
            aliases[old] = f.name
            note = _alias_note(f, old, removed_in)
            meta = _meta(f, note, deprecated=True)
            fields[old] = (optional, Field(default=None, **meta))
    served = {f.served_as for f in _served(major)} | {f.name for f in _served(major)}
    removed = {f.name for f in _accepted(major) if not f.writable}
    custom = [
        f.name
        for f in _accepted(major)
        if f.writable and f.max_length is not None and f.too_long != TOO_LONG
    ]
    validators: dict[str, Any] = {}
    if aliases:
        validators["_same_as_current"] = field_validator(*aliases)(classmethod(_same_as_current))
    if custom:
        validators["_too_long"] = field_validator(*custom)(classmethod(_too_long))
    model = create_model(
        name,
        __base__=PatchBody,
        __doc__=_REQUEST_DOCS[create].format(major=major),
        __validators__=validators,
        **fields,
    )
    model.aliases = aliases
    model.ignored = frozenset(
        (
            ENVELOPE
            | {"status", "primary_maturity_tag", "secondary_maturity_tags"}
            | served
            | removed
        )
        - set(fields)
    )
    assert issubclass(model, PatchBody)
    return model


_REQUEST_DOCS = {
    False: "``PATCH /api/v{major}/submissions/{{id}}/``: any subset of the writable fields.",
    True: "``POST /api/v{major}/submissions/``: the fields required on create are required here.",
}


class SubmissionBody(BaseModel):
    """Base of the submission a read endpoint returns (no internal or personal-contact data)."""


def _response_model(name: str, major: int) -> type[SubmissionBody]:
    statuses = next(f for f in FIELDS if f.name == "status").choices
    fields: dict[str, Any] = {
        "id": (UUID, ...),
        "status": (Literal[tuple(c.value for c in statuses)], ...),
        "submitted_at": (dt.datetime, ...),
        "updated_at": (dt.datetime, ...),
    }
    for f in _served(major):
        kind = _output_type(f)
        meta = _meta(f, _describe(f, served=True))
        meta.pop("max_length", None)
        meta.pop("json_schema_extra", None)  # maxima and writeOnly describe input
        if not f.writable:
            kind = kind | None
        fields[f.served_as] = (kind, Field(**meta))
        for old, removed_in in _aliases(f, major):
            fields[old] = (
                kind,
                Field(description=_alias_note(f, old, removed_in), deprecated=True),
            )
    fields.update(
        biotoolsrecord=(dict[str, object] | None, ...),
        primary_maturity_tag=(str | None, ...),
        secondary_maturity_tags=(list[str] | None, ...),
        links=(SubmissionLinks, ...),
    )
    model = create_model(
        name,
        __base__=SubmissionBody,
        __doc__="A submission as every read endpoint returns it (no internal or personal-contact"
        " data).",
        **fields,
    )
    assert issubclass(model, SubmissionBody)
    return model


@dataclass(frozen=True)
class ApiModels:
    """The submission models of one API major version."""

    patch: type[PatchBody]
    create: type[PatchBody]
    submission: type[SubmissionBody]
    created: type[BaseModel]
    page: type[BaseModel]


def _models(major: int) -> ApiModels:
    submission = _response_model("Submission", major)
    created = create_model(
        "SubmissionCreated",
        __base__=submission,
        __doc__="The 201 answer to a create: the submission plus its one-time key.",
        api_key=(str, Field(description="The plaintext key, shown once.")),
        api_key_warning=(str, ...),
    )
    page = create_model(
        "SubmissionPage",
        __doc__="A page of submissions.",
        count=(int, ...),
        next=(str | None, ...),
        previous=(str | None, ...),
        results=(list[submission], ...),  # type: ignore[valid-type]
    )
    return ApiModels(
        patch=_request_model("SubmissionPatch", major, create=False),
        create=_request_model("SubmissionCreate", major, create=True),
        submission=submission,
        created=created,
        page=page,
    )


#: The models of every served API version.
MODELS: dict[int, ApiModels] = {major: _models(major) for major in API_VERSIONS}

#: Renamed fields still accepted and served under their old name in ``/api/v1/``: old -> new.
DEPRECATED_ALIASES: dict[str, str] = dict(MODELS[1].patch.aliases)

# The /api/v1/ models under their names (typed as their bases: they are built at import time).
if TYPE_CHECKING:
    SubmissionPatch = PatchBody
    SubmissionCreate = PatchBody
    Submission = SubmissionBody
    SubmissionCreated = SubmissionBody
    SubmissionPage = BaseModel
else:
    SubmissionPatch = MODELS[1].patch
    SubmissionCreate = MODELS[1].create
    Submission = MODELS[1].submission
    SubmissionCreated = MODELS[1].created
    SubmissionPage = MODELS[1].page
