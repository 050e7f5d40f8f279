"""Bodies of the command endpoints added by decisions.md: status, maturity tags, keys, erasure."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from schema.api.base import RequestBody

Status = Literal["draft", "submitted", "under_review", "approved", "rejected", "deprecated"]


class StatusChange(RequestBody):
    """``POST …/{id}/status/``: the target status and an optional comment."""

    status: Status
    comment: str = Field(default="", max_length=2000)


class MaturityTags(RequestBody):
    """``PUT …/{id}/maturity/``: ``{"primary": null, "secondary": []}`` clears the tags."""

    #: `null` is a value here (no primary tag), not a missing one (see `web.body.validate`).
    nullable: ClassVar[frozenset[str]] = frozenset({"primary"})

    primary: Literal["mature", "emerging", "legacy"] | None
    secondary: list[Literal["unstable"]] = Field(default_factory=list)


class KeyRequest(RequestBody):
    """``POST …/{id}/keys/``: a new submission key."""

    label: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "write"] = "write"


class KeyInfo(BaseModel):
    """A submission key as listed (never the plaintext, never the whole hash)."""

    id: UUID
    label: str
    scope: Literal["read", "write"]
    is_active: bool
    created_at: dt.datetime
    created_by: str
    last_used_at: dt.datetime | None
    hash_prefix: str


class KeyIssued(BaseModel):
    """The answer to issuing a key: its plaintext is shown once."""

    id: UUID
    label: str
    scope: Literal["read", "write"]
    is_active: bool
    created_at: dt.datetime | None
    api_key: str
    api_key_warning: str


class EraseRequest(RequestBody):
    """``POST …/{id}/erase/`` (the body is optional): why the submission is erased. The reason
    is kept in clear on the ``Erased`` event as the deletion audit: it must not itself hold
    personal data."""

    nullable: ClassVar[frozenset[str]] = frozenset({"reason"})

    reason: str | None = Field(default=None, max_length=2000)


class Erased(BaseModel):
    """The answer to an erasure: who erased the submission, when and why."""

    id: UUID
    erased: Literal[True] = True
    erased_by: str
    erased_at: dt.datetime
    reason: str
    version: int = Field(description="The submission's last version: its Erased event.")
