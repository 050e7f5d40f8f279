"""The admin submissions list, bulk actions and exports (spec/ui.md §5.7.3, §9 item 11).

- ``GET /admin/submissions/`` (Viewer): filters with counts, search, sort, page sizes, selection
  on the page or of every matching submission.
- ``POST /admin/submissions/bulk`` (Viewer for exports, Editor for the rest): first the
  confirmation page saying which submissions the lifecycle will change and which it skips and
  why; ``confirm=1`` carries it out, one event per submission, and answers ``303`` to the list
  with the banner "N submissions marked as <Label>. M skipped."
- ``GET /admin/submissions/export.csv|json`` (Viewer): the original's columns, in its order,
  with the new fields appended.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import RegistryError
from domain.fields import DATA_ACCESS_TYPES
from domain.lifecycle import (
    PRIMARY_TAG_LABELS,
    SECONDARY_TAG_LABELS,
    STATUS_LABELS,
    check_transition,
)
from web.context import in_read_thread
from web.endpoints.submissions import SUBMISSION_PROJECTIONS
from web.ui.admin.access import Admin, Role
from web.ui.admin.listing import (
    FACET_LEGENDS,
    PAGE_SIZES,
    SORTS,
    SYNC_LABELS,
    ListParams,
    export_names,
    export_row,
)
from web.ui.admin.pages import AdminPages
from web.ui.catalogue import filter_chips
from web.ui.errors import error_page

#: Bulk action -> (target status or None, label of the button's result, role needed).
ACTIONS: Final[dict[str, tuple[str | None, str, Role]]] = {
    "approve": ("approved", "Approve", Role.EDITOR),
    "reject": ("rejected", "Reject", Role.EDITOR),
    "review": ("under_review", "Mark as Under Review", Role.EDITOR),
    "deprecate": ("deprecated", "Deprecate", Role.EDITOR),
    "undeprecate": ("submitted", "Undeprecate (back to Submitted)", Role.EDITOR),
    "assign_maturity": (None, "Assign maturity tags", Role.EDITOR),
    "export_csv": (None, "Export as CSV", Role.VIEWER),
    "export_json": (None, "Export as JSON", Role.VIEWER),
}
LIST_PAGE: Final = "/admin/submissions/"


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def plan(
    docs: Sequence[Mapping[str, Any]], action: str
) -> tuple[list[Mapping[str, Any]], list[tuple[Mapping[str, Any], str]]]:
    """Which submissions ``action`` changes and which it skips, with the reason (the domain's
    lifecycle decides: decisions.md item 1)."""
    target = ACTIONS[action][0]
    change: list[Mapping[str, Any]] = []
    skip: list[tuple[Mapping[str, Any], str]] = []
    for doc in docs:
        current = str(doc.get("status"))
        if action == "assign_maturity":
            if current == "approved":
                change.append(doc)
            else:
                skip.append(
                    (
                        doc,
                        f"not Approved ({_status_label(current)}): maturity tags are for"
                        " approved services only",
                    )
                )
            continue
        assert target is not None
        if current == target:
            skip.append((doc, f"already {_status_label(target)}"))
            continue
        try:
            check_transition(current, target, by_admin=True)
        except RegistryError:
            skip.append((doc, f"not allowed from {_status_label(current)}"))
            continue
        change.append(doc)
    return change, skip


class SubmissionListPages(AdminPages):
    """The list, the bulk actions and the exports."""

    def routes(self) -> list[BaseRoute]:
        """List, bulk, exports."""
        return [
            Route(LIST_PAGE, self.listing, methods=["GET", "HEAD"]),
            Route(LIST_PAGE + "bulk", self.bulk, methods=["POST"]),
            Route(LIST_PAGE + "export.csv", self.export_csv, methods=["GET", "HEAD"]),
            Route(LIST_PAGE + "export.json", self.export_json, methods=["GET", "HEAD"]),
        ]

    # -- reading --------------------------------------------------------------------------

    async def listing(self, request: Request) -> Response:
        """The list page (Viewer)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        params = ListParams.parse(request.query_params)

        def run() -> dict[str, Any]:
            return self.ctx.read.admin_submissions(params.criteria(), params.page, params.page_size)

        data = await in_read_thread(run)
        effective = replace(params, page=data["page"])
        return await self.render(
            request,
            admin,
            "admin/submissions/list.html",
            {
                **data,
                "section": "submissions",
                "params": effective,
                "facet_groups": _facet_groups(effective, data["facets"], data["labels"]),
                "chips": _chips(effective, data["labels"]),
                "sorts": SORTS,
                "page_sizes": PAGE_SIZES,
                "actions": {k: v[1] for k, v in ACTIONS.items() if admin.may(v[2])},
                "status_labels": STATUS_LABELS,
                "maturity_labels": PRIMARY_TAG_LABELS,
                "secondary_labels": SECONDARY_TAG_LABELS,
                "sync_labels": SYNC_LABELS,
            },
        )

    # -- bulk -------------------------------------------------------------------------------

    async def bulk(self, request: Request) -> Response:
        """Confirm (first POST) or carry out (``confirm=1``) a bulk action, or export the
        selection."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        form = await request.form()
        action = str(form.get("action", ""))
        if action not in ACTIONS:
            return error_page(
                self.renderer, request, 400, "Choose an action from the list (field action)."
            )
        needed = ACTIONS[action][2]
        if not admin.may(needed):
            return error_page(
                self.renderer,
                request,
                403,
                f"This needs the {needed.label} role; you are signed in as {admin.role.label}.",
            )
        query = str(form.get("query", ""))
        ids = [str(v) for v in form.getlist("ids")]
        every = form.get("scope") == "all"

        def selected() -> Sequence[Mapping[str, Any]]:
            if every:
                return self.ctx.read.admin_documents(
                    ListParams.parse(QueryParams(query)).criteria()
                )
            return self.ctx.read.admin_documents({"ids": ids})

        docs = await in_read_thread(selected)
        if not docs:
            return await self.back(
                request, admin, LIST_PAGE + _q(query), "Select at least one submission first."
            )
        if action in ("export_csv", "export_json"):
            return self._export(request, docs, "csv" if action == "export_csv" else "json")
        if form.get("confirm") != "1":
            change, skip = plan(docs, action)
            return await self.render(
                request,
                admin,
                "admin/submissions/confirm.html",
                {
                    "section": "submissions",
                    "action": action,
                    "action_label": ACTIONS[action][1],
                    "change": change,
                    "skip": skip,
                    "query": query,
                    "status_labels": STATUS_LABELS,
                    "maturity_labels": PRIMARY_TAG_LABELS,
                    "secondary_labels": SECONDARY_TAG_LABELS,
                    "errors": {},
                },
            )
        return await self._apply(request, admin, action, docs, form, query)

    async def _apply(
        self,
        request: Request,
        admin: Admin,
        action: str,
        docs: Sequence[Mapping[str, Any]],
        form: Any,
        query: str,
    ) -> Response:
        change, skip = plan(docs, action)
        comment = " ".join(str(form.get("comment", "")).split("\n")).strip()[:2000]
        primary = str(form.get("primary_maturity_tag", "")) or None
        secondary = [str(v) for v in form.getlist("secondary_maturity_tags")]
        if action == "assign_maturity" and (
            (primary is not None and primary not in PRIMARY_TAG_LABELS)
            or any(s not in SECONDARY_TAG_LABELS for s in secondary)
        ):
            return error_page(
                self.renderer,
                request,
                400,
                "Choose a listed maturity tag (fields primary_maturity_tag,"
                " secondary_maturity_tags).",
            )
        target = ACTIONS[action][0]
        done = 0
        reasons = [reason for _, reason in skip]
        for doc in change:
            sid = uuid.UUID(str(doc["id"]))
            if action == "assign_maturity":
                command = self.maturity_command(admin, sid, primary, secondary, None)
            else:
                assert target is not None
                command = self.status_command(admin, sid, target, comment, None)
            try:
                await self.ctx.write(command, SUBMISSION_PROJECTIONS, lambda r: r, retry=sid)
            except RegistryError as exc:
                reasons.append(f"{doc.get('service_name')}: {exc}")
                continue
            done += 1
        skipped = len(docs) - done
        if action == "assign_maturity":
            banner = (
                f"Maturity tags assigned to {done} approved submission{'s' if done != 1 else ''}."
            )
        else:
            assert target is not None
            banner = (
                f"{done} submission{'s' if done != 1 else ''} marked as {_status_label(target)}."
            )
        if skipped:
            banner += f" {skipped} skipped: " + "; ".join(sorted(set(reasons))) + "."
        return await self.back(request, admin, LIST_PAGE + _q(query), banner)

    # -- exports ----------------------------------------------------------------------------

    async def export_csv(self, request: Request) -> Response:
        """Every submission the filters keep, as ``submissions.csv`` (Viewer)."""
        return await self._export_filtered(request, "csv")

    async def export_json(self, request: Request) -> Response:
        """Every submission the filters keep, as ``submissions.json`` (Viewer)."""
        return await self._export_filtered(request, "json")

    async def _export_filtered(self, request: Request, kind: str) -> Response:
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        params = ListParams.parse(request.query_params)
        raw = request.query_params.get("as_of", "").strip()
        at: dt.datetime | None = None
        if raw:
            try:
                at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                return error_page(
                    self.renderer,
                    request,
                    400,
                    "as_of: enter an instant as RFC 3339, e.g. 2025-12-31T23:59:59Z.",
                )
            if at.tzinfo is None:
                at = at.replace(tzinfo=dt.UTC)

        def run() -> Sequence[Mapping[str, Any]]:
            # §9 item 5: with ``at``, each submission as it was then, filtered as it was.
            return self.ctx.read.admin_documents(params.criteria(), at)

        docs = await in_read_thread(run)
        return self._export(request, docs, kind)

    def _export(self, request: Request, docs: Sequence[Mapping[str, Any]], kind: str) -> Response:
        base = self.ctx.base_url(request)
        headers = {
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="submissions.{kind}"',
        }
        if kind == "json":
            rows = [export_row(d, base, nested=True) for d in docs]
            return Response(
                json.dumps(rows, ensure_ascii=False, indent=2, default=str),
                media_type="application/json",
                headers=headers,
            )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(export_names()), lineterminator="\n")
        writer.writeheader()
        for doc in docs:
            writer.writerow(export_row(doc, base, nested=False))
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


def _q(query: str) -> str:
    return f"?{query}" if query else ""


def _label(facet: str, value: str, labels: Mapping[str, Mapping[str, str]]) -> str:
    if facet == "status":
        return _status_label(value)
    if facet == "maturity":
        return PRIMARY_TAG_LABELS.get(value, "No maturity tag")
    if facet == "elixir":
        return "ELIXIR-DE services" if value == "1" else "Not ELIXIR"
    if facet == "access":
        return DATA_ACCESS_TYPES.get(value, value)
    if facet == "biotools_sync":
        return SYNC_LABELS.get(value, value)
    return labels.get(facet, {}).get(value, value)


def _facet_groups(
    p: ListParams,
    facets: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    groups = []
    multiple = ("status", "center", "category", "pi")
    for facet, counts in facets.items():
        chosen = getattr(p, facet)
        chosen_set = set(chosen) if isinstance(chosen, tuple) else ({chosen} if chosen else set())
        values = dict(counts)
        for value in chosen_set:
            values.setdefault(value, 0)
        options: list[dict[str, Any]] = [
            {
                "value": value,
                "label": _label(facet, value, labels),
                "count": count,
                "checked": value in chosen_set,
                "id": f"f-{facet}-{value}",
            }
            for value, count in values.items()
        ]
        options.sort(key=lambda o: (not o["checked"], -o["count"], str(o["label"]).lower()))
        if options:
            groups.append(
                {
                    "name": facet,
                    "legend": FACET_LEGENDS[facet],
                    "multiple": facet in multiple,
                    "options": options,
                    "open": bool(chosen_set) or facet == "status",
                }
            )
    return groups


def _chips(p: ListParams, labels: Mapping[str, Mapping[str, str]]) -> list[dict[str, str]]:
    chips = filter_chips(
        p,
        ("status", "center", "category", "pi"),
        FACET_LEGENDS,
        lambda facet, value: _label(facet, value, labels),
    )
    for facet in ("maturity", "elixir", "access", "biotools_sync"):
        value = getattr(p, facet)
        if value:
            chips.append(
                {
                    "facet": FACET_LEGENDS[facet],
                    "value": _label(facet, value, labels),
                    "href": p.without(facet),
                }
            )
    if p.changed_since_approval:
        chips.append(
            {
                "facet": "Changes",
                "value": "Changed since last approval",
                "href": p.without("changed_since_approval"),
            }
        )
    for name, text in (("submitted_from", "Submitted from"), ("submitted_to", "Submitted until")):
        if getattr(p, name):
            chips.append({"facet": text, "value": getattr(p, name), "href": p.without(name)})
    return chips
