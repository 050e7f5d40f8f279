"""The registry-wide activity timeline ``/admin/activity/`` (spec/ui.md §5.7.6): the change
feed newest first with filters, "Load newer" (an htmx fragment prepended; a plain link without
JavaScript), opt-in auto-refresh, and "Mark all as seen" (this admin's cursor, which the
dashboard's "New since your last visit" counts from)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape as _escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web.context import in_read_thread
from web.ui.admin.access import Role
from web.ui.admin.feed import SHOWN, TYPE_LABELS, FeedParams
from web.ui.admin.pages import AdminPages


def escape(text: str) -> str:
    """XML text and attribute escaping (quotes included)."""
    return _escape(text, {'"': "&quot;"})


class ActivityPages(AdminPages):
    """The timeline and "mark all as seen"."""

    def routes(self) -> list[BaseRoute]:
        """``/admin/activity/`` and ``/admin/activity/seen``."""
        return [
            Route("/admin/activity/", self.activity, methods=["GET", "HEAD"]),
            Route("/admin/activity/seen", self.seen, methods=["POST"]),
            Route("/admin/activity/feed.atom", self.atom, methods=["GET", "HEAD"]),
        ]

    async def atom(self, request: Request) -> Response:
        """The timeline's 50 newest entries (with the page's filters) as an Atom feed, for
        feed readers in the same browser (the admin session authenticates it)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        params = FeedParams.parse(request.query_params)

        def run() -> list[Any]:
            entries: list[Any] = self.ctx.read.admin_activity(params.filters(), SHOWN)["entries"]
            return entries

        entries = await in_read_thread(run)
        base = self.ctx.base_url(request).rstrip("/")
        updated = entries[0]["changed_at"] if entries else "1970-01-01T00:00:00+00:00"
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f"<title>{escape(self.renderer.site.name)}: registry activity</title>",
            f"<id>{escape(base)}/admin/activity/</id>",
            f'<link rel="alternate" href="{escape(base)}/admin/activity/"/>',
            f"<updated>{escape(str(updated))}</updated>",
        ]
        for e in entries:
            what = TYPE_LABELS.get(str(e["type"]), str(e["type"]))
            name = e.get("service_name") or str(e["id"])
            lines = "; ".join(
                f"{c.get('label') or c.get('field')}: {c.get('old')} → {c.get('new')}"
                for c in (e.get("changes") or [])[:8]
            )
            parts += [
                "<entry>",
                f"<title>{escape(what)}: {escape(name)}</title>",
                f"<id>{escape(base)}/admin/activity/#entry-{e['position']}</id>",
                f'<link href="{escape(base)}/admin/submissions/{escape(str(e["id"]))}/"/>',
                f"<updated>{escape(str(e['changed_at']))}</updated>",
                f"<author><name>{escape(str(e.get('changed_by') or 'unknown'))}</name></author>",
                f"<summary>{escape(lines)}</summary>",
                "</entry>",
            ]
        parts.append("</feed>")
        return Response(
            "\n".join(parts),
            media_type="application/atom+xml; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )

    async def activity(self, request: Request) -> Response:
        """The timeline (Viewer); with ``HX-Request`` and ``after`` only the newer entries."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        params = FeedParams.parse(request.query_params)
        fragment = request.headers.get("hx-request") == "true" and bool(params.after)

        def run() -> dict[str, Any]:
            cursor = self.access.cursor(admin.subject)
            found = self.ctx.read.admin_activity(
                params.filters(), None if fragment else SHOWN, cursor
            )
            return {**found, "top": max(found["top"], params.after), "cursor": cursor}

        data = await in_read_thread(run)
        context = {
            **data,
            "section": "activity",
            "params": params,
            "type_labels": TYPE_LABELS,
            "cursors": self.access.cursors_enabled,
        }
        template = "admin/activity/_newer.html" if fragment else "admin/activity/page.html"
        return await self.render(request, admin, template, context)

    async def seen(self, request: Request) -> Response:
        """Store the feed's top position as seen by this admin (key or account)."""
        admin = await self.access.require(request, Role.VIEWER)
        if isinstance(admin, Response):
            return admin
        form = await request.form()
        top = str(form.get("top", ""))
        if not top.isdigit() or len(top) > 18:
            return await self.back(request, admin, "/admin/activity/", "Nothing to mark.")

        def run() -> None:
            self.access.mark_seen(admin.subject, int(top))

        await in_read_thread(run)
        return await self.back(
            request, admin, "/admin/activity/", "Every change up to now is marked as seen."
        )
