"""Response shapes of the read-only and auditing endpoints, and the problem document."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """An RFC 9457 problem document with the old envelope's ``error`` and ``request_id``."""

    type: str
    title: str
    status: int
    detail: str
    error: dict[str, Any] = Field(
        description='{"detail": …} or, for validation failures, {field: [messages]}.'
    )
    request_id: str
    errors: dict[str, list[str]] | None = None


class WriteRecorded(BaseModel):
    """The answer to a committed write whose new state could not be read back (header
    ``Read-Your-Writes: unavailable``): only what the command itself knows. ``ETag`` carries the
    new version; a create also carries its one-time key."""

    model_config = {"extra": "allow"}

    id: UUID | int | str
    links: dict[str, str] | None = None
    api_key: str | None = Field(default=None, description="A create's key, shown once.")
    api_key_warning: str | None = None


class FieldChange(BaseModel):
    """One field-level change."""

    field: str
    label: str
    old: Any
    new: Any


class HistoryItem(BaseModel):
    """One recorded change of a submission."""

    version: int
    changed_by: str
    changed_at: dt.datetime
    changes: list[FieldChange]


class ChangeFeedItem(BaseModel):
    """One entry of the registry-wide change feed."""

    position: int
    id: UUID
    type: str
    changed_by: str
    changed_at: dt.datetime
    changes: list[FieldChange]


class ChangeFeed(BaseModel):
    """A slice of the change feed; resume with ``after=<last position>``."""

    results: list[ChangeFeedItem]
    next: str | None


class EdamTerm(BaseModel):
    """An EDAM term (list shape; the detail adds definition, synonyms, parent, edam_version)."""

    uri: str
    accession: str
    branch: str | None
    label: str | None
    url: str
    definition: str | None = None
    synonyms: list[str] | None = None
    parent: dict[str, Any] | None = None
    edam_version: str | None = None


class License(BaseModel):
    """An SPDX licence."""

    license_id: str
    name: str
    is_osi_approved: bool
    is_deprecated: bool


class BioToolsRecord(BaseModel):
    """A bio.tools record (full shape on the detail endpoint, summary in lists)."""

    model_config = {"extra": "allow"}

    id: UUID | int | str
    biotools_id: str
    biotools_url: str
    name: str
    last_synced_at: dt.datetime | None
    sync_error: str


class BioToolsPage(BaseModel):
    """A page of bio.tools records."""

    count: int
    next: str | None
    previous: str | None
    results: list[BioToolsRecord]


class ProjectionStatus(BaseModel):
    """Status of the read-model projections (versions, which is live, positions, lag)."""

    model_config = {"extra": "allow"}

    projections: list[dict[str, Any]]
