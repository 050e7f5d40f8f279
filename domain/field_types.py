"""The shape of one field declaration; the declarations themselves are ``domain.fields``.

A :class:`Field` says everything the rest of the system needs to know about one submission field,
so that validation, change records, the aggregate's defaults, the API models, the read documents,
the list filters, the mails, the forms, the admin columns and the exports are derived from it and
never restated. Everything here is frozen and standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Kind = Literal[
    "text", "plain", "bool", "int", "date", "list_int", "list_str", "list_uuid", "ref", "file"
]
"""How a value is parsed and stored. ``text`` is free text (HTML removed, normalised); ``plain``
a URL, email or identifier (normalised, never HTML-stripped); ``ref`` one reference id; ``file``
the stored path of an uploaded file."""

Role = Literal["content", "lifecycle", "consent", "computed"]
"""``content``: written by create and PATCH, kept in the aggregate's ``values``; ``lifecycle``:
status and maturity tags, set by their own commands; ``consent``: asked on create, never stored;
``computed``: derived from other fields in the read documents, never written."""

Visibility = Literal["public", "owner", "internal"]
"""``public``: shown on public pages, exports and the API; ``owner``: the API (owner and admins)
but never public pages; ``internal``: written, never served (mails to admins only)."""

Reference = Literal[
    "centre", "category", "pi", "edam_topic", "edam_operation", "license", "submission"
]
"""What a reference field's ids point at (its display names and existence checks follow)."""

Format = Literal["https_url", "email", "email_or_https_url", "pmids_or_dois"]
"""A value format checked by ``domain.validation`` (one named rule each)."""

Widget = Literal[
    "text", "textarea", "email", "url", "number", "date", "checkbox", "radio", "select",
    "multiselect", "picker", "combobox", "file", "none",
]  # fmt: skip
"""A hint for the form renderer (``none``: not on the form)."""

TOO_LONG: Final = "Ensure this field has no more than {limit} characters."
"""The message of an exceeded maximum length (DRF's wording, as the old API answered)."""


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Final = _NoDefault()
"""The default of a field that has none (it is required, or empty until set)."""


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value and its display label."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class MinLength:
    """A minimum length (of the normalised value) and its message."""

    length: int
    message: str


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive integer range; ``maximum`` None means the current year."""

    minimum: int
    maximum: int | None
    message: str
    """Formatted with ``minimum`` and ``maximum``."""


@dataclass(frozen=True, slots=True)
class MaxItems:
    """At most ``count`` items in a list field."""

    count: int
    message: str


@dataclass(frozen=True, slots=True)
class RequiredWhen:
    """Required when another field says so; checked when either of the two changes.

    Either ``holds`` (a test of the other field's value) or ``flag`` (an attribute of the records
    the other, reference field points at: required when any of them has it) decides.
    """

    field: str
    message: str
    describe: str
    """The condition in words, for forms and documentation."""
    holds: Callable[[Any], bool] | None = None
    flag: str | None = None


@dataclass(frozen=True, slots=True)
class ListFilter:
    """A ``GET /api/v1/submissions/?<param>=`` filter on this field.

    ``column``: an indexed column of the ``submissions`` table; None: the document itself, through
    the expression ``coalesce(doc->>'<name>', '<default>')``, which ``indexed`` filters index (a new
    ``submissions`` version brings the index: see ``Field.stored_from``).
    """

    param: str
    match: Literal["equals", "contains_all", "reference_name"] = "equals"
    column: str | None = None
    indexed: bool = True


@dataclass(frozen=True, slots=True)
class Alias:
    """An old name of a renamed field: accepted and served as a deprecated alias until
    ``removed_in`` (an API major version), and read under the new name from stored events."""

    name: str
    since: str
    """The API version in which the rename happened."""
    removed_in: int | None = None


@dataclass(frozen=True, slots=True)
class ApiHistory:
    """The field's history in the API (the seed's stability table): when it was added, its old
    names, whether it is deprecated, and the first API major version without it."""

    added: str = "1.0"
    renamed_from: tuple[Alias, ...] = ()
    deprecated: str = ""
    """Why and what instead, once the field is deprecated ("" while it is not)."""
    removed_in: int | None = None

    def served_in(self, major: int) -> bool:
        """Whether API version ``major`` still has the field."""
        return self.removed_in is None or major < self.removed_in


@dataclass(frozen=True, slots=True)
class Field:
    """One submission field. Only ``name``, ``kind``, ``label`` and ``section`` are needed; the
    rest defaults to an optional, public, owner-editable field that resets an approval."""

    name: str
    """The wire name (API, events, aggregate state, read documents)."""
    kind: Kind
    label: str
    """The change-log label (also the admin's and the mails')."""
    section: str
    """The form section (``A`` … ``G``; ``""``: not on the form)."""
    role: Role = "content"
    change_name: str = ""
    """The change-log name ("" → ``name``)."""
    served_as: str = ""
    """The name in responses when it differs (references are served resolved)."""
    default: Any = NO_DEFAULT
    required: bool = False
    """Required on create (and may not be emptied by an edit)."""
    writable: bool = True
    """False once a field is being removed: accepted and ignored, never recorded again."""
    visibility: Visibility = "public"
    personal: bool = False
    """Personal data: encrypted in stored events, erased on request."""
    resets_approval: bool = True
    """Whether an owner's change moves an approved submission back to submitted (the
    shipped exempt list; operators may configure another)."""
    exemptable: bool = True
    """False for system-controlled fields, which no exempt list may name."""
    max_length: int | None = None
    too_long: str = TOO_LONG
    min_length: MinLength | None = None
    choices: tuple[Choice, ...] = ()
    format: Format | None = None
    prefix: tuple[str, str] | None = None
    """A required URL prefix and its message."""
    range: Range | None = None
    max_items: MaxItems | None = None
    required_when: RequiredWhen | None = None
    refers_to: Reference | None = None
    computed: Callable[[Mapping[str, Any]], Any] | None = None
    """A computed field's value from the document's other fields."""
    stored_from: int = 1
    """The first ``submissions`` read-table version whose rows carry the field. A field with a
    constant default needs none (older documents answer with the default); a computed value or
    an indexed document filter does (the new version's replay fills every row)."""
    dropped_from: int | None = None
    """Phase 2 of a removal: the first ``submissions`` version whose rows no longer hold the
    field's old values (rebuilt by replay; the events keep them)."""
    filter: ListFilter | None = None
    widget: Widget = "text"
    form_label: str = ""
    """The form's label ("" → ``label``)."""
    help: str = ""
    """Help text for forms and the API description."""
    admin_column: bool = False
    export: bool | None = None
    """In the CSV/JSON exports (None → exactly when public)."""
    mail: bool = False
    """Listed in the "Service details" of notification mails."""
    api: ApiHistory = field(default_factory=ApiHistory)

    def __post_init__(self) -> None:
        if not self.change_name:
            object.__setattr__(self, "change_name", self.name)
        if not self.served_as:
            object.__setattr__(self, "served_as", self.name)
        if not self.form_label:
            object.__setattr__(self, "form_label", self.label)
        if self.export is None:
            object.__setattr__(self, "export", self.visibility == "public")

    @property
    def has_default(self) -> bool:
        """Whether an absent value reads as a constant default."""
        return self.default is not NO_DEFAULT

    @property
    def is_list(self) -> bool:
        """Whether values are lists."""
        return self.kind.startswith("list_")

    @property
    def empty(self) -> Any:
        """The value an absent field reads as: its default, else the kind's empty value."""
        if self.has_default:
            return list(self.default) if isinstance(self.default, list) else self.default
        if self.is_list:
            return []
        return "" if self.kind in ("text", "plain") else None

    @property
    def served(self) -> bool:
        """Whether read documents and responses carry it."""
        return self.visibility != "internal" and self.role != "consent"

    def choice_label(self, value: Any) -> str:
        """The label of a choice value (the value itself when unknown)."""
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)
