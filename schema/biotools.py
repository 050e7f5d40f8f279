"""The parsed shape of a bio.tools tool entry, and the flat record the registry keeps of it.

bio.tools sends two shapes of the same object: the live API (`GET /api/tool/<id>/?format=json`)
sends every key, with `null`, `[]` or `0` when empty; the `bio-tools/content` snapshots drop every
falsy value. The models below accept both, ignore keys they do not know, turn a lone scalar where a
list is expected into a one-item list, and keep odd text, obsolete or unknown EDAM URIs and non-SPDX
licence words exactly as sent: none of these is a reason to reject a record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "API_DEFAULTS",
    "BIOTOOLS_ID_PATTERN",
    "BioToolsEntry",
    "biotools_id_from_url",
    "flat_record",
    "parse_entry",
    "with_api_defaults",
]

BIOTOOLS_ID_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")


def _as_list(value: Any) -> Any:
    """None becomes [], a lone scalar or object becomes a one-item list."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _objects(value: Any) -> Any:
    """Like `_as_list`, but drops items that are not JSON objects (they carry nothing usable)."""
    return [item for item in _as_list(value) if isinstance(item, Mapping)]


def _strings(value: Any) -> Any:
    """A list of strings: non-string scalars are stringified, nulls and objects dropped."""
    out: list[str] = []
    for item in _as_list(value):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(str(item))
    return out


def _text(value: Any) -> Any:
    """A scalar text field: numbers are stringified, anything else that is not text is null."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


Text = Annotated[str | None, BeforeValidator(_text)]
Strings = Annotated[list[str], BeforeValidator(_strings)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class EdamRef(_Lenient):
    """An EDAM reference as bio.tools sends it: the URI decides, the term is kept as given."""

    uri: Text = None
    term: Text = None


class FunctionIO(_Lenient):
    """One input or output of a function block: a data term and its formats."""

    data: EdamRef | None = None
    format: Annotated[list[EdamRef], BeforeValidator(_objects)] = []

    @model_validator(mode="before")
    @classmethod
    def _data_object_only(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and not isinstance(value.get("data"), Mapping | None):
            return {**value, "data": None}
        return value


class Function(_Lenient):
    """One function block: operations, inputs, outputs, a command line and a note."""

    operation: Annotated[list[EdamRef], BeforeValidator(_objects)] = []
    input: Annotated[list[FunctionIO], BeforeValidator(_objects)] = []
    output: Annotated[list[FunctionIO], BeforeValidator(_objects)] = []
    cmd: Text = None
    note: Text = None


class Publication(_Lenient):
    """A publication reference (bio.tools' `metadata` block is not kept in the flat record)."""

    pmid: Text = None
    doi: Text = None
    pmcid: Text = None
    type: Strings = []
    note: Text = None
    version: Text = None


class Documentation(_Lenient):
    """A documentation link; `type` is a list in bio.tools."""

    url: Text = None
    type: Strings = []
    note: Text = None


class Download(_Lenient):
    """A download link; `type` is a single string in bio.tools."""

    url: Text = None
    type: Text = None
    note: Text = None
    version: Text = None


class Link(_Lenient):
    """A miscellaneous link; `type` is a list in bio.tools."""

    url: Text = None
    type: Strings = []
    note: Text = None


class BioToolsEntry(_Lenient):
    """A bio.tools tool object in either the live-API or the content-snapshot shape."""

    biotools_id: str = Field("", alias="biotoolsID")
    name: str = ""
    description: str = ""
    homepage: str = ""
    version: Strings = []
    tool_type: Strings = Field([], alias="toolType")
    topic: Annotated[list[EdamRef], BeforeValidator(_objects)] = []
    function: Annotated[list[Function], BeforeValidator(_objects)] = []
    operating_system: Strings = Field([], alias="operatingSystem")
    license: Text = None
    maturity: Text = None
    cost: Text = None
    publication: Annotated[list[Publication], BeforeValidator(_objects)] = []
    documentation: Annotated[list[Documentation], BeforeValidator(_objects)] = []
    download: Annotated[list[Download], BeforeValidator(_objects)] = []
    link: Annotated[list[Link], BeforeValidator(_objects)] = []
    last_update: Text = Field(None, alias="lastUpdate")

    @model_validator(mode="before")
    @classmethod
    def _normalise_scalars(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        data = dict(value)
        for key in ("biotoolsID", "name", "description", "homepage"):
            text = _text(data.get(key))
            data[key] = text.strip() if isinstance(text, str) else ""
        if not data["biotoolsID"]:
            # The original registry fell back to the name when a record carried no ID.
            data["biotoolsID"] = data["name"]
        return data


def parse_entry(raw: Mapping[str, Any]) -> BioToolsEntry:
    """Parse one bio.tools tool object (either shape); raises pydantic's ValidationError only
    when `raw` is not a JSON object."""
    return BioToolsEntry.model_validate(raw)


def _s(value: str | None) -> str:
    return value or ""


def _ref(ref: EdamRef | None) -> dict[str, str]:
    if ref is None:
        return {"uri": "", "term": ""}
    return {"uri": _s(ref.uri), "term": _s(ref.term)}


def _io(item: FunctionIO) -> dict[str, Any]:
    return {"data": _ref(item.data), "formats": [_ref(f) for f in item.format]}


def flat_record(entry: BioToolsEntry) -> dict[str, Any]:
    """The flat, JSON-able record the registry stores for a synced bio.tools entry.

    Absent text is "", absent lists are []; EDAM references without a URI are skipped (as the
    original registry did), links without a URL too. Only standard-library values, so the result
    can go into an event payload as it is.
    """
    return {
        "biotools_id": entry.biotools_id,
        "name": entry.name,
        "description": entry.description,
        "homepage": entry.homepage,
        "version": ", ".join(entry.version[:5]),
        "license": _s(entry.license),
        "maturity": _s(entry.maturity),
        "cost": _s(entry.cost),
        "tool_type": list(entry.tool_type),
        "operating_system": list(entry.operating_system),
        "publications": [
            {
                "pmid": _s(p.pmid),
                "doi": _s(p.doi),
                "pmcid": _s(p.pmcid),
                "type": list(p.type),
                "note": _s(p.note),
            }
            for p in entry.publication
        ],
        "documentation": [{"url": _s(d.url), "type": list(d.type)} for d in entry.documentation],
        "download": [
            {"url": _s(d.url), "type": _s(d.type), "version": _s(d.version)} for d in entry.download
        ],
        "links": [{"url": lk.url, "type": list(lk.type)} for lk in entry.link if lk.url],
        "edam_topic_uris": [t.uri for t in entry.topic if t.uri],
        "functions": [
            {
                "position": position,
                "operations": [_ref(op) for op in fn.operation if op.uri],
                "inputs": [_io(i) for i in fn.input],
                "outputs": [_io(o) for o in fn.output],
                "cmd": _s(fn.cmd),
                "note": _s(fn.note),
            }
            for position, fn in enumerate(entry.function)
        ],
    }


# The keys the live API always sends, with their empty values (DRF: lists -> [], scalars -> null).
API_DEFAULTS: Mapping[str, Any] = {
    "version": [],
    "otherID": [],
    "relation": [],
    "function": [],
    "toolType": [],
    "topic": [],
    "operatingSystem": [],
    "language": [],
    "license": None,
    "collectionID": [],
    "maturity": None,
    "cost": None,
    "accessibility": None,
    "elixirPlatform": [],
    "elixirNode": [],
    "elixirCommunity": [],
    "link": [],
    "download": [],
    "documentation": [],
    "publication": [],
    "credit": [],
    "validated": 0,
    "homepage_status": 0,
    "elixir_badge": 0,
    "confidence_flag": None,
}

_NESTED_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "function": {"operation": [], "input": [], "output": [], "note": None, "cmd": None},
    "publication": {
        "doi": None,
        "pmid": None,
        "pmcid": None,
        "type": [],
        "note": None,
        "version": None,
    },
    "documentation": {"url": None, "type": [], "note": None},
    "download": {"url": None, "type": None, "note": None, "version": None},
    "link": {"url": None, "type": [], "note": None},
}


def with_api_defaults(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A content-snapshot record turned into the live-API shape: every key present, empty values
    as `[]`, `null` or `0`, also inside function, publication and link items."""
    out: dict[str, Any] = {**API_DEFAULTS, **raw}
    for key, defaults in _NESTED_DEFAULTS.items():
        items = out.get(key)
        if isinstance(items, list):
            out[key] = [
                {**defaults, **item} if isinstance(item, Mapping) else item for item in items
            ]
    functions = out.get("function")
    if isinstance(functions, list):
        for fn in functions:
            for side in ("input", "output"):
                if isinstance(fn, dict) and isinstance(fn.get(side), list):
                    fn[side] = [
                        {"format": [], **io} if isinstance(io, Mapping) else io for io in fn[side]
                    ]
    return out


_HOSTS = {"bio.tools", "www.bio.tools"}


def biotools_id_from_url(value: str) -> str | None:
    """The bio.tools ID in what a user typed, or None when there is none.

    Accepts `https://bio.tools/<id>`, `https://bio.tools/tool/<id>` (either with a trailing slash,
    query or fragment), `biotools:<id>` and a bare `<id>`. The ID keeps its case; compare IDs
    case-folded.
    """
    text = value.strip()
    if not text:
        return None
    candidate: str
    if "://" in text:
        parts = urlsplit(text)
        if (parts.hostname or "").lower() not in _HOSTS:
            return None
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["tool"] or segments[:1] == ["t"]:
            segments = segments[1:]
        if len(segments) != 1:
            return None
        candidate = segments[0]
    elif text.lower().startswith("biotools:"):
        candidate = text[len("biotools:") :]
    else:
        candidate = text
    return candidate if BIOTOOLS_ID_PATTERN.match(candidate) else None
