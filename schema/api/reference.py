"""Reference data bodies and shapes: categories, service centres, PIs (admin keys)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from schema.api.base import RequestBody


class CategoryUpdate(RequestBody):
    """PATCH of a category."""

    ignored = frozenset({"id"})

    name: str | None = Field(default=None, min_length=1, max_length=100)
    is_active: bool | None = None


class CategoryCreate(CategoryUpdate):
    """POST of a category."""

    name: str = Field(min_length=1, max_length=100)


class Category(BaseModel):
    """A service category."""

    id: int
    name: str
    is_active: bool


class CentreUpdate(RequestBody):
    """PATCH of a service centre."""

    ignored = frozenset({"id"})

    short_name: str | None = Field(default=None, min_length=1, max_length=50)
    full_name: str | None = Field(default=None, min_length=1, max_length=300)
    website: str | None = Field(default=None, max_length=200)
    ror_id: str | None = Field(
        default=None,
        max_length=100,
        description="Optional ROR id, e.g. https://ror.org/02nv7yv05 (checksum verified).",
    )
    is_active: bool | None = None


class CentreCreate(CentreUpdate):
    """POST of a service centre."""

    short_name: str = Field(min_length=1, max_length=50)
    full_name: str = Field(min_length=1, max_length=300)


class Centre(BaseModel):
    """A service centre."""

    id: UUID
    short_name: str
    full_name: str
    website: str
    ror_id: str = Field(description="ROR id URL, or empty.")
    is_active: bool


class PiUpdate(RequestBody):
    """PATCH of a principal investigator."""

    ignored = frozenset({"id", "display_name"})

    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    institute: str | None = Field(default=None, max_length=200)
    orcid: str | None = Field(default=None, max_length=30)
    is_active: bool | None = None
    is_associated_partner: bool | None = None


class PiCreate(PiUpdate):
    """POST of a principal investigator."""

    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)


class Pi(BaseModel):
    """A principal investigator as the admin endpoints show it (with the internal email)."""

    id: UUID
    last_name: str
    first_name: str
    display_name: str
    email: str
    institute: str
    orcid: str
    is_active: bool
    is_associated_partner: bool
