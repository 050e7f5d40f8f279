"""The owner's update flow (spec/ui.md §5.6, §3.5, §8): sign in with the submission key at
``/update/``, see and edit the registration, learn before saving whether the edit keeps the
approval (§9 item 1: the domain's reset rule asked in advance, nothing recorded), the success
page with the diff, the owner's own history, deprecation with a confirmation step, read-only
pages for a read-scope key and the session timeout warning (WCAG 2.2.1).

The pages call the same domain commands as ``PATCH /api/v1/submissions/{id}/`` with the same
actor (``api:<key label>``) and read the same ports; they add no rule of their own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from domain import keys as keylib
from domain.errors import (
    ConcurrentModification,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from domain.fields import BY_NAME, CONSENT_FIELD, change_name, form_sections
from domain.lifecycle import STATUS_LABELS
from domain.parsing import parse_input
from web.auth import Principal
from web.context import in_read_thread, logo_url
from web.endpoints.submissions import write_submission
from web.errors import ApiError
from web.ports import AmendmentPreview, OwnedSubmission, OwnerPort
from web.ui.csrf import EXPIRED_MESSAGE
from web.ui.errors import error_page
from web.ui.form_fields import FormOptions, FormSection
from web.ui.form_fields import form_sections as form_views
from web.ui.forms import FormPages, checked_logo, summary_errors, to_wire
from web.ui.register import LOGO_AGAIN, UNKNOWN_EDAM, resolve_edam
from web.ui.session import Session
from web.ui.versions import word_diff

# -- texts (spec/ui.md §3.5, §5.6, §8; [ORIG] ones word for word) ---------------------------------

KEY_REQUIRED: Final = "API key is required."
KEY_FORMAT: Final = "Invalid API key format."
KEY_INVALID: Final = "Invalid API key. Please check and try again."
READ_ONLY: Final = "This key can view but not change the registration."
UPDATED: Final = "Your service registration has been updated successfully."
STALE: Final = (
    "Someone else changed this registration after you opened it. Nothing of yours was saved: "
    "check their changes below; the form now holds the current version with your changes."
)

#: Banners (§8): fixed texts only. A signed-in owner's are kept in the session and shown once
#: (consumed on the next page); the two an owner without a session sees come as ``?m=``.
QUERY_BANNERS: Final = frozenset({"expired", "signedout"})
BANNERS: Final = {
    "expired": ("Your session has expired. Please enter your API key again.", "alert"),
    "deprecated": ("Your service has been marked as deprecated.", "status"),
    "signedout": ("You have signed out.", "status"),
    "nochange": ("No changes were made.", "status"),
    "readonly": (READ_ONLY, "alert"),
    "undone": ("Your changes were undone.", "status"),
    "notundone": (
        "These changes can no longer be undone: they are older than 10 minutes or the"
        " registration changed since.",
        "alert",
    ),
}

#: How long the success page offers "Undo these changes" (§5.6, §9 item 10).
UNDO_SECONDS: Final = 600

KEY_MIN, KEY_MAX = 20, 200
#: Fields one edit form may post (the form has ~60; pickers post one per chip).
MAX_FIELDS: Final = 1000
RATE_CLASS: Final = "ui_update"

#: Actor badges of the owner's pages (spec/ui.md Appendix B): by role, never another person's
#: name (an admin's username stays on the admin pages).
_ROLES: Final = (
    ("admin:", "Registry team"),
    ("worker:biotools", "bio.tools sync"),
    ("biotools", "bio.tools sync"),
    ("import", "Imported"),
    ("recovery", "Key recovery"),
    ("submitter", "You (web form)"),
)

#: How the change records write an empty value (shown as "(empty)", never a bare dash).
EMPTY: Final = "—"
LONG_TEXT: Final = 120


def role_of(actor: str) -> str:
    """An actor string as the owner's badge (Appendix B), e.g. ``admin:alice`` -> "Registry
    team", ``api:Initial key`` -> "You (API key 'Initial key')"."""
    if actor.startswith("api:"):
        return f"You (API key '{actor[4:]}')"
    for prefix, role in _ROLES:
        if actor.startswith(prefix):
            return role
    return "System"


def diff_rows(changes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The table rows of a change list: short values before and after, long text as one
    word-diff cell (the history pages' ``word_diff``)."""
    rows = []
    for change in changes:
        old, new = (str(change.get(k) or "") for k in ("old", "new"))
        old, new = ("" if v == EMPTY else v for v in (old, new))
        row: dict[str, Any] = {"label": change.get("label") or change.get("field"), "old": old}
        row["new"] = new
        row["long"] = max(len(old), len(new)) > LONG_TEXT
        if row["long"]:
            row["diff"] = word_diff(old, new)
        rows.append(row)
    return rows


def impact_text(preview: AmendmentPreview | None) -> tuple[str, str]:
    """What saving will do, in words, and its kind (``keep``, ``reset``, ``none``, ``other``)."""
    if preview is None or not preview.changes:
        return "You have not changed anything yet: saving now would record nothing.", "none"
    if preview.status_reset:
        fields = ", ".join(preview.review_fields)
        return (
            f"Saving will send your service back for review because you changed: {fields}.",
            "reset",
        )
    changed = ", ".join(preview.free_fields or [c["label"] for c in preview.changes])
    if preview.status == "approved":
        return (
            "Saving will keep your service approved: you changed only fields that do not need"
            f" review ({changed}).",
            "keep",
        )
    label = STATUS_LABELS.get(preview.status, preview.status)
    return f"Your service is {label}: saving records your changes ({changed}).", "other"


#: The form's fields (wire names) an owner may change: the registration form without consent.
def _edit_fields() -> list[Any]:
    return [
        f
        for section in form_sections()
        for f in section.fields
        if f.name != CONSENT_FIELD and f.kind != "file"
    ]


EDIT_FIELDS: Final = tuple(f.name for f in _edit_fields())
_KINDS: Final = {f.name: f.kind for f in _edit_fields()}


def edit_updates(form: FormData, current: Mapping[str, Any]) -> dict[str, object]:
    """The posted edit form as the domain's input (wire names): booleans from their radios,
    an empty number left out when it was empty before (the form cannot send "no value")."""
    pairs = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    wire = to_wire(pairs, EDIT_FIELDS)
    out: dict[str, object] = {}
    for name, value in wire.items():
        kind = _KINDS.get(name)
        if kind == "bool" and isinstance(value, str):
            out[name] = value.strip().lower() in ("true", "yes", "on", "1")
        elif kind in ("int", "ref", "date") and value == "":
            if current.get(name) not in (None, ""):
                out[name] = None
        else:
            out[name] = value
    return out


def posted_values(form: FormData) -> dict[str, Any]:
    """A posted form as the form's view models read it (several values of one name as a
    list)."""
    out: dict[str, Any] = {}
    for name in form:
        values = [v for v in form.getlist(name) if isinstance(v, str)]
        out[name] = values if len(values) > 1 else (values[0] if values else "")
    return out


@dataclass(frozen=True)
class Owner:
    """The signed-in owner: the session, its key and the submission now."""

    session: Session
    key_id: str
    label: str
    scope: str
    submission: OwnedSubmission
    csrf_token: str
    flash: str = ""
    """The banner left by the previous request (consumed: shown once)."""

    @property
    def can_write(self) -> bool:
        """Whether the key may change the registration."""
        return self.scope == "write"

    @property
    def actor(self) -> str:
        """What events record: the API's actor of the same key (``api:<label>``)."""
        return Principal(
            "submission", self.key_id, self.label, self.scope, self.submission.id
        ).actor


@dataclass(eq=False)
class OwnerPages(FormPages):
    """``/update/…`` over the app's context, session store and the domain's owner calls."""

    domain: OwnerPort

    def routes(self) -> list[BaseRoute]:
        """The update flow's routes."""
        return [
            Route("/update/", self.sign_in, methods=["GET", "HEAD", "POST"]),
            Route("/update/signout", self.sign_out, methods=["POST"]),
            Route("/update/edit/", self.edit, methods=["GET", "HEAD", "POST"]),
            Route("/update/edit/impact", self.impact, methods=["POST"]),
            Route("/update/deprecate/", self.deprecate, methods=["GET", "HEAD"]),
            Route("/update/history/", self.history, methods=["GET", "HEAD"]),
            Route("/update/success/", self.success, methods=["GET", "HEAD"]),
            Route("/update/undo", self.undo, methods=["POST"]),
        ]

    # -- sign-in ------------------------------------------------------------------------------

    async def sign_in(self, request: Request) -> Response:
        """``GET``: the key form. ``POST``: check the key (§3.5 messages, throttled per client
        address), start an owner session with a new token, ``303`` to the edit page."""
        if request.method != "POST":
            owner = await self._owner(request, extend=False)
            return self._sign_in_page(request, owner=owner)
        form = await _read_form(request)
        if not self.csrf.passes(request, None, _text(form, "csrf_token")):
            return self._sign_in_page(request, errors=[("", EXPIRED_MESSAGE, "")], status=403)
        ip = self.ctx.client_ip(request) or "unknown"
        # In a worker thread: the limiter's store may be remote (Redis, PostgreSQL).
        try:
            await in_read_thread(lambda: self.ctx.limiter.check(RATE_CLASS, ip))
        except ApiError as exc:
            return error_page(self.renderer, request, 429, _retry_text(exc.headers), exc.headers)
        key = _text(form, "api_key").strip()
        if not key:
            return self._sign_in_page(request, errors=[("api_key", KEY_REQUIRED, "")], status=422)
        if not KEY_MIN <= len(key) <= KEY_MAX:
            await in_read_thread(lambda: self.ctx.limiter.record(RATE_CLASS, ip))
            return self._sign_in_page(request, errors=[("api_key", KEY_FORMAT, "")], status=422)
        record = await in_read_thread(lambda: self.ctx.read.api_key(keylib.hash_key(key)))
        usable = record is not None and record.is_active and record.submission_id is not None
        stored = record.key_hash if record is not None and usable else None
        if not keylib.verify(key, stored):
            await in_read_thread(lambda: self.ctx.limiter.record(RATE_CLASS, ip))
            return self._sign_in_page(request, errors=[("api_key", KEY_INVALID, "")], status=403)
        assert record is not None
        response = RedirectResponse(_next(_text(form, "next")), status_code=303)
        data = {
            "submission_id": str(record.submission_id),
            "scope": record.scope,
            "label": record.label,
        }
        await in_read_thread(
            lambda: self.sessions.start(request, response, "owner", str(record.key_id), data)
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    def _sign_in_page(
        self,
        request: Request,
        *,
        errors: Sequence[tuple[str, str, str]] = (),
        status: int = 200,
        owner: Owner | None = None,
    ) -> Response:
        context = {
            "section": "update",
            "errors": list(errors),
            "field_error": next((m for n, m, _ in errors if n == "api_key"), ""),
            "next": _next(request.query_params.get("next", "")),
            "banner": _banner(request, owner),
            "owner": owner,
        }
        return self.form_page(request, "owner/sign_in.html", context, status)

    async def sign_out(self, request: Request) -> Response:
        """End the owner session (CSRF-checked) and go back to ``/update/``."""
        form = await _read_form(request)
        response = RedirectResponse("/update/?m=signedout", status_code=303)

        def run() -> bool:
            session = self.sessions.current(request, "owner", extend=False)
            if not self.csrf.passes(request, session, _text(form, "csrf_token")):
                return False
            self.sessions.end(request, response, "owner")
            return True

        if not await in_read_thread(run):
            return error_page(self.renderer, request, 403, EXPIRED_MESSAGE)
        return response

    # -- the signed-in owner ------------------------------------------------------------------

    async def _owner(self, request: Request, *, extend: bool = True) -> Owner | None:
        """The request's owner: a live owner session whose key is still active on a submission
        that still exists (else the session is ended and None)."""

        def run() -> Owner | None:
            session = self.sessions.current(request, "owner", extend=extend)
            if session is None:
                return None
            try:
                submission = self.domain.get_submission(uuid.UUID(session.data["submission_id"]))
            except (NotFound, KeyError, ValueError):
                submission = None
            active = submission is not None and any(
                str(k.key_id) == session.subject and k.is_active for k in submission.keys
            )
            if submission is None or not active:
                self.sessions.store.delete(session.id_hash)
                return None
            token, _ = self.csrf.token(request, session)
            flash = str(session.data.get("flash", ""))
            if flash:
                data = {k: v for k, v in session.data.items() if k != "flash"}
                self.sessions.store.touch(session.id_hash, session.idle_expires_at, data)
                session = Session(
                    session.id_hash,
                    session.kind,
                    session.subject,
                    session.csrf_secret,
                    session.idle_expires_at,
                    data,
                )
            return Owner(
                session,
                session.subject,
                str(session.data.get("label", "")),
                str(session.data.get("scope", "read")),
                submission,
                token,
                flash,
            )

        return await in_read_thread(run)

    async def _flash(
        self, owner: Owner, location: str, code: str, drop: Iterable[str] = ()
    ) -> Response:
        """303 to ``location``, leaving the banner ``code`` in the session for the next page."""
        gone = {"flash", *drop}
        data = {k: v for k, v in owner.session.data.items() if k not in gone}
        data["flash"] = code
        await in_read_thread(
            lambda: self.sessions.store.touch(
                owner.session.id_hash, owner.session.idle_expires_at, data
            )
        )
        return RedirectResponse(location, status_code=303)

    def _expired(self) -> Response:
        return RedirectResponse("/update/?m=expired", status_code=303)

    def _base(self, request: Request, owner: Owner, tab: str) -> dict[str, Any]:
        sub = owner.submission
        return {
            "section": "update",
            "owner": owner,
            "sub": sub,
            "name": sub.values.get("service_name", ""),
            "status_label": STATUS_LABELS.get(sub.status, sub.status),
            "csrf_token": owner.csrf_token,
            "tab": tab,
            "banner": _banner(request, owner),
            "idle_expires": owner.session.idle_expires_at,
            "idle_seconds": self.sessions.idle_seconds("owner"),
            "warn_before": self.ctx.settings.ui_warn_before_seconds,
            "draft_ttl_days": self.ctx.settings.ui_draft_ttl_days,
        }

    def _page(
        self,
        request: Request,
        template: str,
        owner: Owner,
        tab: str,
        extra: Mapping[str, Any],
        status: int = 200,
    ) -> Response:
        context = {**self._base(request, owner, tab), **extra}
        return self.renderer.page(request, template, context, status=status, private=True)

    # -- edit ---------------------------------------------------------------------------------

    async def edit(self, request: Request) -> Response:
        """``GET``: the registration (a form for a write key, a summary for a read key).
        ``POST``: save (``_preview``: only say what saving would do; ``_deprecate``: deprecate)."""
        if request.method == "POST":
            return await self._post_edit(request)
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        values = dict(owner.submission.values)
        return await self._edit_page(request, owner, values, {}, owner.submission.version)

    async def _edit_page(
        self,
        request: Request,
        owner: Owner,
        values: Mapping[str, Any],
        errors: Mapping[str, Sequence[str]],
        version: int,
        *,
        preview: AmendmentPreview | None = None,
        status: int = 200,
        conflict: Mapping[str, Any] | None = None,
    ) -> Response:
        """The edit page (``owner/_form.html``: the form's sections in edit mode over
        ``values``), or with ``conflict`` the conflict page around that form."""
        found = await in_read_thread(self.ctx.read.registration_options)
        messages = {name: " ".join(texts) for name, texts in errors.items()}
        base = self.ctx.base_url(request)
        current_logo = logo_url(base, owner.submission.values.get("logo")) or ""
        options = FormOptions.from_registration_options(found, logo_url=current_logo)
        sections = list(form_views(values, messages, mode="edit", options=options))
        extra = {
            "sections": sections,
            "summary": summary_errors(errors, EDIT_FIELDS),
            "version": version,
            "impact": impact_text(preview) if preview is not None else None,
        }
        if conflict is not None:
            extra.update(conflict)
            return self._page(request, "owner/conflict.html", owner, "edit", extra, status)
        extra["rows"] = _value_rows(sections)
        return self._page(request, "owner/edit.html", owner, "edit", extra, status)

    async def _post_edit(self, request: Request) -> Response:
        settings = self.ctx.settings
        form = await _read_form(request, max_part_size=settings.logo_max_bytes + 1024)
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        if not self.csrf.passes(request, owner.session, _text(form, "csrf_token")):
            values = posted_values(form)
            errors = {"non_field_errors": [EXPIRED_MESSAGE]}
            seen = _int(_text(form, "version")) or owner.submission.version
            return await self._edit_page(request, owner, values, errors, seen, status=403)
        if not owner.can_write:
            return await self._flash(owner, "/update/", "readonly")
        if _text(form, "_deprecate"):
            return await self._deprecate(request, owner)
        version = _int(_text(form, "version"))
        updates, errors = await self._resolved(form, owner.submission.values)
        posted = posted_values(form)
        sid = owner.submission.id
        upload = form.get("logo")
        chosen = upload if isinstance(upload, UploadFile) and upload.filename else None
        checking = bool(_text(form, "_preview"))
        if chosen is not None:
            path = await checked_logo(self.ctx, await chosen.read(), errors, save=not checking)
            if path is not None:
                updates["logo"] = path
        elif _text(form, "logo_clear"):
            updates["logo"] = None
        if errors:
            if chosen is not None and "logo" not in errors:
                errors["logo"] = [LOGO_AGAIN.format(name=chosen.filename)]
            return await self._edit_page(request, owner, posted, errors, version or 0, status=422)
        if checking:
            try:
                preview = await in_read_thread(
                    lambda: self.domain.preview_amendment(
                        sid, updates, by_admin=False, expected_version=version
                    )
                )
            except ValidationFailed as exc:
                return await self._edit_page(
                    request, owner, posted, exc.errors, version or 0, status=422
                )
            except StaleVersion:
                return await self._conflict(request, owner, version or 0, updates)
            return await self._edit_page(
                request, owner, posted, {}, preview.version, preview=preview
            )

        def amend() -> Any:
            return self.ctx.registry.amend_submission(
                sid, updates, actor=owner.actor, by_admin=False, expected_version=version
            )

        try:
            written = await write_submission(self.ctx, amend, lambda _: sid)
        except ValidationFailed as exc:
            return await self._edit_page(
                request, owner, posted, exc.errors, version or 0, status=422
            )
        except (StaleVersion, ConcurrentModification):
            return await self._conflict(request, owner, version or 0, updates)
        result = written.result
        if not getattr(result, "changed", True):
            return await self._flash(owner, "/update/edit/", "nochange")
        reset = getattr(result, "status", "") == "submitted" and owner.submission.status in (
            "approved",
        )
        data = {
            **owner.session.data,
            "saved": result.version,
            "before": owner.submission.version,
            "saved_at": dt.datetime.now(dt.UTC).isoformat(),
            "reset": reset,
        }
        await in_read_thread(
            lambda: self.sessions.store.touch(
                owner.session.id_hash, owner.session.idle_expires_at, data
            )
        )
        return RedirectResponse("/update/success/", status_code=303)

    async def _conflict(
        self, request: Request, owner: Owner, seen: int, updates: Mapping[str, object]
    ) -> Response:
        """409 (spec/ui.md §5.7.4, §9 item 9): the form was made from version ``seen``, not
        the current one. Nothing is saved (never a silent overwrite). The page shows what others
        changed since, what this owner changed, the fields both changed, and the form again over
        the **current** version with only this owner's changes applied: saving it is the
        merge."""
        sid = owner.submission.id
        current = owner.submission.values

        def read() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            items = self.ctx.read.history(sid)
            old = self.domain.get_submission(sid, seen).values if seen > 0 else current
            return items, dict(old)

        items, old = await in_read_thread(read)
        since = [item for item in items if int(item.get("version", 0)) > seen]
        theirs = {
            str(c.get("field"))
            for item in since
            for c in item.get("changes") or []
            if c.get("field") not in _LIFECYCLE
        }
        parsed, _ = parse_input(updates)
        mine = [name for name, value in parsed.items() if old.get(name) != value]
        merged = {**current, **{name: parsed[name] for name in mine}}
        conflict = {
            "entries": [_entry(item) for item in reversed(since)],
            "message": STALE,
            "seen": seen,
            "mine": [BY_NAME[n].label for n in mine],
            "both": [BY_NAME[n].label for n in mine if change_name(n) in theirs],
        }
        version = owner.submission.version
        return await self._edit_page(
            request, owner, merged, {}, version, status=409, conflict=conflict
        )

    async def _resolved(
        self, form: FormData, current: Mapping[str, Any]
    ) -> tuple[dict[str, object], dict[str, list[str]]]:
        """The domain's input of a posted edit form, EDAM names resolved to accessions as on
        the registration form (the no-JS text field takes accessions or exact names)."""
        updates = edit_updates(form, current)
        errors: dict[str, list[str]] = {}
        read = self.ctx.read

        def run() -> None:
            for wire, branch in (("edam_topic_ids", "topic"), ("edam_operation_ids", "operation")):
                tokens = updates.get(wire)
                if isinstance(tokens, list) and tokens:
                    updates[wire], unknown = resolve_edam(read, branch, tokens)
                    errors.update(
                        {wire: [UNKNOWN_EDAM.format(branch=branch, token=t) for t in unknown]}
                        if unknown
                        else {}
                    )

        await in_read_thread(run)
        return updates, errors

    async def impact(self, request: Request) -> Response:
        """The live review-impact box (htmx, on ``change``): what saving the form as it is now
        would do; records nothing."""
        form = await _read_form(request)
        owner = await self._owner(request)
        if owner is None:
            return Response(status_code=204, headers={"Cache-Control": "no-store"})
        if not self.csrf.passes(request, owner.session, _text(form, "csrf_token")):
            return error_page(self.renderer, request, 403, EXPIRED_MESSAGE)
        updates, errors = await self._resolved(form, owner.submission.values)
        version = _int(_text(form, "version"))
        sid = owner.submission.id
        problems: list[tuple[str, str, str]] = summary_errors(errors, EDIT_FIELDS)
        preview = None
        try:
            if errors:
                raise ValidationFailed(errors)
            preview = await in_read_thread(
                lambda: self.domain.preview_amendment(
                    sid, updates, by_admin=False, expected_version=version
                )
            )
        except ValidationFailed as exc:
            problems = summary_errors(exc.errors, EDIT_FIELDS)
        except StaleVersion:
            problems = [("", "This registration was changed meanwhile: reload the page.", "")]
        context = {"impact": impact_text(preview) if preview else None, "problems": problems}
        return self.renderer.page(request, "owner/_impact.html", context, private=True)

    # -- deprecation --------------------------------------------------------------------------

    async def deprecate(self, request: Request) -> Response:
        """The no-JS confirmation page of "Deprecate this service"."""
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        return self._page(request, "owner/deprecate.html", owner, "edit", {})

    async def _deprecate(self, request: Request, owner: Owner) -> Response:
        sid = owner.submission.id
        if owner.submission.status != "deprecated":

            def run() -> Any:
                return self.ctx.registry.change_status(
                    sid,
                    "deprecated",
                    actor=owner.actor,
                    by_admin=False,
                    comment="",
                    expected_version=None,
                )

            try:
                await write_submission(self.ctx, run, lambda _: sid)
            except (InvalidTransition, PermissionDenied) as exc:
                return error_page(self.renderer, request, 409, str(exc))
        return await self._flash(owner, "/update/", "deprecated")

    # -- history and success ------------------------------------------------------------------

    async def history(self, request: Request) -> Response:
        """The owner's own timeline, newest first (actors shown by role)."""
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        sid = owner.submission.id
        items = await in_read_thread(lambda: self.ctx.read.history(sid))
        entries = [_entry(item) for item in reversed(items)]
        return self._page(request, "owner/history.html", owner, "history", {"entries": entries})

    async def success(self, request: Request) -> Response:
        """After a save: what changed (the event's own change list) and whether the service
        went back to review."""
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        saved = owner.session.data.get("saved")
        if not isinstance(saved, int):
            return RedirectResponse("/update/edit/", status_code=303)
        sid = owner.submission.id
        items = await in_read_thread(lambda: self.ctx.read.history(sid))
        entry = next((_entry(i) for i in items if int(i.get("version", 0)) == saved), None)
        reset = bool(owner.session.data.get("reset"))
        fields = (
            [r["label"] for r in entry["rows"] if r["field"] not in _LIFECYCLE] if entry else []
        )
        extra = {
            "entry": entry,
            "reset": reset,
            "fields": fields,
            "undo": owner.can_write and _undoable(owner, saved),
            "saved": saved,
        }
        return self._page(request, "owner/success.html", owner, "edit", extra)

    async def undo(self, request: Request) -> Response:
        """``POST /update/undo``: a compensating edit restoring the previous values of exactly
        the fields the last save changed, within 10 minutes and only when nothing changed
        since (an owner edit like any other: it never restores an approval)."""
        form = await _read_form(request)
        owner = await self._owner(request)
        if owner is None:
            return self._expired()
        if not self.csrf.passes(request, owner.session, _text(form, "csrf_token")):
            return error_page(self.renderer, request, 403, EXPIRED_MESSAGE)
        if not owner.can_write:
            return await self._flash(owner, "/update/", "readonly")
        saved = _int(_text(form, "version"))
        before = owner.session.data.get("before")
        if saved is None or not isinstance(before, int) or not _undoable(owner, saved):
            return await self._flash(owner, "/update/edit/", "notundone")
        sid = owner.submission.id

        def previous() -> dict[str, object]:
            old = self.domain.get_submission(sid, before).values
            now = owner.submission.values
            return {
                name: old.get(name)
                for name in (*EDIT_FIELDS, "logo")
                if old.get(name) != now.get(name)
            }

        updates = await in_read_thread(previous)

        def amend() -> Any:
            return self.ctx.registry.amend_submission(
                sid, updates, actor=owner.actor, by_admin=False, expected_version=saved
            )

        try:
            await write_submission(self.ctx, amend, lambda _: sid)
        except (StaleVersion, ConcurrentModification, ValidationFailed):
            return await self._flash(owner, "/update/edit/", "notundone")
        return await self._flash(
            owner, "/update/edit/", "undone", drop=("saved", "before", "saved_at", "reset")
        )


_LIFECYCLE: Final = frozenset({"status", "primary_maturity_tag", "secondary_maturity_tags"})


def _undoable(owner: Owner, saved: int) -> bool:
    """Whether the owner's last save (``saved``, this session's) may still be undone: it is
    the current version and at most ten minutes old."""
    data = owner.session.data
    if data.get("saved") != saved or owner.submission.version != saved:
        return False
    try:
        at = dt.datetime.fromisoformat(str(data.get("saved_at")))
    except ValueError:
        return False
    return (dt.datetime.now(dt.UTC) - at).total_seconds() <= UNDO_SECONDS


def _entry(item: Mapping[str, Any]) -> dict[str, Any]:
    changes = list(item.get("changes") or [])
    rows = diff_rows(changes)
    for row, change in zip(rows, changes, strict=True):
        row["field"] = change.get("field", "")
    fields = {c.get("field") for c in changes}
    status = next((c for c in changes if c.get("field") == "status"), None)
    if fields - _LIFECYCLE:
        heading = "Content edited"
        if status is not None:
            heading += f" (status: {status.get('old') or '(none)'} → {status.get('new')})"
    elif fields == {"api_key"}:
        new = str(changes[0].get("new") or "")
        heading = f"Key issued: {new}" if new not in ("", EMPTY) else "Key revoked"
    elif status is not None:
        heading = f"Status changed: {status.get('old') or '(none)'} → {status.get('new')}"
    elif int(item.get("version", 0)) == 1:
        heading = "Registered"
    else:
        heading = "Recorded"
    return {
        "version": item.get("version"),
        "heading": heading,
        "role": role_of(str(item.get("changed_by", ""))),
        "at": item.get("changed_at"),
        "rows": rows,
    }


def _value_rows(sections: Iterable[FormSection]) -> list[tuple[str, str]]:
    """The read-only summary of a read-scope key: every question of the form with its answer
    as the form shows it (choice and chip labels, not ids)."""
    rows = []
    for section in sections:
        for f in section.fields:
            if f.control == "file":
                continue
            if f.options:
                shown = ", ".join(o.label for o in f.options if o.checked)
            elif f.chips:
                shown = ", ".join(c.label for c in f.chips)
            else:
                shown = f.value
            rows.append((f.label, shown or "(empty)"))
    return rows


async def _read_form(request: Request, max_part_size: int = 1024 * 1024) -> FormData:
    """The posted form; a body that cannot be read (broken multipart, too many parts) is the
    400 page, never a 500."""
    try:
        return await request.form(max_files=1, max_fields=MAX_FIELDS, max_part_size=max_part_size)
    except Exception as exc:  # starlette's MultiPartException and friends: a bad body
        raise HTTPException(400, "The form could not be read.") from exc


def _banner(request: Request, owner: Owner | None) -> tuple[str, str] | None:
    """The page's banner: the session's (shown once), else a ``?m=`` one of a signed-out
    person."""
    if owner is not None and owner.flash in BANNERS:
        return BANNERS[owner.flash]
    code = request.query_params.get("m", "")
    return BANNERS[code] if code in QUERY_BANNERS else None


def _retry_text(headers: Mapping[str, str] | None) -> str:
    """§8's 429 message: "Too many requests. Try again after HH:MM UTC." """
    seconds = int((headers or {}).get("Retry-After", "60"))
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds + 59)
    return f"Too many requests. Try again after {at:%H:%M} UTC."


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() else None


def _next(raw: str) -> str:
    """A same-origin path under ``/update/`` (§3.3 "Redirect targets"), else the edit page."""
    if raw.startswith("/update/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/update/edit/"
