"""Reference data in the admin console (spec/ui.md §5.7.5): categories, service centres and PIs
with create, edit, deactivate and reactivate (Manager; Viewer reads), usage counts, and each
record's own history from its events; read-only EDAM and SPDX licence browsers."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import NotFound, ValidationFailed
from domain.reference_rules import BOOL_FIELDS, PLAIN_FIELDS, REQUIRED_FIELDS, TEXT_FIELDS
from web.context import in_read_thread
from web.ports import Doc, Recorded
from web.ui.admin.access import Admin, Role
from web.ui.admin.pages import AdminPages, gated, requires
from web.ui.errors import error_page
from web.ui.versions import actor_badge, entry_rows

ROOT: Final = "/admin/reference/"


@dataclass(frozen=True)
class Kind:
    """One kind of reference record as the pages show it."""

    slug: str  # the URL part
    kind: str  # the domain's name
    title: str
    noun: str
    projection: str
    list_filter: str  # the admin submissions list's filter parameter (web.ui.admin.listing)


KINDS: Final[dict[str, Kind]] = {
    "categories": Kind(
        "categories", "category", "Categories", "category", "categories", "category"
    ),
    "centres": Kind(
        "centres", "centre", "Service centres", "service centre", "service_centres",
        "center",
    ),
    "pis": Kind("pis", "pi", "PIs", "PI", "pis", "pi"),
}  # fmt: skip

LABELS: Final[dict[str, str]] = {
    "name": "Name",
    "short_name": "Short name",
    "full_name": "Full name",
    "website": "Website",
    "ror_id": "ROR id",
    "last_name": "Last name",
    "first_name": "First name",
    "institute": "Institute",
    "email": "E-mail",
    "orcid": "ORCID",
    "is_associated_partner": "Associated partner",
}
HINTS: Final[dict[str, str]] = {
    "orcid": "For example 0000-0002-1825-0097 (the checksum is checked).",
    "ror_id": "For example https://ror.org/02nv7yv05.",
}


def form_fields(kind: str) -> list[str]:
    """The editable fields of a kind, in form order."""
    return [*TEXT_FIELDS[kind], *PLAIN_FIELDS[kind], *BOOL_FIELDS[kind]]


def display_name(kind: str, record: Mapping[str, Any]) -> str:
    """How a record is named in lists and headings."""
    if kind == "pi":
        return str(
            record.get("display_name") or f"{record.get('last_name')}, {record.get('first_name')}"
        )
    if kind == "centre":
        return f"{record.get('short_name')} — {record.get('full_name')}"
    return str(record.get("name"))


class ReferencePages(AdminPages):
    """The reference data pages."""

    def routes(self) -> list[BaseRoute]:
        """Everything under ``/admin/reference/``."""
        return [
            Route(ROOT, self.index, methods=["GET", "HEAD"]),
            Route(ROOT + "edam/", self.edam, methods=["GET", "HEAD"]),
            Route(ROOT + "licenses/", self.licenses, methods=["GET", "HEAD"]),
            Route(ROOT + "{slug}/", self.listing, methods=["GET", "HEAD"]),
            Route(ROOT + "{slug}/new", self.create, methods=["GET", "POST"]),
            Route(ROOT + "{slug}/{rid}/edit", self.edit, methods=["GET", "POST"]),
            Route(ROOT + "{slug}/{rid}/deactivate", self.deactivate, methods=["GET", "POST"]),
            Route(ROOT + "{slug}/{rid}/reactivate", self.reactivate, methods=["GET", "POST"]),
            Route(ROOT + "{slug}/{rid}/history", self.history, methods=["GET", "HEAD"]),
        ]

    async def _admin(self, request: Request, role: Role) -> tuple[Admin, Kind] | Response:
        admin = await self.access.require(request, role)
        if isinstance(admin, Response):
            return admin
        found = KINDS.get(request.path_params.get("slug", ""))
        if found is None:
            return error_page(self.renderer, request, 404)
        return admin, found

    async def _one(self, request: Request, role: Role) -> tuple[Admin, Kind, Doc] | Response:
        found = await self._admin(request, role)
        if isinstance(found, Response):
            return found
        record = await self.ctx.call(self._record, found[1], request.path_params["rid"])
        if record is None:
            return error_page(self.renderer, request, 404)
        return (*found, record)

    def _records(self, kind: Kind, active: bool | None) -> list[Doc]:
        read = self.ctx.read
        if kind.kind == "category":
            return read.categories(active)
        if kind.kind == "centre":
            return read.service_centres(active)
        return read.pis(active)

    def _record(self, kind: Kind, rid: str) -> Doc | None:
        read = self.ctx.read
        try:
            if kind.kind == "category":
                return read.category(int(rid)) if rid.isdigit() and len(rid) < 12 else None
            parsed = uuid.UUID(rid)
        except ValueError:
            return None
        return read.service_centre(parsed) if kind.kind == "centre" else read.pi(parsed)

    def _base(self, kind: Kind) -> dict[str, Any]:
        return {"section": "reference", "kind": kind, "kinds": KINDS}

    @requires(Role.VIEWER)
    async def index(self, request: Request, admin: Admin) -> Response:
        """The reference data overview (Viewer)."""
        context = {"section": "reference", "kinds": KINDS}
        return await self.render(request, admin, "admin/reference/index.html", context)

    @gated(_admin, Role.VIEWER)
    async def listing(self, request: Request, admin: Admin, kind: Kind) -> Response:
        """A kind's records with search, the active filter and usage counts (Viewer)."""
        state = request.query_params.get("state", "")
        q = request.query_params.get("q", "").strip()
        active = {"active": True, "inactive": False}.get(state)

        def load() -> tuple[list[Doc], dict[str, int]]:
            return self._records(kind, active), self.ctx.read.reference_usage(kind.kind)

        records, usage = await in_read_thread(load)
        rows = [
            {**r, "display": display_name(kind.kind, r), "usage": usage.get(str(r["id"]), 0)}
            for r in records
        ]
        if q:
            folded = q.casefold()
            rows = [r for r in rows if folded in r["display"].casefold()]
        context = {**self._base(kind), "rows": rows, "q": q, "state": state}
        return await self.render(request, admin, "admin/reference/list.html", context)

    def _form_rows(
        self, kind: Kind, values: Mapping[str, Any], errors: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "label": LABELS.get(name, name),
                "value": values.get(name),
                "bool": name in BOOL_FIELDS[kind.kind],
                "required": name in REQUIRED_FIELDS[kind.kind],
                "error": errors.get(name, ""),
                "hint": HINTS.get(name, ""),
            }
            for name in form_fields(kind.kind)
        ]

    async def _posted(self, request: Request, kind: Kind) -> dict[str, Any]:
        form = await request.form()
        data: dict[str, Any] = {}
        for name in form_fields(kind.kind):
            if name in BOOL_FIELDS[kind.kind]:
                data[name] = form.get(name) == "true"
            else:
                value = form.get(name)
                data[name] = value.strip() if isinstance(value, str) else ""
        return data

    async def _form_page(
        self,
        request: Request,
        admin: Admin,
        kind: Kind,
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        record: Doc | None,
        status: int = 200,
    ) -> Response:
        context = {
            **self._base(kind),
            "rows": self._form_rows(kind, values, errors),
            "errors": [(k, v, f"id_{k}") for k, v in errors.items() if k in form_fields(kind.kind)]
            + [("", v, "") for k, v in errors.items() if k not in form_fields(kind.kind)],
            "record": record,
            "display": display_name(kind.kind, record) if record else "",
        }
        return await self.render(
            request, admin, "admin/reference/form.html", context, status=status
        )

    @gated(_admin, Role.MANAGER)
    async def create(self, request: Request, admin: Admin, kind: Kind) -> Response:
        """The create form (GET) and creating (POST, Manager); 422 with inline errors."""
        if request.method == "GET":
            return await self._form_page(request, admin, kind, {}, {}, None)
        data = await self._posted(request, kind)
        registry = self.ctx.registry
        command = {
            "category": registry.create_category,
            "centre": registry.create_centre,
            "pi": registry.create_pi,
        }[kind.kind]
        done = f"{display_name(kind.kind, data)} was created."
        create = functools.partial(command, data, actor=admin.actor)
        return await self._save(request, admin, kind, create, data, None, done)

    async def _save(
        self,
        request: Request,
        admin: Admin,
        kind: Kind,
        command: Callable[[], Recorded],
        data: Mapping[str, Any],
        record: Doc | None,
        banner: str,
    ) -> Response:
        """Carry out a create or an edit: back to the list with ``banner``, else the form again
        with the errors (422)."""
        try:
            await self.ctx.write(command, (kind.projection,), lambda done: done)
        except ValidationFailed as exc:
            errors = {k: "; ".join(v) for k, v in exc.errors.items()}
            return await self._form_page(request, admin, kind, data, errors, record, status=422)
        return await self.back(request, admin, ROOT + kind.slug + "/", banner)

    @gated(_one, Role.MANAGER)
    async def edit(self, request: Request, admin: Admin, kind: Kind, record: Doc) -> Response:
        """The edit form (GET) and saving (POST, Manager)."""
        if request.method == "GET":
            return await self._form_page(request, admin, kind, record, {}, record)
        data = await self._posted(request, kind)
        command = functools.partial(
            self.ctx.registry.update_reference, kind.kind, record["id"], data, actor=admin.actor
        )
        done = f"{display_name(kind.kind, {**record, **data})} was saved."
        return await self._save(request, admin, kind, command, data, record, done)

    @gated(_one, Role.MANAGER)
    async def deactivate(self, request: Request, admin: Admin, kind: Kind, record: Doc) -> Response:
        """Confirm (GET) and deactivate (POST, Manager)."""
        return await self._set_active(request, admin, kind, record, False)

    @gated(_one, Role.MANAGER)
    async def reactivate(self, request: Request, admin: Admin, kind: Kind, record: Doc) -> Response:
        """Confirm (GET) and reactivate (POST, Manager)."""
        return await self._set_active(request, admin, kind, record, True)

    async def _set_active(
        self, request: Request, admin: Admin, kind: Kind, record: Doc, active: bool
    ) -> Response:
        name = display_name(kind.kind, record)
        if request.method == "GET":
            usage = await self.ctx.call(self.ctx.read.reference_usage, kind.kind)
            context = {
                **self._base(kind),
                "record": record,
                "display": name,
                "active": active,
                "usage": usage.get(str(record["id"]), 0),
            }
            return await self.render(request, admin, "admin/reference/confirm.html", context)
        command = functools.partial(
            self.ctx.registry.set_reference_active,
            kind.kind,
            record["id"],
            active,
            actor=admin.actor,
        )
        try:
            await self.ctx.write(command, (kind.projection,), lambda done: done)
        except NotFound:
            return error_page(self.renderer, request, 404)
        verb = "reactivated" if active else "deactivated"
        return await self.back(request, admin, ROOT + kind.slug + "/", f"{name} was {verb}.")

    @gated(_one, Role.VIEWER)
    async def history(self, request: Request, admin: Admin, kind: Kind, record: Doc) -> Response:
        """The record's own timeline (Viewer)."""
        rid = request.path_params["rid"]
        steps = await self.ctx.call(self.ctx.read.reference_history, kind.kind, rid)
        if steps is None:
            return error_page(self.renderer, request, 404)
        entries = [
            {
                **s,
                "heading": {
                    "Created": "Created",
                    "Updated": "Edited",
                    "Deactivated": "Deactivated",
                    "Reactivated": "Reactivated",
                }.get(str(s["type"]), str(s["type"])),
                "badge": actor_badge(str(s["changed_by"])),
                "rows": entry_rows(
                    {
                        "changes": [
                            {**c, "label": LABELS.get(str(c.get("field")), c.get("label"))}
                            for c in s["changes"]
                        ]
                    }
                ),
            }
            for s in reversed(steps)
        ]
        context = {
            **self._base(kind),
            "record": record,
            "display": display_name(kind.kind, record),
            "entries": entries,
        }
        return await self.render(request, admin, "admin/reference/history.html", context)

    @requires(Role.VIEWER)
    async def edam(self, request: Request, admin: Admin) -> Response:
        """EDAM terms: search over labels, synonyms and accessions; branch filter (Viewer)."""
        q = request.query_params.get("q", "").strip()
        branch = request.query_params.get("branch", "")
        if branch not in ("", "topic", "operation"):
            branch = ""
        terms = await self.ctx.call(self.ctx.read.edam_terms, branch or None, q or None, 200)
        context = {"section": "reference", "kinds": KINDS, "terms": terms, "q": q, "branch": branch}
        return await self.render(request, admin, "admin/reference/edam.html", context)

    @requires(Role.VIEWER)
    async def licenses(self, request: Request, admin: Admin) -> Response:
        """SPDX licences: search; filters deprecated and OSI approved (Viewer)."""
        q = request.query_params.get("q", "").strip()
        osi = request.query_params.get("osi", "")
        deprecated = request.query_params.get("deprecated", "")
        found = await self.ctx.call(self.ctx.read.licenses, q or None)
        if osi in ("yes", "no"):
            found = [x for x in found if bool(x.get("is_osi_approved")) == (osi == "yes")]
        if deprecated in ("yes", "no"):
            found = [x for x in found if bool(x.get("is_deprecated")) == (deprecated == "yes")]
        context = {
            "section": "reference",
            "kinds": KINDS,
            "licenses": found,
            "q": q,
            "osi": osi,
            "deprecated": deprecated,
        }
        return await self.render(request, admin, "admin/reference/licenses.html", context)
