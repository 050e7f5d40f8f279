"""``/api/v1/submissions/``: create, list, detail (with ``?as_of=``), PATCH; PUT/DELETE → 405."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from domain.errors import RegistryError
from schema.api.filters import (
    FLAG_EXPECTED,
    SUBMISSION_EDAM_FILTERS,
    TERM_EXPECTED,
    accessions,
    flag,
)
from schema.api.submissions import SubmissionCreate, SubmissionPatch
from web.auth import KeyRecord, Principal, require_admin, require_owner_or_admin, require_someone
from web.body import parse_uuid, validate
from web.context import Context, etag, expected_version, json
from web.errors import ApiError, not_found, status_for
from web.forms import SubmissionInput, read_submission
from web.media.logo import LogoRejected, ProcessedLogo, process_logo
from web.ports import Doc

KEY_WARNING = "This key is shown ONCE. Store it securely — it cannot be retrieved."
PUT_REFUSED = "Full replacement (PUT) is not supported. Use PATCH for partial updates."
ORDERINGS = frozenset({"submitted_at", "updated_at", "service_name", "primary_maturity_tag"})
FILTERS = (
    "status",
    "service_center",
    "year_established",
    "register_as_elixir",
    "primary_maturity_tag",
    "secondary_maturity_tags",
    "data_access_type",
    *SUBMISSION_EDAM_FILTERS,
    "descendants",
)
DEFAULT_PAGE_SIZE = 20
#: Read tables a submission command must be visible in before answering.
SUBMISSION_PROJECTIONS = ("submissions", "submission_history")
MAX_PAGE_SIZE = 100
#: No listing has this many pages; larger numbers would overflow the database's OFFSET.
MAX_PAGE = 1_000_000
#: Rate-limit classes of registrations (``web.ratelimit``), and the refusals that move an
#: attempt from the first to the second.
CREATE_CLASS = "anonymous"
INVALID_CLASS = "invalid"
INVALID_INPUT = frozenset({400, 413, 415, 422})


def routes(ctx: Context) -> list[BaseRoute]:
    """The submission routes bound to ``ctx``."""

    async def collection(request: Request) -> Response:
        if request.method == "POST":
            return await create(ctx, request)
        return await listing(ctx, request)

    async def item(request: Request) -> Response:
        handlers = {"GET": detail, "HEAD": detail, "PATCH": patch}
        handler = handlers.get(request.method)
        if handler is None:
            return await refuse_method(ctx, request)
        return await handler(ctx, request)

    return [
        Route("/api/v1/submissions/", collection, methods=["GET", "POST"]),
        Route(
            "/api/v1/submissions/{id}/",
            item,
            methods=["GET", "PATCH", "PUT", "DELETE", "POST"],
        ),
    ]


async def create(ctx: Context, request: Request) -> Response:
    """Register a submission (public); 201 with the one-time key.

    Rate limits (``web.ratelimit``): the attempt counts against the client's ``anonymous``
    budget; refused as invalid input, it is moved to the more generous ``invalid`` budget."""
    ip = ctx.client_ip(request)
    client = ip or "unknown"
    learning = ctx.limiter.limits(INVALID_CLASS)
    if learning:
        ctx.limiter.check(INVALID_CLASS, client)
    stamp = ctx.limiter.hit(CREATE_CLASS, client)
    try:
        return await _register(ctx, request, ip)
    except (ApiError, RegistryError) as exc:
        status = exc.status if isinstance(exc, ApiError) else status_for(exc)[0]
        if learning and status in INVALID_INPUT:
            ctx.limiter.release(CREATE_CLASS, client, stamp)
            ctx.limiter.record(INVALID_CLASS, client)
        raise


async def _register(ctx: Context, request: Request, ip: str | None) -> Response:
    sent = await _read(ctx, request, SubmissionCreate)
    body = validate(SubmissionCreate, sent.data)
    logo = await _process_logo(ctx, sent)
    idem = request.headers.get("idempotency-key")
    if idem is not None and ctx.idempotency is not None:
        return await _idempotent_create(ctx, request, body, logo, idem, sent.fingerprint, ip)
    return await _create(ctx, request, body, logo, ip)


async def _read(ctx: Context, request: Request, model: type[SubmissionPatch]) -> SubmissionInput:
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


async def _payload(
    ctx: Context, body: SubmissionPatch, logo: ProcessedLogo | None
) -> dict[str, Any]:
    """The domain's input: the fields sent, and the stored path of a new logo."""
    payload = body.payload()
    if logo is not None:
        payload["logo"] = await ctx.call(ctx.media.save, "logos", logo.extension, logo.content)
    return payload


async def _create(
    ctx: Context,
    request: Request,
    body: SubmissionCreate,
    logo: ProcessedLogo | None,
    ip: str | None,
) -> Response:
    from web.clientip import user_agent_hash

    register = functools.partial(
        ctx.registry.register_submission,
        await _payload(ctx, body, logo),
        ip=ip,
        user_agent_hash=user_agent_hash(request),
    )
    result, doc = await ctx.write(
        register, SUBMISSION_PROJECTIONS, lambda done: ctx.read.submission(done.submission_id)
    )
    # When the read side has not caught up within the timeout, the one-time key must still
    # reach the client: answer with the id, links and key, and the client GETs the rest later.
    out = ctx.with_links(request, doc or {"id": str(result.submission_id)})
    out["api_key"] = result.api_key
    out["api_key_warning"] = KEY_WARNING
    return json(
        out,
        201,
        headers={"ETag": etag(result.version), "Location": out["links"]["self"]},
    )


async def _idempotent_create(
    ctx: Context,
    request: Request,
    body: SubmissionCreate,
    logo: ProcessedLogo | None,
    idem: str,
    raw: Any,
    ip: str | None,
) -> Response:
    from web.idempotency import open_stored, seal

    store = ctx.idempotency
    assert store is not None
    key_hash = hashlib.sha256(b"idempotency:" + idem.encode()).hexdigest()
    request_hash = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)).hexdigest()
    state, stored = await ctx.call(store.claim, key_hash, request_hash)
    if state == "done" and stored is not None:
        status, headers, content = open_stored(idem, stored)
        return Response(content, status, headers=headers, media_type="application/json")
    if state == "busy":
        raise ApiError(409, "A request with this Idempotency-Key is still being processed.")
    if state == "mismatch":
        raise ApiError(422, "This Idempotency-Key was used with a different request body.")
    try:
        response = await _create(ctx, request, body, logo, ip)
    except BaseException:
        await ctx.call(store.release, key_hash)
        raise
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "location")}
    await ctx.call(store.complete, key_hash, seal(idem, 201, headers, bytes(response.body)))
    return response


async def listing(ctx: Context, request: Request) -> Response:
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
    results = ctx.all_with_links(request, rows)
    return json(paged(request, count, page, size, results))


async def detail(ctx: Context, request: Request) -> Response:
    """One submission, or its state ``?as_of=`` an instant."""
    submission_id = parse_uuid(request.path_params["id"])
    as_of = request.query_params.get("as_of")

    # The current state: the key is looked up with the document (one round trip when the key
    # is not cached); the document is served only once `read` has checked the caller.
    prefetched: list[Doc | None] = []

    def lookup(key_hash: str) -> KeyRecord | None:
        record, doc = ctx.read.submission_for_key(key_hash, submission_id)
        prefetched.append(doc)
        return record

    def read(caller: Principal | None) -> Doc | None:
        require_owner_or_admin(caller, submission_id)
        if as_of is not None:
            return ctx.read.submission_as_of(submission_id, parse_instant(as_of))
        return prefetched[0] if prefetched else ctx.read.submission(submission_id)

    doc = await ctx.authorized(request, read, lookup if as_of is None else None)
    if doc is None:
        raise not_found()
    headers = {"ETag": etag(int(doc["version"]))} if "version" in doc else None
    return json(ctx.with_links(request, doc), headers=headers)


async def patch(ctx: Context, request: Request) -> Response:
    """A partial update by the owner (write key) or a full admin key."""
    submission_id = parse_uuid(request.path_params["id"])
    caller = require_owner_or_admin(await ctx.caller(request), submission_id, write=True)
    sent = await _read(ctx, request, SubmissionPatch)
    body = validate(SubmissionPatch, sent.data)
    logo = await _process_logo(ctx, sent)
    amend = functools.partial(
        ctx.registry.amend_submission,
        submission_id,
        await _payload(ctx, body, logo),
        actor=caller.actor,
        by_admin=caller.is_admin,
        expected_version=expected_version(request),
    )
    _, doc = await ctx.write(
        amend, SUBMISSION_PROJECTIONS, lambda _: ctx.read.submission(submission_id)
    )
    return submission_response(ctx, request, doc)


async def respond_with_submission(
    ctx: Context, request: Request, submission_id: uuid.UUID
) -> Response:
    """200 with the submission as the read side now has it."""
    return submission_response(ctx, request, await ctx.call(ctx.read.submission, submission_id))


def submission_response(ctx: Context, request: Request, doc: Doc | None) -> Response:
    """200 with ``doc`` (links and ETag), or 404 when there is none."""
    if doc is None:
        raise not_found()
    return json(ctx.with_links(request, doc), headers={"ETag": etag(int(doc["version"]))})


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


def page_params(request: Request) -> tuple[int, int]:
    """``page`` (1..MAX_PAGE; else 404 'Invalid page.') and ``page_size`` (clamped to 1..100)."""
    raw_page = request.query_params.get("page", "1")
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise ApiError(404, "Invalid page.")
    raw_size = request.query_params.get("page_size", "")
    size = int(raw_size) if raw_size.isdigit() and int(raw_size) > 0 else DEFAULT_PAGE_SIZE
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
