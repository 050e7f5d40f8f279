"""``/api/v1/submissions/``: create, list, detail (with ``?as_of=``), PATCH; PUT/DELETE → 405.

The same four operations are served under ``/api/v2/submissions/`` from the same read tables,
with ``/api/v2/``'s models and shape: the fields and deprecated aliases the field catalogue
removes in API 2 (``kpi_start_year``) are neither accepted nor served there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import OutcomeUnknown, RegistryError
from domain.fields import API_VERSIONS, list_filters
from schema.api.filters import (
    FLAG_EXPECTED,
    SUBMISSION_EDAM_FILTERS,
    TERM_EXPECTED,
    accessions,
    flag,
)
from schema.api.submissions import MODELS, PatchBody
from web.auth import (
    NotAuthenticated,
    Principal,
    require_admin,
    require_owner_or_admin,
    require_someone,
)
from web.body import parse_uuid, validate
from web.context import Context, Written, etag, expected_version, json
from web.errors import DATABASE_UNAVAILABLE, ApiError, gone, not_found, status_for
from web.forms import SubmissionInput, read_submission
from web.media.logo import LogoRejected, ProcessedLogo, process_logo
from web.ports import Doc, Recorded

R = TypeVar("R", bound=Recorded)
T = TypeVar("T")

log = logging.getLogger("registry.web")

KEY_WARNING = "This key is shown ONCE. Store it securely — it cannot be retrieved."
PUT_REFUSED = "Full replacement (PUT) is not supported. Use PATCH for partial updates."
ORDERINGS = frozenset({"submitted_at", "updated_at", "service_name", "primary_maturity_tag"})
#: The list's filter parameters (the field catalogue's ``Field.filter``, then the EDAM ones).
FILTERS = (
    *(f.filter.param for f in list_filters() if f.filter is not None),
    *SUBMISSION_EDAM_FILTERS,
    "descendants",
)
DEFAULT_PAGE_SIZE = 20
#: Read tables a submission command must be visible in before answering.
SUBMISSION_PROJECTIONS = ("submissions", "submission_history")
MAX_PAGE_SIZE = 100
#: No listing has this many pages; larger numbers would overflow the database's OFFSET.
MAX_PAGE = 1_000_000
#: "Now" for a fold of the event log: every recorded event is before it.
EVERYTHING = dt.datetime.max.replace(tzinfo=dt.UTC)


#: Per API version: the names ``/api/v1/`` serves that it does not (removed fields, aliases).
NOT_SERVED: dict[int, frozenset[str]] = {
    api: frozenset(MODELS[1].submission.model_fields) - set(MODELS[api].submission.model_fields)
    for api in API_VERSIONS
}

#: Rate-limit classes of registrations (``web.ratelimit``), and the refusals that move an
#: attempt from the first to the second.
CREATE_CLASS = "anonymous"
INVALID_CLASS = "invalid"
INVALID_INPUT = frozenset({400, 413, 415, 422})


def routes(ctx: Context) -> list[BaseRoute]:
    """The submission routes bound to ``ctx``, for every API version."""
    out: list[BaseRoute] = []
    for api in API_VERSIONS:
        out += _routes(ctx, api)
    return out


def _routes(ctx: Context, api: int) -> list[BaseRoute]:
    async def collection(request: Request) -> Response:
        if request.method == "POST":
            return await create(ctx, request, api)
        return await listing(ctx, request, api)

    async def item(request: Request) -> Response:
        handlers = {"GET": detail, "HEAD": detail, "PATCH": patch}
        handler = handlers.get(request.method)
        if handler is None:
            return await refuse_method(ctx, request)
        return await handler(ctx, request, api)

    return [
        Route(f"/api/v{api}/submissions/", collection, methods=["GET", "POST"]),
        Route(
            f"/api/v{api}/submissions/{{id}}/",
            item,
            methods=["GET", "PATCH", "PUT", "DELETE", "POST"],
        ),
    ]


def for_api(api: int, out: Doc) -> Doc:
    """A linked ``/api/v1/`` submission in API version ``api``'s shape and links."""
    if api == 1:
        return out
    for name in NOT_SERVED[api]:
        out.pop(name, None)
    links = out.get("links")
    if isinstance(links, dict):
        out["links"] = {
            **links,
            "self": str(links["self"]).replace("/api/v1/", f"/api/v{api}/", 1),
            "schema": str(links["schema"]).replace("/api/schema/", f"/api/v{api}/schema/", 1),
        }
    return out


async def create(ctx: Context, request: Request, api: int = 1) -> Response:
    """Register a submission (public); 201 with the one-time key.

    Rate limits (``web.ratelimit``): the attempt counts against the client's ``anonymous``
    budget; refused as invalid input, it is moved to the more generous ``invalid`` budget."""
    ip = ctx.client_ip(request)
    client = ip or "unknown"
    limiter = ctx.limiter
    learning = limiter.limits(INVALID_CLASS)

    def admit() -> float | None:
        if learning:
            limiter.check(INVALID_CLASS, client)
        return limiter.hit(CREATE_CLASS, client)

    def refused_as_invalid() -> None:
        limiter.release(CREATE_CLASS, client, stamp)
        limiter.record(INVALID_CLASS, client)

    # A shared store is a network round trip: never on the event loop.
    stamp = await ctx.call(admit) if limiter.remote else admit()
    try:
        return await _register(ctx, request, ip, api)
    except (ApiError, RegistryError) as exc:
        status = exc.status if isinstance(exc, ApiError) else status_for(exc)[0]
        if learning and status in INVALID_INPUT:
            await ctx.call(refused_as_invalid) if limiter.remote else refused_as_invalid()
        raise


async def _register(ctx: Context, request: Request, ip: str | None, api: int) -> Response:
    model = MODELS[api].create
    sent = await _read(ctx, request, model)
    body = validate(model, sent.data)
    logo = await _process_logo(ctx, sent)
    idem = request.headers.get("idempotency-key")
    if idem is not None and ctx.idempotency is not None:
        return await _idempotent_create(ctx, request, body, logo, idem, sent.fingerprint, ip, api)
    response, _ = await _create(ctx, request, body, logo, ip, api)
    return response


async def _read(ctx: Context, request: Request, model: type[PatchBody]) -> SubmissionInput:
    settings = ctx.settings
    return await read_submission(request, model, settings.max_body_bytes, settings.logo_max_bytes)


async def _process_logo(ctx: Context, sent: SubmissionInput) -> ProcessedLogo | None:
    """The checked, re-encoded logo (None when no file was sent); a bad one is a 400."""
    if sent.logo is None:
        return None
    try:
        return await ctx.call(process_logo, sent.logo, ctx.settings.logo_max_bytes)
    except LogoRejected as exc:
        raise ApiError(400, "Validation failed.", errors={"logo": [str(exc)]}) from None


async def _payload(ctx: Context, body: PatchBody, logo: ProcessedLogo | None) -> dict[str, Any]:
    """The domain's input: the fields sent, and the stored path of a new logo."""
    payload = body.payload()
    if logo is not None:
        payload["logo"] = await ctx.call(ctx.media.save, "logos", logo.extension, logo.content)
    return payload


async def _unless_refused(ctx: Context, payload: Mapping[str, Any], write: Awaitable[T]) -> T:
    """Await ``write``; when its command is refused (nothing recorded refers to the logo saved
    for it), delete that logo, so no refused upload stays behind in the media store. A failure
    that may have recorded the command (the database went away) keeps the file."""
    try:
        return await write
    except OutcomeUnknown:
        raise
    except RegistryError:
        logo = payload.get("logo")
        if isinstance(logo, str):
            try:
                await ctx.call(ctx.media.delete, logo)
            except Exception:  # the refusal is the answer; a leftover file is only logged
                log.warning("could not delete the refused command's logo %s", logo, exc_info=True)
        raise


async def _create(
    ctx: Context,
    request: Request,
    body: PatchBody,
    logo: ProcessedLogo | None,
    ip: str | None,
    api: int = 1,
) -> tuple[Response, uuid.UUID]:
    """The 201 response (in API version ``api``'s shape) and the new submission's id."""
    from web.clientip import user_agent_hash

    register = functools.partial(
        ctx.registry.register_submission,
        await _payload(ctx, body, logo),
        ip=ip,
        user_agent_hash=user_agent_hash(request),
    )
    written = await _unless_refused(
        ctx, register.args[0], write_submission(ctx, register, lambda done: done.submission_id)
    )
    result = written.result
    # Whatever the read side can show, the one-time key reaches the client.
    out = for_api(api, ctx.with_links(request, written.doc or {"id": str(result.submission_id)}))
    out["api_key"] = result.api_key
    out["api_key_warning"] = KEY_WARNING
    headers = {"ETag": etag(result.version), "Location": out["links"]["self"], **written.headers}
    return json(out, 201, headers=headers), result.submission_id


async def write_submission(
    ctx: Context,
    command: Callable[[], R],
    submission_of: Callable[[R], uuid.UUID],
    *,
    retry: uuid.UUID | None = None,
) -> Written[R, Doc]:
    """Run a submission command and read back the document that shows it: from the read
    tables, else folded from the event log; never an older version (see ``web.context``)."""

    def current(doc: Doc | None, result: R) -> Doc | None:
        return doc if doc is not None and int(doc.get("version", 0)) >= result.version else None

    return await ctx.write(
        command,
        SUBMISSION_PROJECTIONS,
        lambda done: current(ctx.read.submission(submission_of(done)), done),
        fallback=lambda done: current(
            ctx.read.submission_as_of(submission_of(done), EVERYTHING), done
        ),
        retry=retry,
        read_checks=True,
        subject=submission_of,
    )


def written_response(
    ctx: Context,
    request: Request,
    written: Written[Any, Doc],
    submission_id: uuid.UUID,
    api: int = 1,
) -> Response:
    """200 with the document a submission write produced (in API version ``api``'s shape), ETag
    of the command's new version; when nothing could be read, only its id and links
    (``Read-Your-Writes: unavailable``)."""
    doc = written.doc or {"id": str(submission_id)}
    headers = {"ETag": etag(written.result.version), **written.headers}
    return json(for_api(api, ctx.with_links(request, doc)), headers=headers)


async def _idempotent_create(
    ctx: Context,
    request: Request,
    body: PatchBody,
    logo: ProcessedLogo | None,
    idem: str,
    raw: Any,
    ip: str | None,
    api: int = 1,
) -> Response:
    from web.idempotency import open_stored, seal

    store = ctx.idempotency
    assert store is not None
    # The key is scoped to the API version: the stored answer has that version's shape.
    scope = b"idempotency:" if api == 1 else f"idempotency:v{api}:".encode()
    key_hash = hashlib.sha256(scope + idem.encode()).hexdigest()
    request_hash = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    state, stored = await ctx.call(store.claim, key_hash, request_hash)
    if state == "done" and stored is not None:
        status, headers, content = open_stored(idem, stored)
        return Response(content, status, headers=headers, media_type="application/json")
    if state == "erased":
        raise ApiError(410, "The submission created with this Idempotency-Key was erased.")
    if state == "busy":
        raise ApiError(409, "A request with this Idempotency-Key is still being processed.")
    if state == "mismatch":
        raise ApiError(422, "This Idempotency-Key was used with a different request body.")
    try:
        response, submission_id = await _create(ctx, request, body, logo, ip, api)
    except OutcomeUnknown:
        raise  # it may have been created: the claim stays, a repeat is not a second create
    except BaseException:
        with contextlib.suppress(*DATABASE_UNAVAILABLE):  # the claim then expires by itself
            await ctx.call(store.release, key_hash)
        raise
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "location")}
    try:
        await ctx.call(
            store.complete, key_hash, seal(idem, 201, headers, bytes(response.body)), submission_id
        )
    except DATABASE_UNAVAILABLE:
        # The submission is recorded and this answer carries its one-time key: it must reach
        # the client. A repeat finds the claim unfinished (409) until it is abandoned.
        log.warning("the first response to an Idempotency-Key could not be stored")
    return response


async def listing(ctx: Context, request: Request, api: int = 1) -> Response:
    """The admin list: filters, ordering, paging."""
    params = request.query_params
    filters = {name: params[name] for name in FILTERS if name in params}
    check_edam_filters(filters, SUBMISSION_EDAM_FILTERS)
    ordering = params.get("ordering", "-submitted_at")
    if ordering.removeprefix("-") not in ORDERINGS:
        ordering = "-submitted_at"

    def read(caller: Principal | None) -> tuple[int, int, int, list[Doc]]:
        require_admin(caller)
        page, size = page_params(request)
        count, rows = ctx.read.list_submissions(filters, ordering, page, size)
        return page, size, count, rows

    page, size, count, rows = await ctx.authorized(request, read)
    results = [for_api(api, out) for out in ctx.all_with_links(request, rows)]
    return json(paged(request, count, page, size, results))


async def detail(ctx: Context, request: Request, api: int = 1) -> Response:
    """One submission, or its state ``?as_of=`` an instant."""
    submission_id = parse_uuid(request.path_params["id"])
    as_of = request.query_params.get("as_of")

    header = request.headers.get("authorization")

    def read() -> Doc | None:
        if as_of is not None:
            require_owner_or_admin(ctx.principal(header), submission_id)
            return ctx.read.submission_as_of(submission_id, parse_instant(as_of))
        claim = ctx.auth.claim(header)
        if claim is None:
            raise NotAuthenticated()
        # The key and the document together (one round trip when the key is not cached); the
        # document is served only once the key is checked and allowed to see it.
        record, doc = ctx.read.submission_for_key(claim.key_hash, submission_id)
        require_owner_or_admin(ctx.counted(ctx.auth.check(claim, record)), submission_id)
        return doc

    doc = await ctx.call(read)
    if doc is None:
        raise await absent(ctx, submission_id)
    headers = {"ETag": etag(int(doc["version"]))} if "version" in doc else None
    return json(for_api(api, ctx.with_links(request, doc)), headers=headers)


async def patch(ctx: Context, request: Request, api: int = 1) -> Response:
    """A partial update by the owner (write key) or a full admin key."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_owner_or_admin(await ctx.caller(request), submission_id, write=True)
    model = MODELS[api].patch
    sent = await _read(ctx, request, model)
    body = validate(model, sent.data)
    logo = await _process_logo(ctx, sent)
    expected = expected_version(request)
    amend = functools.partial(
        ctx.registry.amend_submission,
        submission_id,
        await _payload(ctx, body, logo),
        actor=caller.actor,
        by_admin=caller.is_admin,
        expected_version=expected,
    )
    # Without If-Match the caller asked for no version: a lost race is merged by trying again.
    written = await _unless_refused(
        ctx,
        amend.args[1],
        write_submission(
            ctx, amend, lambda _: submission_id, retry=submission_id if expected is None else None
        ),
    )
    return written_response(ctx, request, written, submission_id, api)


async def absent(ctx: Context, submission_id: uuid.UUID) -> ApiError:
    """What a read that found no submission answers: 410 when the registry knows it was
    erased, else 404 (docs/erasure.md)."""
    return gone() if await ctx.call(ctx.read.erased, submission_id) else not_found()


async def refuse_method(ctx: Context, request: Request) -> Response:
    """PUT, DELETE and POST on a submission: 405 once the caller is authenticated."""
    require_someone(await ctx.caller(request))
    detail = PUT_REFUSED if request.method == "PUT" else f'Method "{request.method}" not allowed.'
    raise ApiError(405, detail, headers={"Allow": "GET, PATCH, HEAD, OPTIONS"})


def check_edam_filters(params: Mapping[str, str], names: Iterable[str]) -> None:
    """A 400 naming each EDAM filter among ``names`` whose value names no EDAM term, and
    ``descendants`` when it is not a boolean (``schema.api.filters``)."""
    errors = {
        name: [TERM_EXPECTED]
        for name in names
        if name in params and accessions(params[name]) is None
    }
    if "descendants" in params and flag(params["descendants"]) is None:
        errors["descendants"] = [FLAG_EXPECTED]
    if errors:
        raise ApiError(400, "Validation failed.", errors=errors)


def parse_instant(value: str) -> dt.datetime:
    """An RFC 3339 timestamp with an offset; anything else is a 400."""
    try:
        at = dt.datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise ApiError(
            400,
            "as_of must be an RFC 3339 timestamp with an offset.",
            errors={"as_of": ["Must be an RFC 3339 timestamp with an offset."]},
        )
    return at


def _small_int(raw: str) -> bool:
    """ASCII digits int() takes (isdigit() alone accepts '²'), at most 18 of them."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 18


def page_params(request: Request) -> tuple[int, int]:
    """``page`` (1..MAX_PAGE; else 404 'Invalid page.') and ``page_size`` (clamped to 1..100)."""
    raw_page = request.query_params.get("page", "1")
    if not _small_int(raw_page) or not 1 <= int(raw_page) <= MAX_PAGE:
        raise ApiError(404, "Invalid page.")
    raw_size = request.query_params.get("page_size", "")
    size = int(raw_size) if _small_int(raw_size) and int(raw_size) > 0 else DEFAULT_PAGE_SIZE
    return int(raw_page), min(size, MAX_PAGE_SIZE)


def paged(request: Request, count: int, page: int, size: int, results: list[Doc]) -> Doc:
    """The ``{count, next, previous, results}`` envelope; a page past the end is a 404."""
    if page > 1 and (page - 1) * size >= count:
        raise ApiError(404, "Invalid page.")

    # The URL without its query is worked out once for both links; "page" is always there, so
    # every link has a query.
    params = dict(request.query_params)
    prefix = f"{request.url.replace(query='')}?"

    def link(number: int) -> str:
        params["page"] = str(number)
        return prefix + urlencode(params)

    return {
        "count": count,
        "next": link(page + 1) if page * size < count else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": results,
    }
