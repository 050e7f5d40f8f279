"""Submission request bodies (create, PATCH) and response shapes (spec §3.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field, ValidationInfo, field_validator

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
        "related_services",
    }
)

#: Renamed fields still accepted and served under their old name in ``/api/v1/``: old -> new.
DEPRECATED_ALIASES = {"kpi_start_year": "kpi_since"}
KPI_ALIAS_NOTE = "Deprecated alias of kpi_since (the same value); use kpi_since."

KpiMonitoring = Literal["yes", "planned"]
DataAccessType = Literal["open", "restricted", "closed"]
DATA_ACCESS_NOTE = (
    'How users can access the service: "open" (Open access, the default), "restricted"'
    ' (Restricted access) or "closed" (Closed / on request).'
)
RELATED_NOTE = (
    "Ids of other submissions related to this one. The relation is symmetric: adding B here"
    " lists this submission in B's related services too; removing likewise."
)
EdamRef = int | str
WRITE_ONLY: dict[str, Any] = {"writeOnly": True}
LOGO_NOTE = (
    "The service logo (PNG, JPEG or SVG, at most 10 MiB): upload it as a file part of a"
    " multipart/form-data body; null (or an empty form field) removes it. Served as logo_url."
)


class SubmissionPatch(RequestBody):
    """``PATCH /api/v1/submissions/{id}/``: any subset of the writable fields."""

    ignored = READ_ONLY_FIELDS
    #: Fields that accept null: the logo (null removes it).
    nullable: ClassVar[frozenset[str]] = frozenset({"logo"})

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
    kpi_since: str | None = Field(default=None, max_length=100)
    kpi_start_year: str | None = Field(
        default=None, max_length=100, deprecated=True, description=KPI_ALIAS_NOTE
    )
    keywords_uncited: str | None = None
    keywords_seo: str | None = None
    survey_participation: bool | None = None
    comments: str | None = None
    data_access_type: DataAccessType | None = Field(default=None, description=DATA_ACCESS_NOTE)
    related_service_ids: list[UUID] | None = Field(
        default=None, description=RELATED_NOTE, json_schema_extra=WRITE_ONLY
    )
    data_protection_consent: bool | None = Field(default=None, json_schema_extra=WRITE_ONLY)
    # In JSON only null (remove) is accepted: the stored path is chosen by the server on upload.
    logo: None = Field(default=None, description=LOGO_NOTE, json_schema_extra=WRITE_ONLY)

    @field_validator("kpi_start_year")
    @classmethod
    def _same_as_kpi_since(cls, value: str | None, info: ValidationInfo) -> str | None:
        new = info.data.get("kpi_since")
        if value is not None and new is not None and new != value:
            msg = "kpi_start_year is a deprecated alias of kpi_since; send one, or the same value."
            raise ValueError(msg)
        return value

    def payload(self) -> dict[str, Any]:
        """The fields sent, deprecated aliases under their current names."""
        data = super().payload()
        for old, new in DEPRECATED_ALIASES.items():
            if old in data:
                legacy = data.pop(old)
                data.setdefault(new, legacy)
        return data


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
    kpi_since: str
    kpi_start_year: str = Field(deprecated=True, description=KPI_ALIAS_NOTE)
    logo_url: str | None
    keywords_uncited: str
    keywords_seo: str
    survey_participation: bool
    comments: str
    data_access_type: DataAccessType = Field(description=DATA_ACCESS_NOTE)
    related_services: list[RelatedService] = Field(
        description="The related submissions `[{id, service_name}]`, by service name."
    )
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
