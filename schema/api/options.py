"""``GET /api/v1/registration/options/``: what a registration may reference, for anyone."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class CategoryChoice(BaseModel):
    """An active service category."""

    id: int
    name: str


class CentreChoice(BaseModel):
    """An active de.NBI service centre."""

    id: UUID
    short_name: str
    full_name: str
    website: str
    ror_id: str = Field(description="The centre's ROR id URL, or empty when none is recorded.")


class PiChoice(BaseModel):
    """An active responsible PI: the public name and institute only."""

    id: UUID
    display_name: str = Field(description='"Last, First", or the associated-partner entry.')
    institute: str
    is_associated_partner: bool = Field(
        description="The entry for a PI who is not listed: choosing it makes"
        " associated_partner_note (their name and affiliation) required."
    )


class CategoryOptions(BaseModel):
    """The choices for ``service_category_ids`` (at least one)."""

    field: str = "service_category_ids"
    min_items: int = 1
    choices: list[CategoryChoice]


class CentreOptions(BaseModel):
    """The choices for ``service_center_id`` (exactly one)."""

    field: str = "service_center_id"
    choices: list[CentreChoice]


class PiOptions(BaseModel):
    """The choices for ``responsible_pi_ids`` (at least one)."""

    field: str = "responsible_pi_ids"
    min_items: int = 1
    choices: list[PiChoice]


class SearchOptions(BaseModel):
    """A field whose values come from a searchable public list."""

    field: str
    max_items: int | None = None
    search: str = Field(description="The public list to search (add ?q=…).")


class RegistrationLinks(BaseModel):
    """Where to go next."""

    register_: str = Field(alias="register", description="POST the registration here.")
    schema_: str = Field(alias="schema", description="The OpenAPI document.")
    docs: str


class RegistrationOptions(BaseModel):
    """Every reference a registration may name, with the field that takes it."""

    service_categories: CategoryOptions
    service_centers: CentreOptions
    responsible_pis: PiOptions
    edam_topics: SearchOptions
    edam_operations: SearchOptions
    licenses: SearchOptions
    links: RegistrationLinks
