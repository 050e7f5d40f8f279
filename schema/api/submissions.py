"""Submission request bodies (create, PATCH) and response shapes (spec §3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from schema.api.base import RequestBody

#: Read-only members of a submission: accepted in a body and ignored, as the old API did.
READ_ONLY_FIELDS = frozenset(
    {
        "id",
        "status",
        "submitted_at",
        "updated_at",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "service_categories",
        "edam_topics",
        "edam_operations",
        "responsible_pis",
        "service_center",
        "logo_url",
        "biotoolsrecord",
        "links",
    }
)

KpiMonitoring = Literal["yes", "planned"]
EdamRef = int | str
WRITE_ONLY: dict[str, Any] = {"writeOnly": True}


class SubmissionPatch(RequestBody):
    """``PATCH /api/v1/submissions/{id}/``: any subset of the writable fields."""

    ignored = READ_ONLY_FIELDS

    date_of_entry: dt.date | None = None
    submitter_first_name: str | None = Field(default=None, max_length=100)
    submitter_last_name: str | None = Field(default=None, max_length=100)
    submitter_affiliation: str | None = Field(default=None, max_length=300)
    register_as_elixir: bool | None = None
    service_name: str | None = Field(default=None, max_length=300)
    service_description: str | None = None
    year_established: int | None = None
    service_category_ids: list[int] | None = Field(default=None, description="Active category ids.")
    edam_topic_ids: list[EdamRef] | None = Field(
        default=None, description="EDAM topic accessions (or legacy integer ids), at most 6."
    )
    edam_operation_ids: list[EdamRef] | None = Field(
        default=None, description="EDAM operation accessions (or legacy integer ids), at most 6."
    )
    is_toolbox: bool | None = None
    toolbox_name: str | None = Field(default=None, max_length=200)
    user_knowledge_required: str | None = None
    publications_pmids: str | None = None
    responsible_pi_ids: list[UUID] | None = None
    associated_partner_note: str | None = None
    host_institute: str | None = Field(default=None, max_length=300)
    service_center_id: UUID | None = None
    public_contact_email: str | None = Field(default=None, max_length=2000)
    internal_contact_name: str | None = Field(
        default=None, max_length=200, json_schema_extra=WRITE_ONLY
    )
    internal_contact_email: str | None = Field(
        default=None, max_length=254, json_schema_extra=WRITE_ONLY
    )
    website_url: str | None = Field(default=None, max_length=2000)
    terms_of_use_url: str | None = Field(default=None, max_length=2000)
    licenses: list[str] | None = Field(default=None, description="SPDX licence ids.")
    license_note: str | None = Field(default=None, max_length=200)
    github_url: str | None = Field(default=None, max_length=2000)
    biotools_url: str | None = Field(default=None, max_length=2000)
    fairsharing_url: str | None = Field(default=None, max_length=2000)
    other_registry_url: str | None = Field(default=None, max_length=2000)
    kpi_monitoring: KpiMonitoring | None = None
    kpi_start_year: str | None = Field(default=None, max_length=100)
    keywords_uncited: str | None = None
    keywords_seo: str | None = None
    survey_participation: bool | None = None
    comments: str | None = None
    data_protection_consent: bool | None = Field(default=None, json_schema_extra=WRITE_ONLY)


class SubmissionCreate(SubmissionPatch):
    """``POST /api/v1/submissions/``: the fields required on create are required here."""

    date_of_entry: dt.date
    service_name: str = Field(max_length=300)
    service_description: str
    year_established: int
    publications_pmids: str
    host_institute: str = Field(max_length=300)
    public_contact_email: str = Field(max_length=2000)
    internal_contact_name: str = Field(max_length=200, json_schema_extra=WRITE_ONLY)
    internal_contact_email: str = Field(max_length=254, json_schema_extra=WRITE_ONLY)
    website_url: str = Field(max_length=2000)
    terms_of_use_url: str = Field(max_length=2000)
    kpi_monitoring: KpiMonitoring
    service_center_id: UUID
    service_category_ids: list[int]
    responsible_pi_ids: list[UUID]


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


class SubmissionLinks(BaseModel):
    """Hypermedia links of a submission."""

    self: str
    schema_: str = Field(alias="schema")
    docs: str
    biotoolsrecord: str | None = None


class Submission(BaseModel):
    """A submission as every read endpoint returns it (no internal or personal-contact data)."""

    id: UUID
    status: Literal["draft", "submitted", "under_review", "approved", "rejected", "deprecated"]
    submitted_at: dt.datetime
    updated_at: dt.datetime
    date_of_entry: dt.date
    submitter_first_name: str
    submitter_last_name: str
    submitter_affiliation: str
    register_as_elixir: bool
    service_name: str
    service_description: str
    year_established: int
    service_categories: list[NamedRef]
    is_toolbox: bool
    toolbox_name: str
    user_knowledge_required: str
    publications_pmids: str
    edam_topics: list[EdamRefOut]
    edam_operations: list[EdamRefOut]
    responsible_pis: list[PiOut]
    associated_partner_note: str
    host_institute: str
    service_center: CentreOut | None
    public_contact_email: str
    website_url: str
    terms_of_use_url: str
    licenses: list[str]
    license_note: str
    github_url: str
    biotools_url: str
    fairsharing_url: str
    other_registry_url: str
    kpi_monitoring: str
    kpi_start_year: str
    logo_url: str | None
    keywords_uncited: str
    keywords_seo: str
    survey_participation: bool
    comments: str
    biotoolsrecord: dict[str, object] | None
    primary_maturity_tag: str | None
    secondary_maturity_tags: list[str] | None
    links: SubmissionLinks


class SubmissionCreated(Submission):
    """The 201 answer to a create: the submission plus its one-time key."""

    api_key: str = Field(description="The plaintext key, shown once.")
    api_key_warning: str


class SubmissionPage(BaseModel):
    """A page of submissions."""

    count: int
    next: str | None
    previous: str | None
    results: list[Submission]
