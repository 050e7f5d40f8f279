"""The submission detail in the admin console (spec/ui.md §5.7.4): overview with the status
panel, what changed since the last approval (§9 item 2), maturity tags, the record with per-field
provenance (§9 item 3), the bio.tools record and recent history; the as-of view; keys; erase with
typed confirmation (§9 item 12); edit with the conflict page (§9 item 9).

Roles (§3.4): Viewer reads; Editor changes status, tags, content and keys; Manager erases. Every
action checks its role itself (``AdminAccess.require``), whatever the page showed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RegistryError,
    StaleVersion,
    ValidationFailed,
)
from domain.field_types import Field
from domain.lifecycle import (
    PRIMARY_TAG_LABELS,
    SECONDARY_TAG_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
)
from web.context import in_read_thread
from web.endpoints.erasure import ERASURE_PROJECTIONS
from web.endpoints.lifecycle import KEY_PROJECTIONS
from web.endpoints.submissions import write_submission
from web.ports import Doc, Recorded
from web.ui.admin.access import Admin, Role
from web.ui.admin.pages import AdminPages, gated
from web.ui.errors import error_page
from web.ui.versions import (
    RECORD_FIELDS,
    actor_badge,
    compare,
    display_text,
    entry_rows,
    heading,
    record_sections,
    status_label,
    type_group,
)

BASE: Final = "/admin/submissions/{id}/"
#: The events that move a submission's ``updated_at`` (the title bar's "updated … by …").
_UPDATES: Final = frozenset(
    {
        "Submission.Registered",
        "Submission.Imported",
        "Submission.Amended",
        "Submission.RelatedServicesChanged",
        "Submission.StatusChanged",
        "Submission.MaturityTagsAssigned",
    }
)
COMMENT_MAX: Final = 2000

#: The status panel's buttons, in order: (target, label).
ACTIONS: Final = (
    ("approved", "Approve"),
    ("rejected", "Reject"),
    ("under_review", "Mark under review"),
    ("deprecated", "Deprecate"),
    ("submitted", "Undeprecate"),
)


def allowed_targets(status: str) -> list[tuple[str, str]]:
    """The status buttons decision 1 allows from ``status`` (admins)."""
    return [(t, label) for t, label in ACTIONS if status in TRANSITIONS[t][0] and t != status]


def parse_id(raw: str) -> uuid.UUID | None:
    """The path's submission id (None when it is not one)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def parse_instant(raw: str) -> dt.datetime | None:
    """An RFC 3339 instant (or ``datetime-local`` value, taken as UTC); None when invalid."""
    text = raw.strip().replace("Z", "+00:00").replace(" ", "T")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _first(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _problem(exc: ValidationFailed) -> str:
    """Every message of a failed validation, for a page's problem line."""
    return "; ".join(m for ms in exc.errors.values() for m in ms)


def _version(form: FormData) -> int | None:
    raw = _first(form, "version")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


# -- the edit form's values ----------------------------------------------------------------------

#: The fields an admin edits (the record's, minus computed ones).
EDIT_FIELDS: Final[tuple[Field, ...]] = tuple(
    f for f in RECORD_FIELDS if f.computed is None and f.kind != "file"
)


def form_text(f: Field, raw: Any) -> str:
    """A raw value as the edit form shows it (lists one item per line)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else ""
    if isinstance(raw, list):
        return "\n".join(str(v) for v in raw)
    return str(raw)


def posted_value(f: Field, form: FormData) -> Any:
    """A posted field as the domain takes it (lists split on lines and commas)."""
    if f.kind == "bool":
        return _first(form, f.name) == "true"
    text = _first(form, f.name)
    if f.is_list:
        items = [part.strip() for line in text.splitlines() for part in line.split(",")]
        values: list[Any] = [i for i in items if i]
        if f.kind == "list_int":
            values = [int(v) if v.isdigit() else v for v in values]
        return values
    text = text.strip()
    if f.kind == "int":
        return int(text) if text.lstrip("-").isdigit() else (text or None)
    if f.kind in ("ref", "date", "file") or f.choices:
        return text or None
    return text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if a in (None, "", []) and b in (None, "", []):
        return True
    return bool(a == b) or str(a) == str(b)


def edits_of(base: Mapping[str, Any], form: FormData) -> dict[str, Any]:
    """The fields whose posted value differs from the raw document the form started from."""
    out: dict[str, Any] = {}
    for f in EDIT_FIELDS:
        if f.name not in form and f.kind != "bool":
            continue
        value = posted_value(f, form)
        if not _same(value, base.get(f.name)):
            out[f.name] = value
    return out


def _tags_text(tags: list[str]) -> str:
    """``Mature (Unstable)``: the primary tag with the secondary ones in brackets."""
    primary, *secondary = tags
    rest = ", ".join(t for t in secondary if t)
    if primary and rest:
        return f"{primary} ({rest})"
    return primary or rest


class DetailPages(AdminPages):
    """Overview, as-of view, status, maturity, keys, erase and edit of one submission."""

    def routes(self) -> list[BaseRoute]:
        """The detail routes under ``/admin/submissions/<id>/``."""
        return [
            Route(BASE, self.overview, methods=["GET", "HEAD"]),
            Route(BASE + "status", self.status, methods=["POST"]),
            Route(BASE + "maturity", self.maturity, methods=["POST"]),
            Route(BASE + "keys", self.keys, methods=["GET", "HEAD"]),
            Route(BASE + "keys/issue", self.issue_key, methods=["POST"]),
            Route(BASE + "keys/reset", self.reset_keys, methods=["GET", "POST"]),
            Route(BASE + "keys/{key_id}/revoke", self.revoke_key, methods=["GET", "POST"]),
            Route(BASE + "erase", self.erase, methods=["GET", "POST"]),
            Route(BASE + "edit", self.edit, methods=["GET", "POST"]),
        ]

    async def _timeline(self, sid: uuid.UUID) -> list[Doc]:
        found = await self.ctx.call(self.ctx.read.submission_timeline, sid)
        return found or []

    # -- loading -----------------------------------------------------------------------------

    async def _gate(
        self, request: Request, role: Role, *, erased_ok: bool = False
    ) -> tuple[Admin, uuid.UUID, Doc] | Response:
        """The admin (at least ``role``), the id and the live document; else the answer (the
        sign-in redirect, 403, 404, or 410 for an erased submission). ``erased_ok``: an erased
        submission's last document from its timeline instead (personal values erased, marked
        ``erased``), for the history pages: its history stays (decision 9)."""
        admin = await self.access.require(request, role)
        if isinstance(admin, Response):
            return admin
        sid = parse_id(request.path_params["id"])
        if sid is None:
            return error_page(self.renderer, request, 404)
        doc = await self.ctx.call(self.ctx.read.submission, sid)
        if doc is None:
            gone = await self.ctx.call(self.ctx.read.erased, sid)
            if gone and erased_ok:
                steps = await self._timeline(sid)
                last = next((e["doc"] for e in reversed(steps) if e["doc"] is not None), None)
                if last is not None:
                    served = await self.ctx.call(
                        self.ctx.read.submission_version, sid, last["version"]
                    )
                    if served is not None:
                        return admin, sid, {**served, "erased": True, "updated_by": ""}
            if gone:
                return error_page(
                    self.renderer, request, 410, "This submission was erased. Its history stays."
                )
            return error_page(self.renderer, request, 404)
        entries = await self._timeline(sid)
        by = next((e["changed_by"] for e in reversed(entries) if e["type"] in _UPDATES), "")
        return admin, sid, {**doc, "updated_by": actor_badge(str(by)) if by else ""}

    def _header(self, doc: Mapping[str, Any], tab: str) -> dict[str, Any]:
        return {
            "doc": doc,
            "sid": doc["id"],
            "tab": tab,
            "section": "submissions",
            "status_text": status_label(doc.get("status")),
            "maturity_text": PRIMARY_TAG_LABELS.get(str(doc.get("primary_maturity_tag")), ""),
            "secondary_text": ", ".join(
                SECONDARY_TAG_LABELS.get(t, t) for t in doc.get("secondary_maturity_tags") or []
            ),
        }

    # -- overview ------------------------------------------------------------------------------

    @gated(_gate, Role.VIEWER)
    async def overview(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The overview (Viewer); ``?as_of=<RFC 3339>`` shows the record as it was then."""
        as_of = request.query_params.get("as_of")
        if as_of is not None:
            return await self._as_of(request, admin, sid, doc, as_of)
        return await self._overview(request, admin, sid, doc)

    async def _overview(
        self,
        request: Request,
        admin: Admin,
        sid: uuid.UUID,
        doc: Doc,
        *,
        status: int = 200,
        problem: str = "",
        comment: str = "",
    ) -> Response:
        read = self.ctx.read

        def load() -> dict[str, Any]:
            entries = read.submission_timeline(sid) or []
            provenance = read.field_provenance(sid) or {}
            since: Any = None
            approved = read.last_approved_version(sid)
            if approved is not None and doc.get("status") in ("submitted", "under_review"):
                found = read.compare_versions(sid, approved, int(doc["version"]))
                since = compare(found) if found is not None else None
            recent = list(reversed(entries[-5:]))
            return {"entries": recent, "provenance": provenance, "since": since}

        loaded = await in_read_thread(load)
        status_now = str(doc.get("status"))
        tags = [
            PRIMARY_TAG_LABELS.get(str(doc.get("primary_maturity_tag")), ""),
            *(SECONDARY_TAG_LABELS.get(t, t) for t in doc.get("secondary_maturity_tags") or []),
        ]
        context = {
            **self._header(doc, "overview"),
            "admin": admin,
            "targets": allowed_targets(status_now) if admin.may(Role.EDITOR) else [],
            "clears_tags": status_now == "approved" and any(tags),
            "tags_text": _tags_text(tags),
            "sections": record_sections(doc, loaded["provenance"]),
            "since": loaded["since"],
            "recent": [self._entry(e, sid) for e in loaded["entries"]],
            "primary_options": [("", "None"), *PRIMARY_TAG_LABELS.items()],
            "secondary_options": list(SECONDARY_TAG_LABELS.items()),
            "problem": problem,
            "comment": comment,
            "comment_max": COMMENT_MAX,
            "biotools": doc.get("biotoolsrecord"),
            "can_sync": self.access.biotools_refresh is not None and admin.may(Role.EDITOR),
        }
        return await self.render(
            request, admin, "admin/detail/overview.html", context, status=status
        )

    def _entry(self, entry: Mapping[str, Any], sid: uuid.UUID | str) -> dict[str, Any]:
        """A timeline entry as the timeline component shows it."""
        return {
            **entry,
            "heading": heading(entry),
            "badge": actor_badge(str(entry["changed_by"])),
            "group": type_group(str(entry["type"])),
            "rows": entry_rows(entry),
            "imported": entry["type"] == "Submission.HistoryImported",
            "sid": str(sid),
        }

    async def _as_of(
        self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc, raw: str
    ) -> Response:
        moment = parse_instant(raw)
        if moment is None:
            return error_page(
                self.renderer,
                request,
                400,
                "The time in as_of is not valid. Use a date and time such as 2026-03-04T14:05Z.",
            )
        then = await self.ctx.call(self.ctx.read.submission_as_of, sid, moment)
        if then is None:
            return error_page(
                self.renderer, request, 404, "The submission did not exist at that time."
            )
        return await self.version_page(request, admin, sid, doc, then, as_of=moment)

    async def version_page(
        self,
        request: Request,
        admin: Admin,
        sid: uuid.UUID,
        current: Doc,
        then: Doc,
        *,
        as_of: dt.datetime | None = None,
    ) -> Response:
        """The record as it was (version ``then["version"]``), without any action control."""
        version = int(then["version"])
        provenance = await self.ctx.call(self.ctx.read.field_provenance, sid, version)
        context = {
            **self._header(current, "history"),
            "then": then,
            "version": version,
            "latest": int(current["version"]),
            "as_of": as_of,
            "sections": record_sections(then, provenance),
        }
        return await self.render(request, admin, "admin/detail/version.html", context)

    # -- status and maturity ---------------------------------------------------------------------

    @gated(_gate, Role.EDITOR)
    async def status(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """Change the status (Editor): 303 with a banner; 409 for a transition the lifecycle
        does not allow or a stale version; 422 for a message too long."""
        form = await request.form()
        target = _first(form, "status")
        comment = _first(form, "comment").strip()
        current = str(doc.get("status"))
        refuse = functools.partial(self._overview, request, admin, sid, doc, comment=comment)
        if target not in STATUS_LABELS:
            return await refuse(status=422, problem="Choose a status.")
        if len(comment) > COMMENT_MAX:
            problem = f"The message must be at most {COMMENT_MAX:,} characters."
            return await refuse(status=422, problem=problem)
        command = self.status_command(admin, sid, target, comment, _version(form))
        refused = await self._write(
            command,
            sid,
            refuse,
            {
                (InvalidTransition, PermissionDenied): (
                    "This status change is not allowed: "
                    f"{status_label(current)} → {status_label(target)}."
                ),
                StaleVersion: (
                    "This submission was changed since you opened the page, so the status was "
                    "not changed. Review the current version below and try again."
                ),
            },
        )
        if refused is not None:
            return refused
        banner = f"Status changed to {status_label(target)}."
        if current == "approved" and (
            doc.get("primary_maturity_tag") or doc.get("secondary_maturity_tags")
        ):
            banner += " Maturity tags were cleared."
        return await self.back(request, admin, f"/admin/submissions/{sid}/", banner)

    @gated(_gate, Role.EDITOR)
    async def maturity(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """Set the maturity tags of an approved service (Editor); 409 when not approved."""
        form = await request.form()
        refuse = functools.partial(self._overview, request, admin, sid, doc, status=409)
        if doc.get("status") != "approved":
            return await refuse(problem="Maturity tags can only be set on approved services.")
        primary = _first(form, "primary") or None
        secondary = [v for v in form.getlist("secondary") if isinstance(v, str)]
        command = self.maturity_command(admin, sid, primary, secondary, _version(form))
        stale = "This submission was changed meanwhile; the tags were not set."
        refused = await self._write(command, sid, refuse, {(Conflict, StaleVersion): stale})
        if refused is not None:
            return refused
        return await self.back(request, admin, f"/admin/submissions/{sid}/", "Maturity tags saved.")

    async def _write(
        self,
        command: Callable[[], Recorded],
        sid: uuid.UUID,
        refuse: Callable[..., Awaitable[Response]],
        conflicts: Mapping[type[RegistryError] | tuple[type[RegistryError], ...], str],
    ) -> Response | None:
        """Carry out ``command`` (None when done); else ``refuse`` it: 422 with the validation
        messages, or 409 with the text ``conflicts`` gives for the error raised."""
        try:
            await write_submission(self.ctx, command, lambda _: sid)
        except ValidationFailed as exc:
            return await refuse(status=422, problem=_problem(exc))
        except RegistryError as exc:
            text = next((t for kinds, t in conflicts.items() if isinstance(exc, kinds)), None)
            if text is None:
                raise
            return await refuse(status=409, problem=text)
        return None

    # -- keys -------------------------------------------------------------------------------------

    @gated(_gate, Role.VIEWER)
    async def keys(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The keys table (Viewer); the actions for Editors."""
        listed = await self.ctx.call(self.ctx.read.keys_of, sid)
        today = dt.datetime.now(dt.UTC).date().isoformat()
        context = {
            **self._header(doc, "keys"),
            "keys": listed,
            "default_label": f"Admin key {today} by {admin.username}",
        }
        return await self.render(request, admin, "admin/detail/keys.html", context)

    async def _one_time(self, request: Request, admin: Admin, doc: Doc, key: str) -> Response:
        context = {**self._header(doc, "keys"), "api_key": key}
        return await self.render(
            request,
            admin,
            "admin/detail/key_issued.html",
            context,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    @gated(_gate, Role.EDITOR)
    async def issue_key(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """Issue a key (Editor); the plaintext shown once on a no-store page."""
        form = await request.form()
        today = dt.datetime.now(dt.UTC).date().isoformat()
        label = _first(form, "label").strip() or f"Admin key {today} by {admin.username}"
        scope = _first(form, "scope") or "write"
        if scope not in ("write", "read") or len(label) > 100:
            return error_page(
                self.renderer,
                request,
                422,
                "Choose read-write or read-only and a label of at most 100 characters.",
            )
        issue = functools.partial(self.ctx.registry.issue_key, sid, label, scope, actor=admin.actor)
        try:
            written = await self.ctx.write(issue, KEY_PROJECTIONS, lambda done: done)
        except ValidationFailed as exc:
            problem = f"The key was not issued: {_problem(exc)}"
            return error_page(self.renderer, request, 422, problem)
        return await self._one_time(request, admin, doc, written.result.api_key)

    async def _confirm_key(
        self, request: Request, admin: Admin, doc: Doc, **values: Any
    ) -> Response:
        context = {**self._header(doc, "keys"), **values}
        return await self.render(request, admin, "admin/detail/key_confirm.html", context)

    @gated(_gate, Role.EDITOR)
    async def reset_keys(
        self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc
    ) -> Response:
        """Confirm (GET), then revoke every key and issue one write key (Editor)."""
        if request.method == "GET":
            return await self._confirm_key(request, admin, doc, action="reset")
        reset = functools.partial(self.ctx.registry.reset_keys, sid, actor=admin.actor)
        written = await self.ctx.write(reset, KEY_PROJECTIONS, lambda done: done)
        return await self._one_time(request, admin, doc, written.result.api_key)

    @gated(_gate, Role.EDITOR)
    async def revoke_key(
        self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc
    ) -> Response:
        """Confirm (GET), then revoke one key (Editor)."""
        key_id = parse_id(request.path_params["key_id"])
        listed = await self.ctx.call(self.ctx.read.keys_of, sid)
        key = next((k for k in listed if str(k.get("id")) == str(key_id)), None)
        if key_id is None or key is None:
            return error_page(self.renderer, request, 404)
        if request.method == "GET":
            return await self._confirm_key(request, admin, doc, action="revoke", key=key)
        revoke = functools.partial(self.ctx.registry.revoke_key, sid, key_id, actor=admin.actor)
        with contextlib.suppress(Conflict, NotFound):  # already revoked: the table says so
            await self.ctx.write(revoke, KEY_PROJECTIONS, lambda done: done)
        return await self.back(
            request, admin, f"/admin/submissions/{sid}/keys", f"Key '{key['label']}' revoked."
        )

    # -- erase ------------------------------------------------------------------------------------

    @gated(_gate, Role.MANAGER)
    async def erase(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The confirmation page (GET) and the erasure (POST, Manager): the service name typed
        exactly, else 422."""
        context: dict[str, Any] = {**self._header(doc, "overview"), "error": "", "reason": ""}
        if request.method == "GET":
            return await self.render(request, admin, "admin/detail/erase.html", context)
        form = await request.form()
        name = str(doc.get("service_name") or "")
        reason = _first(form, "reason").strip()
        if _first(form, "confirm_name").strip() != name.strip():
            context.update(error="Type the service name exactly to confirm.", reason=reason)
            return await self.render(request, admin, "admin/detail/erase.html", context, status=422)
        command = functools.partial(
            self.ctx.registry.erase_submission, sid, actor=admin.actor, reason=reason[:2000]
        )
        try:
            await self.ctx.write(command, ERASURE_PROJECTIONS, lambda done: done)
        except ValidationFailed as exc:
            context.update(error=_problem(exc), reason=reason)
            return await self.render(request, admin, "admin/detail/erase.html", context, status=422)
        return await self.back(request, admin, "/admin/submissions/", f"{name} was erased.")

    # -- edit with conflict handling ---------------------------------------------------------------

    def _edit_rows(
        self,
        values: Mapping[str, Any],
        errors: Mapping[str, str],
        flagged: frozenset[str] = frozenset(),
    ) -> list[dict[str, Any]]:
        return [
            {
                "name": f.name,
                "label": f.label,
                "section": f.section,
                "kind": f.kind,
                "list": f.is_list,
                "long": f.kind == "text" and (f.max_length or 0) > 300,
                "value": form_text(f, values.get(f.name)),
                "error": errors.get(f.name, ""),
                "both": f.name in flagged,
                "choices": [(c.value, c.label) for c in f.choices],
                "hint": "One per line (ids, accessions or SPDX ids)." if f.is_list else f.help,
            }
            for f in EDIT_FIELDS
        ]

    @gated(_gate, Role.EDITOR)
    async def edit(self, request: Request, admin: Admin, sid: uuid.UUID, doc: Doc) -> Response:
        """The edit form (GET) and saving it (POST, Editor): a stale version answers the
        conflict page (409) and saves nothing."""
        version = int(doc["version"])
        if request.method == "GET":
            entries = await self._timeline(sid)
            raw: Mapping[str, Any] = next(
                (e["doc"] for e in reversed(entries) if e["doc"] is not None), {}
            )
            version = int(raw.get("version", version))
            context = {
                **self._header(doc, "edit"),
                "rows": self._edit_rows(raw, {}),
                "base_version": version,
                "form_version": version,
                "errors": [],
            }
            return await self.render(request, admin, "admin/detail/edit.html", context)
        form = await request.form()
        base_version = _version(form)
        if base_version is None:
            return error_page(self.renderer, request, 400, "The form has no version.")
        entries = await self._timeline(sid)
        base = next(
            (e["doc"] for e in reversed(entries) if e["version"] <= base_version and e["doc"]),
            None,
        )
        latest = next((e["doc"] for e in reversed(entries) if e["doc"] is not None), None)
        if base is None or latest is None:
            return error_page(self.renderer, request, 404)
        mine = edits_of(base, form)
        if int(latest["version"]) != base_version:
            return await self._conflict(request, admin, sid, doc, base_version, base, latest, mine)
        if not mine:
            return await self.back(
                request,
                admin,
                f"/admin/submissions/{sid}/",
                "Saved — no field values were changed.",
            )
        command = functools.partial(
            self.ctx.registry.amend_submission,
            sid,
            mine,
            actor=admin.actor,
            by_admin=True,
            expected_version=int(latest["version"]),
        )
        try:
            written = await write_submission(self.ctx, command, lambda _: sid)
        except StaleVersion:
            entries = await self._timeline(sid)
            latest = next((e["doc"] for e in reversed(entries) if e["doc"] is not None), latest)
            return await self._conflict(request, admin, sid, doc, base_version, base, latest, mine)
        except ValidationFailed as exc:
            errors = {k: "; ".join(v) for k, v in exc.errors.items()}
            values = {**latest, **mine}
            context = {
                **self._header(doc, "edit"),
                "rows": self._edit_rows(values, errors),
                "base_version": base_version,
                "form_version": base_version,
                "errors": [(k, m, f"id_{k}") for k, m in errors.items() if k != "non_field_errors"]
                + [("", m, "") for k, m in errors.items() if k == "non_field_errors"],
            }
            return await self.render(request, admin, "admin/detail/edit.html", context, status=422)
        after = written.doc or {}
        changed = [
            f"{f.label}: {display_text(f, doc.get(f.served_as)) or '(empty)'} → "
            f"{display_text(f, after.get(f.served_as)) or '(empty)'}"
            for f in EDIT_FIELDS
            if f.name in mine
        ]
        banner = f"{len(changed)} field{'s' if len(changed) != 1 else ''} changed: " + "; ".join(
            changed
        )
        return await self.back(request, admin, f"/admin/submissions/{sid}/", banner)

    async def _conflict(
        self,
        request: Request,
        admin: Admin,
        sid: uuid.UUID,
        doc: Doc,
        base_version: int,
        base: Mapping[str, Any],
        latest: Mapping[str, Any],
        mine: Mapping[str, Any],
    ) -> Response:
        """409: what others changed since ``base_version``, what you changed, where both did;
        the form again with the latest values plus your non-conflicting changes."""
        latest_version = int(latest["version"])
        read = self.ctx.read

        def load() -> dict[str, Any]:
            found = read.compare_versions(sid, base_version, latest_version)
            entries = read.submission_timeline(sid) or []
            between = [e for e in entries if base_version < e["version"] <= latest_version]
            served_base = read.submission_version(sid, base_version) or {}
            return {"theirs": found, "between": between, "served_base": served_base}

        loaded = await in_read_thread(load)
        theirs = loaded["theirs"]
        their_fields = set(theirs["fields"]) if theirs else set()
        both = frozenset(name for name in mine if name in their_fields)
        yours = [
            {
                "label": f.label,
                "before": form_text(f, base.get(f.name)),
                "after": form_text(f, mine[f.name]),
                "both": f.name in both,
            }
            for f in EDIT_FIELDS
            if f.name in mine
        ]
        values = {**latest, **{k: v for k, v in mine.items() if k not in both}}
        actors = sorted({actor_badge(str(e["changed_by"])) for e in loaded["between"]})
        context = {
            **self._header(doc, "edit"),
            "theirs": compare(theirs) if theirs else None,
            "actors": actors,
            "last_at": loaded["between"][-1]["changed_at"] if loaded["between"] else None,
            "steps": [self._entry(e, sid) for e in loaded["between"]],
            "yours": yours,
            "both": [f.label for f in EDIT_FIELDS if f.name in both],
            "rows": self._edit_rows(values, {}, both),
            "base_version": base_version,
            "latest_version": latest_version,
            "form_version": latest_version,
        }
        return await self.render(request, admin, "admin/detail/conflict.html", context, status=409)
