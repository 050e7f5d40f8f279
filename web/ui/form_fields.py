"""The registration and edit forms as view models (spec/ui.md §5.3, §4 "Forms").

Everything a field shows comes from the field catalogue (``domain.fields``: the label, the
section, required, maximum length, choices, conditions) and, for the texts a person reads beside
it, from ``form_texts.yaml`` (one texts place). Reference choices (categories, centres, PIs) come
from the read side's registration options, passed in as :class:`FormOptions`.

:func:`form_sections` builds sections A–G for one rendering: the submitted or stored values (form
names, wire names or served names are all understood), the error of each field, and ``mode``
(``register`` asks for the consent and the e-mail confirmation; ``edit`` offers to remove the
logo). ``templates/form/_submission_form.html`` renders them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from domain.field_types import Field
from domain.fields import BY_NAME
from domain.fields import form_sections as catalogue_sections
from web.ui.forms import form_name, wire_name

Mode = Literal["register", "edit"]
Control = Literal[
    "text", "textarea", "date", "email", "url", "year", "radios", "checkboxes", "picker", "file",
    "consent",
]  # fmt: skip

TEXTS_FILE: Final = Path(__file__).resolve().parent / "form_texts.yaml"
EMAIL_CONFIRM: Final = "internal_contact_email_confirm"
LOGO_CLEAR: Final = "logo_clear"
#: Fields with a character count (§4).
COUNTED: Final = frozenset({"service_description", "license_note"})

#: Where the spec places a field whose catalogue section differs (§5.3's table): field ->
#: (section, the field it follows; "" for the section's end).
PLACED: Final = {"data_access_type": ("B", "logo"), "related_service_ids": ("D", "")}

#: 1.3.5 "Identify input purpose" tokens (§4).
AUTOCOMPLETE: Final = {
    "submitter_first_name": "given-name",
    "submitter_last_name": "family-name",
    "submitter_affiliation": "organization",
    "internal_contact_name": "name",
    "internal_contact_email": "email",
    EMAIL_CONFIRM: "email",
    "website_url": "url",
}

#: Text fields offering suggestions: field -> datalist id.
DATALISTS: Final = {
    "submitter_affiliation": "affiliation-suggestions",
    "host_institute": "host-institute-suggestions",
}

#: Conditional reveals: field -> (the controlling field's form name, the values that show it;
#: ``("*partner",)`` means "an associated-partner PI is ticked", ``("!planned",)`` "anything but
#: planned").
REVEALS: Final = {
    "toolbox_name": ("is_toolbox", ("True",)),
    "associated_partner_note": ("responsible_pis", ("*partner",)),
    "kpi_since": ("kpi_monitoring", ("!planned",)),
}


@cache
def texts() -> dict[str, Any]:
    """The forms' texts (``form_texts.yaml``)."""
    loaded = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@dataclass(frozen=True)
class Option:
    """One radio or checkbox: its value, label, hint and whether it is chosen."""

    value: str
    label: str
    hint: str = ""
    checked: bool = False
    partner: bool = False
    """A PI who is an associated partner (reveals the partner note)."""


@dataclass(frozen=True)
class Chip:
    """One chosen value of a picker and its display label."""

    value: str
    label: str
    definition: str = ""
    """An EDAM term's definition ("About this term", §5.3.1)."""


@dataclass(frozen=True)
class FormField:
    """One control of the form, ready to render."""

    name: str
    """The form's name (the original's; ``id_<name>`` is the control's id)."""
    wire: str
    """The API's name ("" for form-only fields such as the e-mail confirmation)."""
    label: str
    control: Control
    value: str = ""
    """The text of a text-like control (a picker's no-JS text field: comma-separated)."""
    hint: str = ""
    error: str = ""
    required: bool = False
    """Marked ``aria-required``."""
    optional: bool = True
    """Labelled "(optional)": neither required nor required under a condition."""
    maxlength: int | None = None
    minlength: int | None = None
    options: tuple[Option, ...] = ()
    chips: tuple[Chip, ...] = ()
    max_items: int | None = None
    autocomplete: str = ""
    datalist: str = ""
    suggestions: tuple[str, ...] = ()
    counted: bool = False
    """Shows a character count (§4)."""
    reveal_of: str = ""
    """The controlling field's form name when the field is revealed conditionally."""
    reveal_values: tuple[str, ...] = ()
    revealed: bool = True
    """Whether the condition holds for the current values (without JS the field is shown)."""
    placeholder: str = ""
    current: str = ""
    """A file field's current file (edit: the logo's URL)."""
    scroll: bool = False
    """A long checkbox group in a scrollable box (PIs)."""

    @property
    def id(self) -> str:
        """The control's id."""
        return f"id_{self.name}"

    @property
    def described_by(self) -> str:
        """``aria-describedby``: the hint first, then the error."""
        ids = []
        if self.hint:
            ids.append(f"id_{self.name}-hint")
        if self.error:
            ids.append(f"id_{self.name}-error")
        return " ".join(ids)


@dataclass(frozen=True)
class FormSection:
    """A form section (``A`` … ``G``) and its fields."""

    key: str
    title: str
    description: str
    fields: tuple[FormField, ...]

    @property
    def id(self) -> str:
        """The section's anchor (``section-a``)."""
        return f"section-{self.key.lower()}"


@dataclass(frozen=True)
class FormOptions:
    """The reference choices of one rendering (the read side's registration options), the
    labels of chosen picker values and the suggestions of the datalists."""

    categories: Sequence[Mapping[str, Any]] = ()
    centres: Sequence[Mapping[str, Any]] = ()
    pis: Sequence[Mapping[str, Any]] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    """Display labels of picker values (EDAM accessions, SPDX ids, service ids)."""
    definitions: Mapping[str, str] = field(default_factory=dict)
    """EDAM definitions of chosen terms, by accession."""
    suggestions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Datalist suggestions per field (reference data only, §3.7)."""
    logo_url: str = ""

    @classmethod
    def from_registration_options(
        cls, found: Mapping[str, Sequence[Mapping[str, Any]]], **more: Any
    ) -> FormOptions:
        """From ``ReadPort.registration_options()``."""
        return cls(
            categories=found.get("categories") or (),
            centres=found.get("centres") or (),
            pis=found.get("pis") or (),
            **more,
        )


def form_sections(
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    *,
    mode: Mode = "register",
    options: FormOptions | None = None,
    keep_consent: bool = False,
) -> tuple[FormSection, ...]:
    """Sections A–G for one rendering.

    ``values``: what the form shows (a posted form under form or wire names, or a stored
    document under wire or served names); ``errors``: one message per field (form or wire
    names); ``options``: reference choices (none: empty groups); ``keep_consent``: show a given
    consent ticked (the "Check your answers" page; never after an error, §4)."""
    opts = options or FormOptions()
    lookup = _Values(values)
    errs = {form_name(k): v for k, v in errors.items()}
    placed = _placement()
    out = []
    for section in catalogue_sections():
        key = section.key
        built: list[FormField] = []
        for f in placed[key]:
            if mode == "edit" and f.role == "consent":
                continue
            built.append(_build(f, lookup, errs, opts, mode, keep_consent))
            if f.name == "internal_contact_email" and mode == "register":
                built.append(_confirm(lookup, errs))
        description = str(texts()["sections"].get(key, ""))
        out.append(FormSection(key, section.title, description, tuple(built)))
    return tuple(s for s in out if s.fields)


#: Messages that do not say which field they are about (the domain's and the API's generic
#: ones): the error summary names the field before them.
_GENERIC = re.compile(
    r"^(This |A valid |Must be |Not a valid |Date has |Ensure this field |Expected )"
)


def summary_with_labels(
    summary: Sequence[tuple[str, str, str]], sections: Sequence[FormSection]
) -> list[tuple[str, str, str]]:
    """The error summary's ``(name, message, target)`` items, a generic message ("This field
    is required.") preceded by its field's label, so that every item names its field; the
    message itself stays the domain's, verbatim.

    A link to a picker's combobox (``#id_licenses-input``, which exists only with JavaScript)
    points at the picker's text field instead, the control without JavaScript; with it,
    ``form.js`` moves the focus on to the combobox."""
    fields = {f.name: f for s in sections for f in s.fields}
    out = []
    for name, message, target in summary:
        f = fields.get(name)
        if f is not None and _GENERIC.match(message):
            message = f"{f.label}: {message}"
        if f is not None and f.control == "picker" and target == f"{f.id}-input":
            target = f.id
        out.append((name, message, target))
    return out


def required_names(sections: Sequence[FormSection]) -> tuple[str, ...]:
    """The form names of the required questions (the progress bar's N)."""
    return tuple(f.name for s in sections for f in s.fields if f.required)


def field_names(sections: Sequence[FormSection]) -> tuple[str, ...]:
    """Every form name, in form order."""
    return tuple(f.name for s in sections for f in s.fields)


# -- building -------------------------------------------------------------------------------------


@cache
def _placement() -> dict[str, tuple[Field, ...]]:
    """The catalogue's sections with :data:`PLACED` applied."""
    sections = {s.key: [f for f in s.fields if f.name not in PLACED] for s in catalogue_sections()}
    for s in catalogue_sections():
        for f in s.fields:
            if f.name not in PLACED:
                continue
            target, after = PLACED[f.name]
            names = [g.name for g in sections[target]]
            at = names.index(after) + 1 if after in names else len(names)
            sections[target].insert(at, f)
    return {k: tuple(v) for k, v in sections.items()}


class _Values:
    """A field's value under any of its names, as text or as a tuple of texts."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def raw(self, f: Field | None, name: str) -> Any:
        names = [name]
        if f is not None:
            names += [f.name, f.served_as, *(a.name for a in f.api.renamed_from)]
        for n in names:
            if n in self.values:
                return self.values[n]
        return None

    def has(self, f: Field, name: str) -> bool:
        return any(
            n in self.values
            for n in (name, f.name, f.served_as, *(a.name for a in f.api.renamed_from))
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):  # a served reference (the centre): its id
        return _item(value)[0]
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ", ".join(_item(v)[0] for v in value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


def _item(value: Any) -> tuple[str, str]:
    """``(value, label)`` of a list item: a plain value, or a served reference object."""
    if isinstance(value, Mapping):
        key = value.get("id") or value.get("accession") or value.get("spdx_id") or ""
        label = (
            value.get("label")
            or value.get("name")
            or value.get("service_name")
            or value.get("display_name")
            or ""
        )
        return str(key), str(label)
    return str(value), ""


def _items(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple((p.strip(), "") for p in value.split(",") if p.strip())
    if isinstance(value, (list, tuple)):
        out: list[tuple[str, str]] = []
        for v in value:
            if isinstance(v, str) and "," in v:
                out += [(p.strip(), "") for p in v.split(",") if p.strip()]
            else:
                out.append(_item(v))
        return tuple(o for o in out if o[0])
    return (_item(value),)


def _hint(name: str, f: Field | None) -> str:
    hints: dict[str, str] = texts()["hints"]
    if name in hints:
        return str(hints[name] or "")
    return f.help if f is not None else ""


def _yes_no(f: Field) -> tuple[tuple[str, str], ...]:
    labels: dict[str, str] = texts()["choices"]
    return (("True", labels["True"]), ("False", labels["False"]))


def _control(f: Field) -> Control:
    if f.role == "consent":
        return "consent"
    if f.kind == "bool" or f.choices:
        return "radios"
    if f.refers_to in ("category", "pi", "centre"):
        return "checkboxes" if f.is_list else "radios"
    if f.widget == "picker" or f.refers_to == "submission":
        return "picker"
    if f.kind == "date":
        return "date"
    if f.kind == "int":
        return "year"
    if f.kind == "file":
        return "file"
    if f.widget == "textarea":
        return "textarea"
    if f.format == "https_url":
        return "url"
    if f.format == "email":
        return "email"
    return "text"


def _build(
    f: Field,
    lookup: _Values,
    errors: Mapping[str, str],
    opts: FormOptions,
    mode: Mode,
    keep_consent: bool = False,
) -> FormField:
    name = form_name(f.name)
    control = _control(f)
    raw = lookup.raw(f, name)
    present = lookup.has(f, name)
    # A radio group always holds an answer once it has a default: it is not "(optional)".
    # A minimum length refuses the empty text the form always sends: required on the form.
    required = (
        f.required
        or f.role == "consent"
        or (control == "radios" and f.has_default)
        or f.min_length is not None
    )
    conditional = f.required_when is not None
    value = _text(raw)
    if not present and f.has_default and not f.is_list and f.kind != "file":
        value = _text(f.default)
    if f.kind == "date" and not value and mode == "register":
        value = dt.datetime.now(dt.UTC).date().isoformat()
    options: tuple[Option, ...] = ()
    chips: tuple[Chip, ...] = ()
    chosen = {v for v, _ in _items(raw)} if f.is_list else {value}
    if control == "radios" and f.kind == "bool":
        options = tuple(Option(v, label, checked=v in chosen) for v, label in _yes_no(f))
    elif control == "radios" and f.choices:
        options = tuple(Option(c.value, c.label, checked=c.value in chosen) for c in f.choices)
    elif f.refers_to == "category":
        options = tuple(
            Option(str(c["id"]), str(c["name"]), checked=str(c["id"]) in chosen)
            for c in opts.categories
        )
    elif f.refers_to == "centre":
        options = tuple(
            Option(
                str(c["id"]),
                str(c.get("short_name") or c.get("full_name") or c["id"]),
                hint=str(c.get("full_name") or ""),
                checked=str(c["id"]) in chosen,
            )
            for c in opts.centres
        )
    elif f.refers_to == "pi":
        options = tuple(
            Option(
                str(p["id"]),
                str(p.get("display_name") or p["id"]),
                hint=str(p.get("institute") or ""),
                checked=str(p["id"]) in chosen,
                partner=bool(p.get("is_associated_partner")),
            )
            for p in opts.pis
        )
    elif control == "picker":
        chips = tuple(
            Chip(v, label or opts.labels.get(v, "") or v, opts.definitions.get(v, ""))
            for v, label in _items(raw)
        )
        value = ", ".join(c.value for c in chips)
    reveal_of, reveal_values = REVEALS.get(f.name, ("", ()))
    revealed = True
    if reveal_of:
        revealed = _condition_holds(reveal_values, lookup, reveal_of, opts)
    return FormField(
        name=name,
        wire=f.name,
        label=f.form_label,
        control=control,
        value=_consent(raw)
        if control == "consent" and keep_consent
        else ("" if control in ("file", "consent") else value),
        hint=_hint(name, f),
        error=errors.get(name, "") or errors.get(f.name, ""),
        required=required,
        optional=not required and not conditional,
        maxlength=f.max_length if control not in ("picker", "checkboxes", "radios") else None,
        minlength=f.min_length.length if f.min_length else None,
        options=options,
        chips=chips,
        max_items=f.max_items.count if f.max_items else None,
        autocomplete=AUTOCOMPLETE.get(f.name, ""),
        datalist=DATALISTS.get(f.name, ""),
        suggestions=tuple(opts.suggestions.get(f.name, ())),
        counted=f.name in COUNTED,
        reveal_of=reveal_of,
        reveal_values=reveal_values,
        revealed=revealed,
        placeholder=str(texts()["extra"]["publications_placeholder"])
        if f.name == "publications_pmids"
        else "",
        current=opts.logo_url if (control == "file" and mode == "edit") else "",
        scroll=f.refers_to == "pi",
    )


def _consent(raw: Any) -> str:
    """``on`` when a consent was given."""
    return "on" if raw is True or str(raw).strip().lower() in ("on", "true", "1") else ""


def _condition_holds(
    wanted: tuple[str, ...], lookup: _Values, controller: str, opts: FormOptions
) -> bool:
    f = BY_NAME.get(wire_name(controller))
    raw = lookup.raw(f, controller)
    if wanted == ("*partner",):
        chosen = {v for v, _ in _items(raw)}
        return any(p.get("is_associated_partner") and str(p["id"]) in chosen for p in opts.pis)
    value = _text(raw)
    if wanted and wanted[0].startswith("!"):
        return value != wanted[0][1:]
    return value in wanted


def _confirm(lookup: _Values, errors: Mapping[str, str]) -> FormField:
    return FormField(
        name=EMAIL_CONFIRM,
        wire="",
        label=str(texts()["extra"][EMAIL_CONFIRM]),
        control="email",
        value=_text(lookup.raw(None, EMAIL_CONFIRM)),
        hint=_hint(EMAIL_CONFIRM, None),
        error=errors.get(EMAIL_CONFIRM, ""),
        required=True,
        optional=False,
        maxlength=254,
        autocomplete=AUTOCOMPLETE[EMAIL_CONFIRM],
    )
