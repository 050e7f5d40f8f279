"""The public change history of a service, ``/catalogue/<id>/history/`` (spec/ui.md §5.5.3,
§7.5; SHOULD): what the public saw change, newest first.

Only public fields (Appendix C) and status events; it starts at the first approval. Changes made
while the service waited for review are folded into the approval that published them (the field's
value before and after that approval), so content no one approved never appears (§5.5.2); changes
to an approved service that kept its approval (exempt fields, maturity tags) appear as they
happened. People are shown by role only; status comments and key events never appear. Read from
the same history as the API's ``/history/`` (change records with display values).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.fields import FIELDS
from domain.lifecycle import STATUS_LABELS
from web.context import Context, in_read_thread
from web.ui.owner import EMPTY, diff_rows
from web.ui.render import Renderer

#: spec/ui.md Appendix C (change-log names), kept only where the field catalogue agrees.
APPENDIX_C: Final = frozenset(
    {
        "service_name", "service_description", "year_established", "service_categories",
        "is_toolbox", "toolbox_name", "user_knowledge_required", "edam_topics",
        "edam_operations", "publications_pmids", "logo", "responsible_pis", "host_institute",
        "service_center", "public_contact_email", "website_url", "terms_of_use_url", "licenses",
        "license_note", "github_url", "biotools_url", "fairsharing_url", "other_registry_url",
        "keywords_seo", "register_as_elixir", "data_access_type", "related_services", "status",
        "primary_maturity_tag", "secondary_maturity_tags",
    }
)  # fmt: skip
PUBLIC_FIELDS: Final = APPENDIX_C & {f.change_name for f in FIELDS if f.visibility == "public"}
_APPROVED: Final = {"approved", STATUS_LABELS["approved"]}
_DEPRECATED: Final = {"deprecated", STATUS_LABELS["deprecated"]}


def public_role(actor: str) -> str:
    """Appendix B's public column: "Maintainer", "Registry team", "bio.tools sync",
    "Imported"."""
    if actor.startswith("admin:"):
        return "Registry team"
    if "biotools" in actor:
        return "bio.tools sync"
    if actor.startswith("import"):
        return "Imported"
    return "Maintainer"


def public_timeline(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The public entries of a history (oldest first in, newest first out)."""
    entries: list[dict[str, Any]] = []
    pending: dict[str, dict[str, Any]] = {}
    published = False
    approved = False
    for item in items:
        changes = [c for c in item.get("changes") or [] if c.get("field") in PUBLIC_FIELDS]
        status = next((c for c in changes if c.get("field") == "status"), None)
        content = [c for c in changes if c.get("field") != "status"]
        base = {
            "version": item.get("version"),
            "role": public_role(str(item.get("changed_by", ""))),
            "at": item.get("changed_at"),
        }
        if approved and (status is None or str(status.get("new")) in _APPROVED):
            # An approved service's change that kept the approval: public as it happened.
            if content:
                entries.append({**base, "heading": "Updated", "rows": _rows(content)})
            continue
        for change in content:  # waiting for review: published (or not) by the next approval
            held = pending.setdefault(str(change["field"]), dict(change))
            held["new"] = change.get("new")
        if status is None:
            continue
        new = str(status.get("new"))
        if new in _APPROVED:
            rows = _rows([c for c in pending.values() if c.get("old") != c.get("new")])
            heading = "Update approved and published" if published else "Published"
            entries.append({**base, "heading": heading, "rows": rows if published else []})
            pending.clear()
            published = approved = True
        elif approved and new in _DEPRECATED:
            entries.append({**base, "heading": "Deprecated", "rows": []})
            approved = False
        elif approved:
            # An edit sent it back to review (or the team did): the public keeps the last
            # approved version (its content is pending above) until the next approval.
            approved = False
    return list(reversed(entries))


def _rows(changes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return diff_rows(
        [
            {**c, "old": c.get("old") or EMPTY, "new": c.get("new") or EMPTY}
            for c in sorted(changes, key=lambda c: str(c.get("label", "")))
        ]
    )


class PublicHistoryPages:
    """``GET /catalogue/<id>/history/`` over the app's read port."""

    def __init__(self, ctx: Context, renderer: Renderer) -> None:
        self.ctx = ctx
        self.renderer = renderer

    def routes(self) -> list[BaseRoute]:
        """The public history route (with the catalogue only)."""
        if not self.ctx.settings.feature_catalogue:
            return []
        return [Route("/catalogue/{service_id}/history/", self.history, methods=["GET", "HEAD"])]

    async def history(self, request: Request) -> Response:
        """404 for a service the public never saw, 410 once erased (as its page)."""
        try:
            sid = uuid.UUID(request.path_params["service_id"])
        except ValueError:
            raise HTTPException(404) from None
        item = await in_read_thread(lambda: self.ctx.read.catalogue_service(sid))
        if item is None or item["visibility"] == "hidden":
            raise HTTPException(404)
        if item["visibility"] == "erased":
            raise HTTPException(410, "This service has been removed from the registry.")
        items = await in_read_thread(lambda: self.ctx.read.history(sid))
        return self.renderer.page(
            request,
            "owner/public_history.html",
            {"section": "catalogue", "item": item, "entries": public_timeline(items)},
        )
