"""Shared bases for request bodies."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, read-only fields named in ``ignored`` dropped.

    Existing clients sometimes send a resource back with its read-only members (the old API
    ignored them silently); those are dropped here, anything else unknown is a 400 naming it.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    #: Wire names accepted and discarded (read-only members of the resource).
    ignored: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.ignored:
            return {k: v for k, v in data.items() if k not in cls.ignored}
        return data

    def payload(self) -> dict[str, Any]:
        """The fields the client actually sent, as plain JSON values (the domain's input)."""
        return self.model_dump(mode="json", exclude_unset=True)
