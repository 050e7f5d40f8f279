"""Per-app request helpers shared by the endpoint modules: who is calling, rate limits,
read-your-writes waits, JSON responses, links and ETags."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from schema.settings import Settings
from web.auth import Authenticator, KeyRecord, Principal, credentials
from web.clientip import Network, client_ip, parse_networks
from web.errors import ApiError
from web.media.store import FilesystemMediaStore, MediaStore
from web.ports import Doc, IdempotencyStore, ReadPort, Recorded, RegistryPort, WaitFor
from web.ratelimit import RateLimiter

T = TypeVar("T")
R = TypeVar("R", bound=Recorded)
D = TypeVar("D")

#: An endpoint written against a :class:`Context`.
Handler = Callable[["Context", Request], Awaitable[Response]]

#: Request base URLs kept per app at most (one per host name, scheme and root path served).
BASE_URLS_KEPT = 64

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


class Context:
    """The services one app serves from, plus the helpers every endpoint uses."""

    def __init__(
        self,
        *,
        settings: Settings,
        registry: RegistryPort,
        read_model: ReadPort,
        wait_for: WaitFor,
        idempotency: IdempotencyStore | None,
        media: MediaStore | None = None,
    ) -> None:
        self.settings = settings
        self.media: MediaStore = media or FilesystemMediaStore(settings.media_root)
        self.registry = registry
        self.read = read_model
        self._wait_for = wait_for
        self.idempotency = idempotency
        self.auth = Authenticator(read_model)
        self.limiter = RateLimiter(settings.rate_limits)
        self.trusted: tuple[Network, ...] = parse_networks(settings.trusted_proxies)
        self._bases: dict[tuple[Any, ...], str] = {}

    async def caller(self, request: Request) -> Principal | None:
        """The verified caller (None when anonymous); counts it against the per-key limit."""
        header = request.headers.get("authorization")
        if credentials(header) is None:
            return None
        return await run_in_threadpool(self._principal, header)

    def _principal(
        self, header: str | None, lookup: Callable[[str], KeyRecord | None] | None = None
    ) -> Principal | None:
        """Verify the caller in a worker thread and count it against the per-key limit."""
        principal = self.auth.verify(header, lookup)
        if principal is not None:
            self.limiter.hit("key", str(principal.key_id))
        return principal

    async def authorized(
        self,
        request: Request,
        read: Callable[[Principal | None], D],
        lookup: Callable[[str], KeyRecord | None] | None = None,
    ) -> D:
        """Verify the caller (as :meth:`caller`, with ``lookup`` as the key lookup when given)
        and run ``read(caller)``: ONE threadpool call (see :meth:`write`). ``read`` raises the
        permission errors before it reads anything."""
        header = request.headers.get("authorization")

        def run() -> D:
            return read(self._principal(header, lookup))

        return await in_read_thread(run)

    def client_ip(self, request: Request) -> str | None:
        """The client address, believing forwarding headers only from trusted proxies."""
        return client_ip(request, self.trusted)

    async def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a synchronous domain or read call in the threadpool."""
        return await run_in_threadpool(func, *args, **kwargs)

    async def wait(self, position: int | None, *projections: str) -> None:
        """Block until the named projections reflect ``position`` (or the timeout passes)."""
        if position is None:
            return
        await run_in_threadpool(self._wait_sync, position, projections)

    async def write(
        self, command: Callable[[], R], projections: Sequence[str], read: Callable[[R], D]
    ) -> tuple[R, D]:
        """Run ``command``, wait until ``projections`` reflect its position (read-your-writes,
        as :meth:`wait`), then ``read`` its outcome: the three steps in ONE threadpool call.

        Each trip from the event loop to a worker thread and back costs a queue put, a thread
        wake-up and a GIL hand-over each way; a write done as separate calls paid that four
        times (command, one wait per projection, read)."""

        def run() -> tuple[R, D]:
            result = command()
            self._wait_sync(result.position, projections)
            return result, read(result)

        return await run_in_threadpool(run)

    def _wait_sync(self, position: int | None, projections: Sequence[str]) -> None:
        if position is None:
            return
        deadline = time.monotonic() + self.settings.read_your_writes_timeout
        for name in projections:
            self._wait_for(name, position, max(0.0, deadline - time.monotonic()))

    def base_url(self, request: Request) -> str:
        """The public base URL (configured, else the request's), ending in '/'."""
        if self.settings.public_base_url:
            return _slashed(self.settings.public_base_url)
        # Starlette builds the request's base URL as a new URL object on every request (~5% of
        # a detail GET's event-loop time in py-spy); it depends only on these parts of the scope.
        scope = request.scope
        server = scope.get("server")
        key = (
            scope.get("scheme", "http"),
            tuple(server) if server else None,
            request.headers.get("host"),
            scope.get("app_root_path", scope.get("root_path", "")),
        )
        base = self._bases.get(key)
        if base is None:
            if len(self._bases) >= BASE_URLS_KEPT:  # forged Host headers cannot grow it
                self._bases.clear()
            base = self._bases[key] = _slashed(str(request.base_url))
        return base

    def with_links(self, request: Request, doc: Doc) -> Doc:
        """A submission document with its hypermedia ``links`` (and without internal members)."""
        return _linked(self.base_url(request), doc)

    def all_with_links(self, request: Request, docs: list[Doc]) -> list[Doc]:
        """:meth:`with_links` of each document (the base URL worked out once)."""
        base = self.base_url(request)
        return [_linked(base, doc) for doc in docs]


async def in_read_thread(func: Callable[[], T]) -> T:
    """``func()`` in a worker thread of the event loop's default executor, with this request's
    context variables (the request id of log records).

    For reads: one statement each, they hold a thread briefly. Starlette's ``run_in_threadpool``
    (anyio: capacity limiter, backend look-ups, its own worker queue) cost ~32 us of CPU per call
    against ~12 us for this (a loop of no-op calls, 8 at a time, under uvloop); a read's whole
    web CPU is ~400 us. Writes, whose read-your-writes waits can hold a thread up to the timeout,
    stay on anyio's larger pool. The loop shuts its default executor down when it closes."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, contextvars.copy_context().run, func)


def _linked(base: str, doc: Doc) -> Doc:
    # A C-level copy, then one deletion: a comprehension filtering every member was ~9% of a
    # list page's worker time (py-spy). The caller's document is left as it was.
    out = doc.copy()
    out.pop("version", None)
    links = {
        "self": f"{base}api/v1/submissions/{doc['id']}/",
        "schema": f"{base}api/schema/",
        "docs": f"{base}api/docs/",
    }
    record = doc.get("biotoolsrecord")
    if isinstance(record, dict) and record.get("biotools_id"):
        links["biotoolsrecord"] = f"{base}api/v1/biotools/{record['biotools_id']}/"
    out["links"] = links
    if "logo_url" in out:
        out["logo_url"] = logo_url(base, out["logo_url"])
    return out


def _slashed(base: str) -> str:
    return base if base.endswith("/") else base + "/"


def logo_url(base: str, stored: Any) -> str | None:
    """The absolute URL of a stored logo path (``logos/<uuid>.<ext>``); None when there is none."""
    if not stored or not isinstance(stored, str):
        return None
    if stored.startswith(("https://", "http://")):
        return stored
    return f"{base}media/{stored.lstrip('/')}"


def json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response (orjson: datetimes, UUIDs and dates serialise natively)."""
    return Response(
        orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def etag(version: int) -> str:
    """The strong ETag of a submission version."""
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version named by ``If-Match`` (None when absent or ``*``); malformed is a 400."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.match(value)
    if match is None:
        raise ApiError(400, 'If-Match must be an ETag such as "3".')
    return int(match.group(1))


def bound(ctx: Context, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Bind an endpoint to its context (Starlette sees through ``functools.partial``)."""
    return functools.partial(handler, ctx)
