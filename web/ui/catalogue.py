"""The catalogue's query parameters (spec/ui.md §5.5): parsed leniently (an invalid value falls
back to its default, as the original did), and written back as the canonical URL, which omits
defaults, so every state of the page has one URL (pushed by htmx, bookmarkable)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from domain.fields import DATA_ACCESS_TYPES
from domain.lifecycle import PRIMARY_TAG_LABELS

PAGE_SIZE: Final = 12
MAX_QUERY: Final = 200
MAX_VALUES: Final = 50

SORT_LABELS: Final = {
    "relevance": "Best match",
    "name_asc": "Name (A to Z)",
    "name_desc": "Name (Z to A)",
    "updated_desc": "Recently updated",
    "updated_asc": "Least recently updated",
    "added_desc": "Recently added",
    "added_asc": "Oldest first",
}
GROUP_LABELS: Final = {
    "": "No grouping",
    "category": "Category",
    "service_center": "Service centre",
    "pi": "Principal investigator",
}
FACET_LABELS: Final = {
    "category": "Category",
    "center": "Service centre",
    "edam": "EDAM term",
    "license": "Licence",
}

_EDAM = re.compile(r"^(topic|operation|data|format)_\d{4,}$")
_SPDX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
_VALID: dict[str, Callable[[str], bool]] = {
    "category": lambda v: v.isascii() and v.isdigit() and len(v) < 10,
    "center": lambda v: _is_uuid(v),
    "edam": lambda v: bool(_EDAM.match(v)),
    "license": lambda v: bool(_SPDX.match(v)),
}


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _values(params: QueryParams, name: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in params.getlist(name):
        value = raw.strip().lower() if name == "center" else raw.strip()
        if _VALID[name](value):
            seen.setdefault(value, None)
    return tuple(seen)[:MAX_VALUES]


@dataclass(frozen=True)
class CatalogueParams:
    """One state of the catalogue page."""

    q: str = ""
    category: tuple[str, ...] = ()
    center: tuple[str, ...] = ()
    edam: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    maturity: str = ""
    access: str = ""
    elixir: bool = False
    include_deprecated: bool = False
    sort: str = ""
    group_by: str = ""
    view: str = "grid"
    page: int = 1

    @classmethod
    def parse(cls, params: QueryParams) -> CatalogueParams:
        """The state a query string asks for; invalid values are dropped silently."""
        page = params.get("page", "1").strip()
        sort = params.get("sort", "")
        q = " ".join(params.get("q", "").split())[:MAX_QUERY]
        return cls(
            q=q,
            category=_values(params, "category"),
            center=_values(params, "center"),
            edam=_values(params, "edam"),
            license=_values(params, "license"),
            maturity=_choice(params.get("maturity"), PRIMARY_TAG_LABELS),
            access=_choice(params.get("access"), DATA_ACCESS_TYPES),
            elixir=params.get("elixir") == "1",
            include_deprecated=params.get("include_deprecated") == "1",
            sort=sort
            if sort in SORT_LABELS and sort != _default_sort(q) and (sort != "relevance" or q)
            else "",
            group_by=_choice(params.get("group_by"), GROUP_LABELS),
            view="list" if params.get("view") == "list" else "grid",
            page=max(1, int(page)) if page.isascii() and page.isdigit() and len(page) < 7 else 1,
        )

    @property
    def default_sort(self) -> str:
        """The sort when none is chosen: best match while searching, else name A to Z."""
        return _default_sort(self.q)

    @property
    def effective_sort(self) -> str:
        """The sort in force: ``relevance`` by default while searching, else name A to Z."""
        return self.sort or _default_sort(self.q)

    @property
    def filtered(self) -> bool:
        """Whether a search or a filter narrows the list."""
        return bool(
            self.q
            or self.category
            or self.center
            or self.edam
            or self.license
            or self.maturity
            or self.access
            or self.elixir
        )

    def criteria(self) -> dict[str, Any]:
        """What the read port's ``catalogue_search`` takes."""
        return {
            "q": self.q,
            "category": list(self.category),
            "center": list(self.center),
            "edam": list(self.edam),
            "license": list(self.license),
            "maturity": self.maturity,
            "access": self.access,
            "elixir": self.elixir,
            "include_deprecated": self.include_deprecated,
            "sort": self.effective_sort,
            "group_by": self.group_by,
            "page": self.page,
            "page_size": PAGE_SIZE,
        }

    def pairs(self) -> list[tuple[str, str]]:
        """The canonical query pairs (defaults left out)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in ("category", "center", "edam", "license"):
            out.extend((name, v) for v in getattr(self, name))
        for name in ("maturity", "access", "sort", "group_by"):
            if getattr(self, name):
                out.append((name, getattr(self, name)))
        if self.elixir:
            out.append(("elixir", "1"))
        if self.include_deprecated:
            out.append(("include_deprecated", "1"))
        if self.view != "grid":
            out.append(("view", self.view))
        if self.page > 1:
            out.append(("page", str(self.page)))
        return out

    def query(self) -> str:
        """The canonical query string, with its ``?`` (empty for the defaults)."""
        pairs = self.pairs()
        return "?" + urlencode(pairs) if pairs else ""

    def url(self, **changes: Any) -> str:
        """The canonical ``/catalogue/`` URL of this state with ``changes`` (the page resets
        unless given)."""
        changes.setdefault("page", 1)
        return "/catalogue/" + replace(self, **changes).query()

    def without(self, name: str, value: str | None = None) -> str:
        """The URL without one filter value (``value`` None: the whole filter)."""
        current = getattr(self, name)
        if isinstance(current, tuple):
            return self.url(**{name: tuple(v for v in current if v != value)})
        return self.url(**{name: type(current)()})

    def cleared(self) -> str:
        """The URL with no search and no filter (sort, grouping and view kept)."""
        return self.url(
            q="",
            category=(),
            center=(),
            edam=(),
            license=(),
            maturity="",
            access="",
            elixir=False,
            include_deprecated=False,
        )


def _default_sort(q: str) -> str:
    return "relevance" if q else "name_asc"


def _choice(value: str | None, allowed: Any) -> str:
    return value if value and value in allowed else ""


class Filtered(Protocol):
    """A list page's parameters: the search and the URL without one filter (value)."""

    @property
    def q(self) -> str:
        """The search words."""

    def without(self, name: str, value: str = ...) -> str:
        """The URL without the filter ``name`` (only ``value`` of a multi-valued one)."""


def filter_chips(
    params: Filtered,
    facets: Iterable[str],
    legends: Mapping[str, str],
    label: Callable[[str, str], str],
) -> list[dict[str, str]]:
    """The "remove this filter" chips of the search and of every chosen value of the
    multi-valued ``facets`` (the catalogue's and the admin list's)."""
    chips = []
    if params.q:
        chips.append({"facet": "Search", "value": f"“{params.q}”", "href": params.without("q")})
    for facet in facets:
        for value in getattr(params, facet):
            chips.append(
                {
                    "facet": legends[facet],
                    "value": label(facet, value),
                    "href": params.without(facet, value),
                }
            )
    return chips
