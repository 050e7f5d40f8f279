"""The registration form and its one-time key page (spec/ui.md §5.3, §5.4, §3.2, §3.6).

``GET /register/`` shows the form; ``POST /register/`` reads it under the original's names (the
API's wire names accepted as aliases), checks CSRF, the honeypot and the ``ui_register`` rate
limit, and registers through the same domain call as ``POST /api/v1/submissions/`` (same actor,
same messages, same events). Refused input re-renders the form with status 422, every value
kept (except the file and the consent) and the error summary first. A registration puts the
one-time key in a ``flow`` session and answers ``303`` to ``/register/success/``, which shows it
once (``no-store``).

``POST /register/validate/`` is the per-field check of the inline validation (htmx), and the
``/ui/suggest/…`` fragments feed the chip pickers (§5.3.1).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.datastructures import FormData, QueryParams, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from domain.biotools import biotools_id_from_url
from domain.errors import ValidationFailed
from domain.fields import BY_NAME, CONSENT_FIELD
from domain.fields import form_sections as catalogue_sections
from web.body import read_limited
from web.clientip import user_agent_hash
from web.context import in_read_thread
from web.endpoints.submissions import write_submission
from web.errors import ApiError
from web.forms import parse_form
from web.ports import BioToolsLookup, BioToolsLookupFailed, ReadPort
from web.ui.catalogue import CatalogueParams
from web.ui.csrf import EXPIRED_MESSAGE
from web.ui.errors import error_page
from web.ui.form_fields import (
    EMAIL_CONFIRM,
    FormOptions,
    FormSection,
    field_names,
    form_sections,
    required_names,
    summary_with_labels,
    texts,
)
from web.ui.forms import (
    LIST_FIELDS,
    FormPages,
    checked_logo,
    form_name,
    summary_errors,
    to_wire,
    wire_name,
)
from web.ui.session import Session

log = logging.getLogger("registry.web")

#: Rate-limit classes of the pages (spec/ui.md §3.6), beside the API's ``invalid`` class.
REGISTER_CLASS: Final = "ui_register"
VALIDATE_CLASS: Final = "ui_validate"
INVALID_CLASS: Final = "invalid"

HONEYPOT: Final = "website_confirm"
PREVIEW: Final = "_preview"
#: The answers "Register another service based on this one" copies (§5.4): not the service's own.
CLONED: Final = (
    "submitter_first_name",
    "submitter_last_name",
    "submitter_affiliation",
    "service_center",
    "responsible_pis",
    "host_institute",
    "licenses",
    "service_categories",
)
HONEYPOT_MESSAGE: Final = "There was a problem with your submission. Please try again."
CONFIRM_MISSING: Final = "Please confirm your email address."
CONFIRM_DIFFERENT: Final = "Email addresses do not match."
LOGO_AGAIN: Final = "You chose {name}; choose it again."
#: The pickers (form names), the shortest query they suggest for, and how many suggestions.
PICKERS: Final = frozenset({"edam_topics", "edam_operations", "licenses", "related_services"})
MIN_QUERY: Final = 2
SUGGESTIONS: Final = 20
#: How many approved services the host-institute suggestions are read from.
INSTITUTES_MAX: Final = 2000
ACCESSION: Final = re.compile(r"^(topic|operation|data|format)_\d{4,}$")
UNKNOWN_EDAM: Final = "Unknown EDAM {branch}: '{token}'"

#: The wire names the form writes (the logo is a file, handled apart).
WIRE_FIELDS: Final = tuple(
    f.name for s in catalogue_sections() for f in s.fields if f.kind != "file"
)
#: Form names (and their wire aliases) whose values are lists.
FORM_LISTS: Final = frozenset(
    {form_name(n) for n in LIST_FIELDS} | set(LIST_FIELDS)
)  # fmt: skip
_TRUE: Final = frozenset({"true", "on", "1", "yes"})
_FALSE: Final = frozenset({"false", "off", "0", "no"})


@dataclass(frozen=True)
class Posted:
    """A posted form: its values under form names, the wire data for the domain, the logo."""

    values: dict[str, Any]
    data: dict[str, Any]
    logo: tuple[str, bytes] | None
    """The uploaded logo's file name and bytes."""
    token: str
    honeypot: str


@dataclass(eq=False)
class RegisterPages(FormPages):
    """``/register/``, ``/register/success/``, ``/register/validate/`` and the suggestions."""

    biotools: BioToolsLookup | None = None

    def routes(self) -> list[BaseRoute]:
        """The registration routes."""
        return [
            Route("/register/", self.register, methods=["GET", "HEAD", "POST"]),
            Route("/register/success/", self.success, methods=["GET", "HEAD"]),
            Route("/register/validate/", self.validate, methods=["GET", "POST"]),
            Route("/ui/suggest/edam", self.suggest_edam, methods=["GET", "HEAD"]),
            Route("/ui/suggest/licenses", self.suggest_licenses, methods=["GET", "HEAD"]),
            Route("/ui/suggest/services", self.suggest_services, methods=["GET", "HEAD"]),
            Route("/ui/biotools/prefill", self.prefill, methods=["GET"]),
        ]

    # -- the form ---------------------------------------------------------------------------

    async def register(self, request: Request) -> Response:
        """The form (GET), or a registration (POST)."""
        if request.method != "POST":
            values: dict[str, Any] = {}
            if request.query_params.get("from") == "previous":
                session = await in_read_thread(
                    lambda: self.sessions.current(request, "flow", extend=False)
                )
                clone = session.data.get("clone") if session is not None else None
                values = dict(clone) if isinstance(clone, dict) else {}
            return await self._form(request, values, {})
        posted = await self._read(request)
        if isinstance(posted, Response):
            return posted
        if not self.csrf.passes(request, None, posted.token):
            return await self._form(
                request, posted.values, {}, status=403, general=[EXPIRED_MESSAGE]
            )
        if posted.honeypot:
            return await self._form(
                request, posted.values, {}, status=422, general=[HONEYPOT_MESSAGE]
            )
        if posted.values.get(PREVIEW):
            return await self._preview(request, posted)
        client = self.ctx.client_ip(request) or "unknown"
        limiter = self.ctx.limiter
        learning = limiter.limits(INVALID_CLASS)

        def admit() -> float | None:
            if learning:
                limiter.check(INVALID_CLASS, client)
            return limiter.hit(REGISTER_CLASS, client)

        try:  # in a worker thread: the limiter's store may be remote (a shared limit)
            stamp = await self.ctx.call(admit)
        except ApiError as exc:
            return error_page(self.renderer, request, exc.status, None, exc.headers)
        payload, errors = await self._resolved(posted)
        if posted.logo is not None:
            path = await checked_logo(self.ctx, posted.logo[1], errors, save=True)
            if path is not None and not errors:
                payload["logo"] = path
        try:
            if errors:  # the form's own checks failed: show the domain's too, all at once
                found = await self.ctx.call(self.ctx.registry.check_registration, payload)
                raise ValidationFailed(_merge(errors, found))
            registration = await self._register(request, payload)
        except ValidationFailed as exc:
            if learning:

                def learn() -> None:
                    limiter.release(REGISTER_CLASS, client, stamp)
                    limiter.record(INVALID_CLASS, client)

                await self.ctx.call(learn)
            refused = dict(exc.errors)
            if posted.logo is not None and "logo" not in refused:
                refused["logo"] = [LOGO_AGAIN.format(name=posted.logo[0])]
            return await self._form(request, posted.values, refused, status=422)
        response = RedirectResponse("/register/success/", status_code=303)
        clone = {k: posted.values[k] for k in CLONED if posted.values.get(k)}
        data = {"api_key": registration[1], "submission_id": str(registration[0]), "clone": clone}
        await in_read_thread(
            lambda: self.sessions.start(request, response, "flow", str(registration[0]), data)
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    async def _hit(self, kind: str, request: Request) -> None:
        """Count one request of the client against ``kind`` (a 429 ``ApiError`` over the
        limit), in a worker thread: the limiter's store may be remote."""
        client = self.ctx.client_ip(request) or "unknown"
        await self.ctx.call(self.ctx.limiter.hit, kind, client)

    async def _preview(self, request: Request, posted: Posted) -> Response:
        """ "Check your answers" (SHOULD): validated without saving; with errors the usual
        422, else the form again under a summary of every answer."""
        try:
            await self._hit(VALIDATE_CLASS, request)
        except ApiError as exc:
            return error_page(self.renderer, request, exc.status, None, exc.headers)
        data, errors = await self._resolved(posted)
        if posted.logo is not None:
            await checked_logo(self.ctx, posted.logo[1], errors, save=False)
        errors = _merge(errors, await self.ctx.call(self.ctx.registry.check_registration, data))
        if posted.logo is not None and "logo" not in errors:
            errors["logo"] = [LOGO_AGAIN.format(name=posted.logo[0])]
            if len(errors) == 1:  # only the file to choose again: the answers are fine
                return await self._form(request, posted.values, errors, preview=True)
        if errors:
            return await self._form(request, posted.values, errors, status=422)
        return await self._form(request, posted.values, {}, preview=True)

    async def _resolved(self, posted: Posted) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """The domain's input with EDAM names resolved to accessions (the no-JS text field
        takes accessions or exact names), and the form's own errors."""
        read = self.ctx.read
        errors = _form_errors(posted)
        data = dict(posted.data)

        def run() -> None:
            for wire, branch in (("edam_topic_ids", "topic"), ("edam_operation_ids", "operation")):
                tokens = data.get(wire)
                if isinstance(tokens, list) and tokens:
                    data[wire], unknown = resolve_edam(read, branch, tokens)
                    if not unknown:  # re-rendered as the terms they are (chips, accessions)
                        posted.values[form_name(wire)] = list(data[wire])
                    if unknown:
                        errors.setdefault(wire, []).extend(
                            UNKNOWN_EDAM.format(branch=branch, token=t) for t in unknown
                        )

        await in_read_thread(run)
        return data, errors

    async def _register(self, request: Request, payload: dict[str, Any]) -> tuple[uuid.UUID, str]:
        """The API's registration: the same domain call, actor and read-your-writes wait."""
        ip = self.ctx.client_ip(request)
        agent = user_agent_hash(request)

        def command() -> Any:
            return self.ctx.registry.register_submission(payload, ip=ip, user_agent_hash=agent)

        written = await write_submission(self.ctx, command, lambda done: done.submission_id)
        return written.result.submission_id, written.result.api_key

    async def _read(self, request: Request) -> Posted | Response:
        """The posted form; else the error page of a body too large or unreadable."""
        settings = self.ctx.settings
        limit = settings.max_body_bytes + settings.logo_max_bytes
        try:
            raw = await read_limited(request, limit)
        except ApiError as exc:
            return error_page(self.renderer, request, exc.status, exc.detail, exc.headers)
        try:
            form = await parse_form(request, raw, settings.max_body_bytes)
        except Exception:  # starlette's MultiPartException and friends: a bad body
            return error_page(self.renderer, request, 400, "The form could not be read.")
        try:
            return await _posted(form)
        finally:
            await form.close()

    async def _options(self, values: Mapping[str, Any]) -> FormOptions:
        """The reference choices, the labels of chosen picker values, the suggestions."""
        read = self.ctx.read

        def run() -> FormOptions:
            found = read.registration_options()
            labels: dict[str, str] = {}
            definitions: dict[str, str] = {}
            for name in ("edam_topics", "edam_operations"):
                for value in _split(values.get(name)):
                    term = read.edam_term(value)
                    if term and term.get("label"):
                        labels[value] = str(term["label"])
                        definitions[value] = str(term.get("definition") or "")
            chosen = set(_split(values.get("licenses")))
            if chosen:
                for licence in read.licenses(None):
                    spdx = str(licence.get("license_id") or "")
                    if spdx in chosen:
                        labels[spdx] = str(licence.get("name") or spdx)
            for value in _split(values.get("related_services")):
                try:
                    doc = read.catalogue_service(uuid.UUID(value))
                except ValueError:
                    continue
                if doc and doc.get("service_name"):
                    labels[value] = str(doc["service_name"])
            return FormOptions.from_registration_options(
                found,
                labels=labels,
                definitions=definitions,
                suggestions=_suggestions(found, self._approved_institutes()),
            )

        return await in_read_thread(run)

    async def _form(
        self,
        request: Request,
        values: Mapping[str, Any],
        errors: Mapping[str, Sequence[str]],
        *,
        status: int = 200,
        general: Sequence[str] = (),
        preview: bool = False,
    ) -> Response:
        """The form page: ``values`` kept, ``errors`` (wire or form names) shown."""
        options = await self._options(values)
        sections = form_sections(
            values,
            {k: " ".join(v) for k, v in errors.items()},
            mode="register",
            options=options,
            keep_consent=preview,
        )
        summary = [("", m, "") for m in general] + summary_with_labels(
            summary_errors(errors, _order(sections)), sections
        )
        if preview:  # the file reminder is a note under the answers, not an error
            summary = [item for item in summary if item[0] != "logo"]
        required = required_names(sections)
        done = sum(1 for f in _fields(sections) if f.required and (f.value or _checked(f)))
        context = {
            "section": "register",
            "sections": sections,
            "summary": summary,
            "texts": texts(),
            "required_total": len(required),
            "required_done": done,
            "draft_ttl_days": self.ctx.settings.ui_draft_ttl_days,
            "prefill": self.biotools is not None,
            "answers": answers(sections) if preview else [],
        }
        return self.form_page(request, "register/page.html", context, status)

    # -- the key page -----------------------------------------------------------------------

    async def success(self, request: Request) -> Response:
        """The one-time key, popped from the ``flow`` session; without one, back to the form."""

        def pop() -> tuple[Session | None, Response]:
            session = self.sessions.current(request, "flow", extend=False)
            response = Response()
            if session is not None and session.data.get("api_key"):
                self.sessions.end(request, response, "flow")
                # The key is gone; what "Register another service based on this one" needs
                # stays for the flow's lifetime.
                clone = session.data.get("clone")
                if clone:
                    self.sessions.start(
                        request, response, "flow", session.subject, {"clone": clone}
                    )
            return session, response

        session, ended = await in_read_thread(pop)
        key = session.data.get("api_key") if session is not None else None
        if session is None or not key:
            return RedirectResponse("/register/", 303, headers={"Cache-Control": "no-store"})
        context = {
            "section": "register",
            "api_key": key,
            "submission_id": session.data.get("submission_id", ""),
        }
        response = self.renderer.page(request, "register/success.html", context, private=True)
        for name, value in ended.headers.items():
            if name.lower() == "set-cookie":
                response.headers.append("set-cookie", value)
        return response

    # -- inline validation ------------------------------------------------------------------

    async def validate(self, request: Request) -> Response:
        """One field's error fragment (empty when valid); 400 for a missing or unknown field,
        405 for GET (the original's contract)."""
        if request.method != "POST":
            return error_page(self.renderer, request, 405, None, {"Allow": "POST"})
        posted = await self._read(request)
        if isinstance(posted, Response):
            return posted
        if not self.csrf.passes(request, None, posted.token):
            return error_page(self.renderer, request, 403)
        try:
            await self._hit(VALIDATE_CLASS, request)
        except ApiError as exc:
            return error_page(self.renderer, request, exc.status, None, exc.headers)
        name = str(posted.values.get("field") or "")
        known = set(field_names(form_sections({}, {}, mode="register")))
        if form_name(wire_name(name)) not in known:
            return Response("Unknown field.", status_code=400, media_type="text/plain")
        name = form_name(wire_name(name))
        data, errors = await self._resolved(posted)
        domain = await self.ctx.call(self.ctx.registry.check_registration, data)
        merged = _merge(errors, domain)
        wire = wire_name(name)
        messages = merged.get(name) or merged.get(wire) or []
        return self.renderer.page(
            request,
            "register/_field_error.html",
            {"name": name, "message": " ".join(messages)},
            private=True,
        )

    def _approved_institutes(self) -> list[str]:
        """The host institutes of approved services (what the public catalogue shows), read
        with the form's other options: no per-process copy, so every host suggests the same."""
        criteria = CatalogueParams.parse(QueryParams({})).criteria()
        criteria["page_size"] = INSTITUTES_MAX
        items = self.ctx.read.catalogue_search(criteria).get("items") or []
        return sorted(
            {str(i["host_institute"]).strip() for i in items if i.get("host_institute")},
            key=str.casefold,
        )

    # -- the pickers' suggestions (§5.3.1) ---------------------------------------------------

    def _options_page(
        self, request: Request, default: str, options: Sequence[Mapping[str, str]]
    ) -> Response:
        name = request.query_params.get("name", default)
        if name not in PICKERS:
            name = default
        return self.renderer.page(
            request,
            "register/_options.html",
            {"name": name, "options": options},
            headers={"Cache-Control": "no-cache"},
        )

    async def _suggest(
        self, request: Request, name: str, find: Callable[[ReadPort, str], list[dict[str, str]]]
    ) -> Response:
        """The ``find(read, q)`` suggestions for ``?q=`` (none below ``MIN_QUERY`` characters)."""
        q = request.query_params.get("q", "").strip()
        read = self.ctx.read
        found = await in_read_thread(lambda: find(read, q) if len(q) >= MIN_QUERY else [])
        return self._options_page(request, name, found)

    async def suggest_edam(self, request: Request) -> Response:
        """At most 20 non-obsolete terms of a branch matching ``q`` (label, synonym, accession);
        a term found by a synonym says which."""
        branch = request.query_params.get("branch", "topic")
        branch = branch if branch in ("topic", "operation") else "topic"
        return await self._suggest(
            request, f"edam_{branch}s", lambda read, q: edam_suggestions(read, branch, q)
        )

    async def suggest_licenses(self, request: Request) -> Response:
        """At most 20 non-deprecated SPDX licences whose id or name matches ``q``."""
        return await self._suggest(request, "licenses", licence_suggestions)

    async def suggest_services(self, request: Request) -> Response:
        """At most 20 approved services whose name or description matches ``q``."""
        return await self._suggest(request, "related_services", service_suggestions)

    # -- bio.tools prefill (§5.3) --------------------------------------------------------------

    async def prefill(self, request: Request) -> Response:
        """The values bio.tools has for ``?biotools_url=`` (or ``?id=``), as a fragment of
        checkboxes and "Apply selected"; a failure is a message, and the form still works."""
        params = request.query_params
        biotools_id = params.get("id") or biotools_id_from_url(params.get("biotools_url", ""))
        context: dict[str, Any] = {"rows": [], "error": "", "name": ""}
        lookup = self.biotools
        try:
            await self._hit(VALIDATE_CLASS, request)
        except ApiError:
            context["error"] = "too many look-ups; try again later"
        else:
            if lookup is None:
                context["error"] = "the look-up is not configured"
            elif not biotools_id:
                context["error"] = "enter a bio.tools URL such as https://bio.tools/galaxy"
            else:
                read = self.ctx.read
                wanted: str = biotools_id

                def run() -> dict[str, Any]:
                    record = lookup.lookup(wanted)
                    return {"rows": prefill_rows(record, read), "error": "", "name": record["name"]}

                try:
                    context = await self.ctx.call(run)
                except BioToolsLookupFailed as exc:
                    context["error"] = str(exc)
        return self.renderer.page(request, "register/_prefill.html", context, private=True)


def answers(sections: Sequence[FormSection]) -> list[tuple[str, str, str]]:
    """``(label, answer, link)`` of every question, for "Check your answers"."""
    out = []
    for f in _fields(sections):
        if f.control == "consent" or (f.reveal_of and not f.revealed):
            continue
        if f.control in ("radios", "checkboxes"):
            shown = ", ".join(o.label for o in f.options if o.checked)
        elif f.control == "picker":
            shown = ", ".join(
                c.label if c.label == c.value else f"{c.label} ({c.value})" for c in f.chips
            )
        elif f.control == "file":
            shown = f.error
        else:
            shown = f.value
        out.append((f.label, shown, f"#{f.id}"))
    return out


def prefill_rows(record: Mapping[str, Any], read: ReadPort) -> list[dict[str, Any]]:
    """What a bio.tools record offers the form: ``{name, label, shown, value, labels}`` per
    field with a value; EDAM terms by URI (known, non-obsolete ones), the licence by SPDX id."""
    labels = {f.name: f.label for s in form_sections({}, {}) for f in s.fields}
    rows: list[dict[str, Any]] = []

    def add(name: str, value: str, shown: str = "", chips: Sequence[tuple[str, str]] = ()) -> None:
        if value:
            rows.append(
                {
                    "name": name,
                    "label": labels.get(name, name),
                    "value": value,
                    "shown": shown or value,
                    "labels": "||".join(label for _, label in chips),
                }
            )

    add("service_name", str(record.get("name") or "").strip())
    add("service_description", str(record.get("description") or "").strip())
    homepage = str(record.get("homepage") or "")
    add("website_url", homepage if homepage.startswith("https://") else "")
    pubs = [str(p.get("pmid") or p.get("doi") or "") for p in record.get("publications") or ()]
    add("publications_pmids", ", ".join(p for p in pubs if p))
    for name, uris in (
        ("edam_topics", record.get("edam_topic_uris") or []),
        (
            "edam_operations",
            [
                o.get("uri")
                for fn in record.get("functions") or ()
                for o in fn.get("operations", ())
            ],
        ),
    ):
        chips: list[tuple[str, str]] = []
        for uri in dict.fromkeys(str(u) for u in uris if u):
            term = read.edam_term(uri.rstrip("/").rsplit("/", 1)[-1])
            if term and not term.get("is_obsolete") and term["accession"] not in dict(chips):
                chips.append((str(term["accession"]), str(term["label"])))
        chips = chips[:6]
        add(
            name,
            ",".join(a for a, _ in chips),
            ", ".join(f"{label} ({a})" for a, label in chips),
            chips,
        )
    licence = str(record.get("license") or "").strip()
    if licence:
        known = {
            str(r["license_id"]).lower(): r
            for r in read.licenses(licence)
            if not r["is_deprecated"]
        }
        match = known.get(licence.lower())
        if match is not None:
            spdx = str(match["license_id"])
            add("licenses", spdx, f"{match['name']} ({spdx})", [(spdx, str(match["name"]))])
    github = next(
        (
            str(x.get("url"))
            for x in [*(record.get("links") or ()), *(record.get("download") or ())]
            if str(x.get("url") or "").startswith("https://github.com/")
        ),
        "",
    )
    add("github_url", github)
    return rows


def resolve_edam(read: ReadPort, branch: str, tokens: Iterable[str]) -> tuple[list[str], list[str]]:
    """``(accessions, unresolved tokens)``: accessions (and legacy ids) as they are, then exact
    labels (case-insensitive), then synonyms when exactly one term has it (§5.3.1)."""
    out: list[str] = []
    unknown: list[str] = []
    for token in tokens:
        if ACCESSION.match(token) or token.isdigit():
            out.append(token)
            continue
        wanted = token.casefold()
        terms = read.edam_terms(branch, token, 50)
        labelled = [t for t in terms if str(t["label"]).casefold() == wanted]
        if len(labelled) != 1:
            labelled = [
                t
                for t in terms
                if any(
                    str(s).casefold() == wanted
                    for s in (read.edam_term(str(t["accession"])) or {}).get("synonyms") or ()
                )
            ]
        if len(labelled) == 1:
            out.append(str(labelled[0]["accession"]))
        else:
            unknown.append(token)
    return list(dict.fromkeys(out)), unknown


def edam_suggestions(read: ReadPort, branch: str, q: str) -> list[dict[str, str]]:
    """Suggestions of one branch: exact label or accession first, then the rest; the synonym
    named where the label does not contain ``q``."""
    terms = read.edam_terms(branch, q, SUGGESTIONS * 3)
    lowered = q.lower()
    first = [t for t in terms if lowered in (str(t["label"]).lower(), str(t["accession"]))]
    ordered = first + [t for t in terms if t not in first]
    out: list[dict[str, str]] = []
    for term in ordered[:SUGGESTIONS]:
        label = str(term["label"])
        synonym = ""
        if lowered not in label.lower() and lowered not in str(term["accession"]).lower():
            detail = read.edam_term(str(term["accession"])) or {}
            synonym = next(
                (str(s) for s in detail.get("synonyms") or () if lowered in str(s).lower()), ""
            )
        out.append({"value": str(term["accession"]), "label": label, "synonym": synonym})
    return out


def licence_suggestions(read: ReadPort, q: str) -> list[dict[str, str]]:
    """Non-deprecated SPDX licences whose id or name matches ``q``, the exact id first."""
    rows = [r for r in read.licenses(q) if not r.get("is_deprecated")]
    exact = [r for r in rows if str(r["license_id"]).lower() == q.lower()]
    rest = [r for r in rows if r not in exact]
    return [
        {"value": str(r["license_id"]), "label": str(r["name"])}
        for r in (exact + rest)[:SUGGESTIONS]
    ]


def service_suggestions(read: ReadPort, q: str) -> list[dict[str, str]]:
    """Approved services whose name or description matches ``q`` (the catalogue's search)."""
    criteria = {**CatalogueParams.parse(QueryParams({"q": q})).criteria()}
    criteria["page_size"] = SUGGESTIONS
    result = read.catalogue_search(criteria)
    return [
        {"value": str(item["id"]), "label": str(item.get("service_name") or item["id"])}
        for item in result.get("items") or []
    ]


# -- reading the form -----------------------------------------------------------------------------


async def _posted(form: FormData) -> Posted:
    pairs: list[tuple[str, str]] = []
    logo: tuple[str, bytes] | None = None
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            if key == "logo" and value.filename:
                logo = (value.filename, await value.read())
            continue
        pairs.append((key, value))
    values: dict[str, Any] = {}
    for key, value in pairs:
        name = form_name(wire_name(key))
        if name in FORM_LISTS:
            items = values.setdefault(name, [])
            items += [p.strip() for p in value.split(",") if p.strip() and p.strip() not in items]
        else:
            values[name] = value
    # The consent is never re-rendered ticked, and a file is never kept (§4 "Redundant entry").
    token = str(values.pop("csrf_token", "") or "")
    honeypot = str(values.pop(HONEYPOT, "") or "")
    return Posted(values, domain_data(pairs), logo, token, honeypot)


def domain_data(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The posted form as the domain's input (wire names, typed as a JSON body would be):
    booleans from ``True``/``False`` radios and the ``on`` checkbox, empty numbers, dates and
    references left out (so a missing one reads "This field is required.")."""
    pairs = list(pairs)
    data = to_wire(pairs, WIRE_FIELDS)
    for name in list(data):
        f = BY_NAME[name]
        value = data[name]
        if not isinstance(value, str):
            continue
        if f.kind == "bool" or f.role == "consent":
            lowered = value.strip().lower()
            if lowered in _TRUE:
                data[name] = True
            elif lowered in _FALSE:
                data[name] = False
            elif not lowered:
                del data[name]
        elif f.kind in ("int", "date", "ref") and not value.strip():
            del data[name]
    if CONSENT_FIELD not in data:
        data[CONSENT_FIELD] = False
    if data.get("kpi_monitoring") == "planned":
        data["kpi_since"] = ""  # hidden while monitoring is only planned: cleared [ORIG]
    return data


def _form_errors(posted: Posted) -> dict[str, list[str]]:
    """The form's own checks (the e-mail confirmation of the original)."""
    errors: dict[str, list[str]] = {}
    email = str(posted.values.get("internal_contact_email") or "").strip()
    confirm = str(posted.values.get(EMAIL_CONFIRM) or "").strip()
    if email and not confirm:
        errors[EMAIL_CONFIRM] = [CONFIRM_MISSING]
    elif confirm and confirm.lower() != email.lower():
        errors[EMAIL_CONFIRM] = [CONFIRM_DIFFERENT]
    return errors


def _merge(*many: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for errors in many:
        for name, messages in errors.items():
            out.setdefault(name, []).extend(m for m in messages if m not in out.get(name, []))
    return out


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [p.strip() for item in items for p in str(item).split(",") if p.strip()]


def _fields(sections: Sequence[FormSection]) -> Iterable[Any]:
    return (f for s in sections for f in s.fields)


def _checked(f: Any) -> bool:
    return any(o.checked for o in f.options)


def _order(sections: Sequence[FormSection]) -> list[str]:
    """The summary's order: wire names, and form names of form-only fields, in form order."""
    return [f.wire or f.name for f in _fields(sections)]


_INSTITUTE_SPLIT = re.compile(r"\s*;\s*")


def _suggestions(
    found: Mapping[str, Sequence[Mapping[str, Any]]], approved: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Datalist suggestions from reference data and approved services only (§3.7): PI
    institutes, centre names, host institutes of approved services."""
    names: set[str] = set(approved)
    for pi in found.get("pis") or ():
        for part in _INSTITUTE_SPLIT.split(str(pi.get("institute") or "")):
            if part:
                names.add(part)
    for centre in found.get("centres") or ():
        if centre.get("full_name"):
            names.add(str(centre["full_name"]))
    ordered = sorted(names, key=str.casefold)
    return {"submitter_affiliation": ordered, "host_institute": ordered}
