"""Forms: the pages' field names and the API's wire names (spec/ui.md §5.3, Appendix A), and
domain validation errors mapped onto form fields for the error summary (§4 "Forms").

The registration and update forms (the next issue) build on this: a posted form is read into
the API's wire names (:func:`to_wire`), the domain validates it, and its messages come back,
verbatim, under the form's names (:func:`summary_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from web.context import Context
from web.media.logo import LogoRejected, process_logo
from web.ui.csrf import Csrf
from web.ui.render import Renderer
from web.ui.session import Sessions

#: Form name (the original's) -> API wire name, where they differ.
WIRE_NAMES: Final = {
    "service_categories": "service_category_ids",
    "responsible_pis": "responsible_pi_ids",
    "service_center": "service_center_id",
    "edam_topics": "edam_topic_ids",
    "edam_operations": "edam_operation_ids",
    "related_services": "related_service_ids",
    "kpi_start_year": "kpi_since",
}
FORM_NAMES: Final = {wire: form for form, wire in WIRE_NAMES.items() if form != "kpi_start_year"}

#: Fields whose values are lists: every submitted value is split on commas and united.
LIST_FIELDS: Final = frozenset(
    {
        "service_category_ids",
        "responsible_pi_ids",
        "edam_topic_ids",
        "edam_operation_ids",
        "related_service_ids",
        "licenses",
    }
)

#: Where an error summary link of a field without its own input points (§4).
TARGETS: Final = {"licenses": "id_licenses-input"}


def wire_name(name: str) -> str:
    """The API's name of a form field (form names and wire names both accepted)."""
    return WIRE_NAMES.get(name, name)


def form_name(wire: str) -> str:
    """The form's name of an API field."""
    return FORM_NAMES.get(wire, wire)


def to_wire(pairs: Iterable[tuple[str, str]], fields: Iterable[str]) -> dict[str, object]:
    """The posted ``(name, value)`` pairs of the form fields ``fields`` (wire names) under
    their wire names: list fields as the union of every comma-separated value, others the last
    value given. Unknown names are ignored."""
    wanted = set(fields)
    out: dict[str, object] = {}
    for name, value in pairs:
        wire = wire_name(name)
        if wire not in wanted:
            continue
        if wire in LIST_FIELDS:
            items = out.setdefault(wire, [])
            assert isinstance(items, list)
            for part in value.split(","):
                part = part.strip()
                if part and part not in items:
                    items.append(part)
        else:
            out[wire] = value
    return out


def summary_errors(
    errors: Mapping[str, Sequence[str]], order: Sequence[str] = ()
) -> list[tuple[str, str, str]]:
    """``(form name, message, link target)`` per message, in form order (``order``: wire
    names), for the error summary macro; ``non_field_errors`` come first as plain text."""
    rank = {name: i for i, name in enumerate(order)}
    out: list[tuple[str, str, str]] = []
    for wire in sorted(errors, key=lambda n: (n != "non_field_errors", rank.get(n, len(rank)))):
        for message in errors[wire]:
            if wire == "non_field_errors":
                out.append(("", message, ""))
            else:
                name = form_name(wire)
                out.append((name, message, TARGETS.get(wire, f"id_{name}")))
    return out


@dataclass(eq=False)
class FormPages:
    """Base of the page groups whose forms carry a session and a CSRF token (registration,
    owner's update)."""

    ctx: Context
    renderer: Renderer
    sessions: Sessions
    csrf: Csrf

    def form_page(
        self, request: Request, template: str, context: Mapping[str, Any], status: int = 200
    ) -> Response:
        """A private page whose form carries a CSRF token without a session (``csrf_token``),
        setting the CSRF cookie when it is new."""
        token, cookie = self.csrf.token(request, None)
        values = {**context, "csrf_token": token}
        response = self.renderer.page(request, template, values, status=status, private=True)
        if cookie:
            self.csrf.set_cookie(request, response, cookie)
        return response


async def checked_logo(
    ctx: Context, content: bytes, errors: dict[str, list[str]], *, save: bool
) -> str | None:
    """An uploaded logo checked (``process_logo``) and, with ``save`` and no ``errors`` so far,
    stored: its media path, or ``logos/chosen.<ext>`` when it is not stored (nothing is stored
    before the save itself); None when it is rejected (the reason added to ``errors``)."""
    try:
        logo = await ctx.call(process_logo, content, ctx.settings.logo_max_bytes)
    except LogoRejected as exc:
        errors.setdefault("logo", []).append(str(exc))
        return None
    if not save or errors:
        return f"logos/chosen.{logo.extension}"
    return await ctx.call(ctx.media.save, "logos", logo.extension, logo.content)
