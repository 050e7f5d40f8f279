"""Per-app request helpers shared by the endpoint modules: who is calling, rate limits,
read-your-writes waits, JSON responses, links and ETags.

How a write answers (``Context.write``)
---------------------------------------
1. The command runs. When the caller did not ask for a version (no ``If-Match``), writes on the
   same resource take turns within a process (they would all load the same version and all but
   one lose the race), and a conflict with another process's writer (``ConcurrentModification``)
   is retried up to ``CONFLICT_ATTEMPTS`` times;
   a database failure here means nothing was recorded: 503 ``not-recorded`` with ``Retry-After``
   (an in-flight commit whose outcome could not be found out is 503 ``outcome-unknown``).
2. Once the command has committed, the answer is a success whatever happens next. The write
   waits (at most ``REGISTRY_READ_YOUR_WRITES_TIMEOUT``) for the read tables to reach it, then
   answers with the first of:
   - the read tables' document, if it shows this write (a submission: its version is at least
     the command's);
   - the document folded from the event log at this write (the read tables are behind, or the
     subject's row is quarantined): header ``Read-Your-Writes: event-log``;
   - only what the command itself knows (id, links, the one-time key; the ETag is the new
     version's): header ``Read-Your-Writes: unavailable``.
   An older document is never presented as the result of a write.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import random
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from starlette.requests import Request
from starlette.responses import Response

from domain.errors import ConcurrentModification
from schema.settings import Settings
from web.auth import Authenticator, Principal, credentials
from web.clientip import Network, client_ip, parse_networks
from web.errors import DATABASE_UNAVAILABLE, ApiError, not_recorded
from web.media.store import FilesystemMediaStore, MediaStore
from web.ports import (
    Doc,
    IdempotencyStore,
    Quarantined,
    ReadPort,
    Recorded,
    RegistryPort,
    WaitFor,
)
from web.ratelimit import Limiter, RateLimiter

T = TypeVar("T")
R = TypeVar("R", bound=Recorded)
D = TypeVar("D")

#: An endpoint written against a :class:`Context`.
Handler = Callable[["Context", Request], Awaitable[Response]]

#: Request base URLs kept per app at most (one per host name, scheme and root path served).
BASE_URLS_KEPT = 64

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')

#: Digits of the largest version an ``If-Match`` can name (no aggregate gets near 10**18).
MAX_VERSION_DIGITS = 18

#: Problem type of a stale ``If-Match`` (as ``domain.errors.StaleVersion`` is mapped).
STALE = "stale-version"

#: Times a write without ``If-Match`` is tried when concurrent writers keep winning the race.
CONFLICT_ATTEMPTS = 8

#: The response header saying where a committed write's answer came from when it is not the
#: read tables (see the module docstring): ``event-log`` or ``unavailable``.
READ_YOUR_WRITES = "Read-Your-Writes"
FROM_EVENT_LOG = "event-log"
FROM_COMMAND = "unavailable"

#: Threads of the web's pool when no settings sized it (``REGISTRY_WEB_THREADS``'s default).
DEFAULT_THREADS = 40

log = logging.getLogger("registry.web")


@dataclass(frozen=True)
class Written(Generic[R, D]):
    """A committed write: the command's result and what can be shown of it.

    ``doc`` is None when neither the read tables nor the event log could serve it (only the
    command's own result is known); ``source`` is None for the read tables, else the value of
    the ``Read-Your-Writes`` header."""

    result: R
    doc: D | None
    source: str | None

    @property
    def headers(self) -> dict[str, str]:
        """``Read-Your-Writes`` when the answer does not come from the read tables."""
        return {READ_YOUR_WRITES: self.source} if self.source else {}


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
        quarantined: Quarantined | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self.settings = settings
        self.media: MediaStore = media or FilesystemMediaStore(settings.media_root)
        self.registry = registry
        self.read = read_model
        self._wait_for = wait_for
        self._quarantined: Quarantined = quarantined or _nothing_quarantined
        self._turns = Turns()
        self.idempotency = idempotency
        self.auth = Authenticator(read_model)
        self.limiter: Limiter = limiter or RateLimiter(settings.rate_limits)
        self.trusted: tuple[Network, ...] = parse_networks(settings.trusted_proxies)
        self._bases: dict[tuple[Any, ...], str] = {}
        use_threads(settings.web_threads)

    async def caller(self, request: Request) -> Principal | None:
        """The verified caller (None when anonymous); counts it against the per-key limit."""
        header = request.headers.get("authorization")
        if credentials(header) is None:
            return None
        return await in_thread(self.principal, header)

    def principal(self, header: str | None) -> Principal | None:
        """Verify the caller (in a worker thread: it may look the key up) and count it against
        the per-key limit."""
        principal = self.auth.verify(header)
        return None if principal is None else self.counted(principal)

    def counted(self, principal: Principal) -> Principal:
        """``principal``, counted against the per-key limit (429 past it)."""
        self.limiter.hit("key", str(principal.key_id))
        return principal

    async def authorized(self, request: Request, read: Callable[[Principal | None], D]) -> D:
        """Verify the caller (as :meth:`caller`) and run ``read(caller)``: ONE threadpool call
        (see :meth:`write`). ``read`` raises the permission errors before it reads anything."""
        header = request.headers.get("authorization")

        def run() -> D:
            return read(self.principal(header))

        return await in_thread(run)

    def client_ip(self, request: Request) -> str | None:
        """The client address, believing forwarding headers only from trusted proxies."""
        return client_ip(request, self.trusted)

    async def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a synchronous domain or read call in a worker thread (``in_thread``)."""
        return await in_thread(func, *args, **kwargs)

    async def write(
        self,
        command: Callable[[], R],
        projections: Sequence[str],
        read: Callable[[R], D | None],
        *,
        fallback: Callable[[R], D | None] | None = None,
        retry: object = None,
        read_checks: bool = False,
        subject: Callable[[R], object] | None = None,
    ) -> Written[R, D]:
        """Run ``command``, wait (at most ``REGISTRY_READ_YOUR_WRITES_TIMEOUT``) until
        ``projections`` reflect its position, then ``read`` its outcome: the three steps in ONE
        threadpool call.

        ``read`` (the read tables) and then ``fallback`` (e.g. the event log) return None when
        they cannot show this write. ``read`` is trusted only once the wait reached the write,
        unless ``read_checks`` (it recognises an older state itself, e.g. by its version), and
        never while the row of ``subject(result)`` is quarantined in one of ``projections``.
        ``retry`` (the id of the resource, for writes that named no version) makes writes on
        that resource take turns in this process and re-runs the command after a race lost to
        another process. See the module docstring for the answers.

        Each trip from the event loop to a worker thread and back costs a queue put, a thread
        wake-up and a GIL hand-over each way; a write done as separate calls paid that four
        times (command, one wait per projection, read)."""

        def run() -> Written[R, D]:
            if retry is None:
                result = run_command(command)
            else:
                with self._turns.turn(retry):
                    result = run_command(command, retry=True)
            held = subject is not None and any(
                self._quarantined(p, str(subject(result))) for p in projections
            )
            # A quarantined row will not show the write: no point waiting for it.
            reached = not held and self._wait_sync(result.position, projections)
            steps: list[tuple[str | None, Callable[[R], D | None] | None]]
            steps = [(FROM_EVENT_LOG, fallback)]
            if reached or (read_checks and not held):
                steps.insert(0, (None, read))
            for source, step in steps:
                if step is None:
                    continue
                try:
                    doc = step(result)
                except DATABASE_UNAVAILABLE:
                    log.warning("read-back of a committed write failed: database unavailable")
                    break
                except Exception:  # committed: a failed read must not turn it into an error
                    log.warning("read-back of a committed write failed", exc_info=True)
                    continue
                if doc is not None:
                    return Written(result, doc, source)
            return Written(result, None, FROM_COMMAND)

        return await in_thread(run)

    def _wait_sync(self, position: int | None, projections: Sequence[str]) -> bool:
        """Whether every projection reached ``position`` within the read-your-writes timeout."""
        if position is None:
            return True
        deadline = time.monotonic() + self.settings.read_your_writes_timeout
        reached = True
        for name in projections:
            remaining = max(0.0, deadline - time.monotonic())
            reached = self._wait_for(name, position, remaining) and reached
        return reached

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


def _nothing_quarantined(projection: str, subject: str) -> bool:
    return False


def run_command(command: Callable[[], R], retry: bool = False) -> R:
    """Run a domain command: lost races retried when ``retry`` (after a random pause that
    doubles each time, so the losers do not collide again at once), a database failure answered
    as nothing recorded."""
    attempts = CONFLICT_ATTEMPTS if retry else 1
    for attempt in range(1, attempts + 1):
        try:
            return command()
        except ConcurrentModification:
            if attempt == attempts:
                raise
            time.sleep(random.uniform(0, 0.002 * 2**attempt))
        except DATABASE_UNAVAILABLE as exc:
            raise not_recorded() from exc
    raise AssertionError("unreachable")  # pragma: no cover


class Turns:
    """One lock per resource id while writers of it are waiting (thread-safe; an id's lock is
    dropped when its last writer is done, so the map holds only ids being written)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[object, tuple[threading.Lock, int]] = {}

    @contextlib.contextmanager
    def turn(self, key: object) -> Iterator[None]:
        """Hold ``key``'s turn for the block."""
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


_threads: ThreadPoolExecutor | None = None
_threads_size = 0
_threads_lock = threading.Lock()


def use_threads(size: int) -> None:
    """Size the web's one pool of worker threads (``REGISTRY_WEB_THREADS``; a Context sets it
    from its settings). Every blocking call of a request (reads, writes with their
    read-your-writes waits, probes) runs there, so this is the one limit on how many run at once
    per web worker; the rest queue."""
    global _threads, _threads_size
    with _threads_lock:
        if _threads is not None and _threads_size == size:
            return
        old, _threads = _threads, ThreadPoolExecutor(size, thread_name_prefix="web")
        _threads_size = size
    if old is not None:
        old.shutdown(wait=False)


async def in_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``func(*args, **kwargs)`` in a thread of the web's pool (``use_threads``), with this
    request's context variables (the request id of log records).

    The one thread hop of the web (issue 19: reads used the loop's default executor, writes
    anyio's pool, each with its own invisible limit). ``run_in_executor`` on a plain pool cost
    ~12 us of CPU per call against ~32 us for Starlette's ``run_in_threadpool`` (anyio: capacity
    limiter, backend look-ups, its own worker queue; a loop of no-op calls, 8 at a time, under
    uvloop); a read's whole web CPU is ~400 us."""
    if _threads is None:
        use_threads(DEFAULT_THREADS)
    call = functools.partial(func, *args, **kwargs) if args or kwargs else func
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_threads, contextvars.copy_context().run, call)


#: The name the pages use (``web.ui``): the same hop.
in_read_thread = in_thread


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
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > MAX_VERSION_DIGITS:  # a valid ETag no version ever had (and no int())
        raise ApiError(412, "If-Match names a version this resource never had.", kind=STALE)
    return int(digits)


def bound(ctx: Context, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Bind an endpoint to its context (Starlette sees through ``functools.partial``)."""
    return functools.partial(handler, ctx)
