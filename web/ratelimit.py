"""Per-process rate limits: per client IP for anonymous creation, per key for authenticated calls.

``settings.rate_limits`` is ``off`` or ``class=N/second|minute|hour`` pairs. The classes:

- ``anonymous``: registrations (``POST /api/v1/submissions/``) per client IP;
- ``invalid``: registrations of that IP refused as invalid input (400, 413, 415, 422). A
  request counts against ``anonymous`` while it runs and is moved to ``invalid`` once refused,
  so a newcomer fixing a payload one error at a time spends the more generous budget, and a
  client whose ``invalid`` budget is spent waits before anything of it is looked at again.
  Without an ``invalid`` class, refused requests keep counting against ``anonymous``;
- ``key``: every authenticated call per key.

Where the counts live (``REGISTRY_RATE_LIMIT_STORAGE``, see ``Settings.limit_storage``):

- ``memory`` (:class:`RateLimiter`, the embedded default): an exact sliding window per
  (class, identity) in this process. Limits are per process: several processes each allow the
  limit, so this is only right for one ``registry serve`` with one web worker;
- a shared store (:class:`SharedRateLimiter`): Redis, or PostgreSQL (``database``, the
  ``rate_limit_windows`` support table), through the ``limits`` library's fixed-window
  strategy. Every process and host counts against the same windows, so a limit is global.
  A fixed window lets a client spend its limit at the end of one window and again at the
  start of the next (at most twice the limit within one period, never more); the windows
  start at a class's first hit per identity. When the store cannot be reached the call is let
  through and a warning logged: a rate-limit store's outage does not take the API down.

The identity of an anonymous client is its address as ``web.clientip`` tells it (the
rightmost untrusted ``X-Forwarded-For`` hop), so rotating that header from an untrusted
address changes nothing.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from limits import RateLimitItemPerSecond
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from web.errors import ApiError

log = logging.getLogger("registry.ratelimit")

T = TypeVar("T")

#: Identities tracked before expired ones are swept (many anonymous IPs must not grow memory).
MAX_TRACKED = 10_000

_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}


@dataclass(frozen=True)
class Rate:
    """At most ``count`` hits per ``period`` seconds."""

    count: int
    period: float


def parse_rates(spec: str) -> dict[str, Rate]:
    """``'anonymous=10/minute,key=60/minute'`` → rates by class; ``'off'`` → no limits."""
    if spec.strip().lower() in ("off", "", "none"):
        return {}
    rates: dict[str, Rate] = {}
    for part in spec.split(","):
        name, _, rate = part.strip().partition("=")
        count, _, unit = rate.partition("/")
        if not name or not count.strip().isdigit() or unit.strip() not in _UNITS:
            raise ValueError(f"bad rate limit {part.strip()!r}: use class=N/second|minute|hour")
        rates[name.strip()] = Rate(int(count), _UNITS[unit.strip()])
    return rates


class Limiter(Protocol):
    """What the endpoints call: :class:`RateLimiter` (memory) or :class:`SharedRateLimiter`."""

    #: Whether a call goes over the network (then it is made in a worker thread).
    remote: bool

    def limits(self, kind: str) -> bool: ...
    def hit(self, kind: str, identity: str) -> float | None: ...
    def check(self, kind: str, identity: str) -> None: ...
    def record(self, kind: str, identity: str) -> None: ...
    def release(self, kind: str, identity: str, stamp: float | None) -> None: ...


def throttled(retry: int) -> ApiError:
    """The 429 of a spent limit, available again in ``retry`` seconds."""
    return ApiError(
        429,
        f"Request was throttled. Expected available in {retry} seconds.",
        headers={"Retry-After": str(retry)},
    )


class RateLimiter:
    """Counts hits per (class, identity) and refuses with 429 + ``Retry-After`` over the limit."""

    remote = False

    def __init__(self, spec: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._rates = parse_rates(spec)
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def limits(self, kind: str) -> bool:
        """Whether the class ``kind`` is configured (an unconfigured class is unlimited)."""
        return kind in self._rates

    def hit(self, kind: str, identity: str) -> float | None:
        """Count one call; raise a 429 ``ApiError`` when the class's limit is exceeded.

        Returns the stamp of the hit (for :meth:`release`), None when the class is unlimited."""
        return self._count(kind, identity, refuse=True)

    def check(self, kind: str, identity: str) -> None:
        """Raise the 429 :meth:`hit` would raise, counting nothing."""
        self._count(kind, identity, refuse=True, record=False)

    def record(self, kind: str, identity: str) -> None:
        """Count one call without ever refusing it (the call is already answered)."""
        self._count(kind, identity, refuse=False)

    def release(self, kind: str, identity: str, stamp: float | None) -> None:
        """Take back the hit :meth:`hit` returned ``stamp`` for (it is counted elsewhere)."""
        if stamp is None:
            return
        with self._lock:
            window = self._hits.get((kind, identity))
            if window is not None and stamp in window:
                window.remove(stamp)

    def _count(
        self, kind: str, identity: str, *, refuse: bool, record: bool = True
    ) -> float | None:
        rate = self._rates.get(kind)
        if rate is None:
            return None
        now = self._clock()
        with self._lock:
            if len(self._hits) > MAX_TRACKED:
                self._prune(now)
            window = self._hits.setdefault((kind, identity), deque())
            while window and window[0] <= now - rate.period:
                window.popleft()
            if refuse and len(window) >= rate.count:
                raise throttled(max(1, math.ceil(window[0] + rate.period - now)))
            if record:
                window.append(now)
        return now

    def _prune(self, now: float) -> None:
        """Forget identities whose every hit is outside their window (bounded memory)."""
        for (kind, identity), window in list(self._hits.items()):
            rate = self._rates.get(kind)
            if rate is None or not window or window[-1] <= now - rate.period:
                del self._hits[(kind, identity)]


#: Key prefix of the counts in a shared store (``limits`` adds its own ``LIMITS`` prefix in Redis).
NAMESPACE = "registry"


class SharedRateLimiter:
    """The :class:`Limiter` over a ``limits`` storage every process shares (Redis, PostgreSQL):
    fixed windows (see the module docstring)."""

    remote = True

    def __init__(self, spec: str, storage: Storage, clock: Callable[[], float] = time.time) -> None:
        self._items = {
            kind: RateLimitItemPerSecond(rate.count, max(1, round(rate.period)), NAMESPACE)
            for kind, rate in parse_rates(spec).items()
        }
        self.storage = storage
        self._strategy = FixedWindowRateLimiter(storage)
        self._clock = clock

    def limits(self, kind: str) -> bool:
        """Whether the class ``kind`` is configured (an unconfigured class is unlimited)."""
        return kind in self._items

    def hit(self, kind: str, identity: str) -> float | None:
        """Count one call; raise a 429 when the class's limit is exceeded (the refused call
        counts too, as ``limits`` counts it: the window still ends when it would)."""
        item = self._items.get(kind)
        if item is None:
            return None
        allowed = self._safely(lambda: self._strategy.hit(item, kind, identity), True)
        if not allowed:
            raise self._refusal(kind, identity)
        return self._clock()

    def check(self, kind: str, identity: str) -> None:
        """Raise the 429 :meth:`hit` would raise, counting nothing."""
        item = self._items.get(kind)
        if item is not None and not self._safely(
            lambda: self._strategy.test(item, kind, identity), True
        ):
            raise self._refusal(kind, identity)

    def record(self, kind: str, identity: str) -> None:
        """Count one call without ever refusing it (the call is already answered)."""
        self._add(kind, identity, 1)

    def release(self, kind: str, identity: str, stamp: float | None) -> None:
        """Take back the hit :meth:`hit` returned ``stamp`` for (it is counted elsewhere)."""
        if stamp is not None:
            self._add(kind, identity, -1)

    def _add(self, kind: str, identity: str, amount: int) -> None:
        item = self._items.get(kind)
        if item is None:
            return
        key = item.key_for(kind, identity)

        def add() -> None:
            # A window that ended meanwhile is not taken below zero (its successor starts at 0).
            if amount > 0 or self.storage.get(key) > 0:
                self.storage.incr(key, item.get_expiry(), amount=amount)

        self._safely(add, None)

    def _refusal(self, kind: str, identity: str) -> ApiError:
        item = self._items[kind]
        stats = self._safely(lambda: self._strategy.get_window_stats(item, kind, identity), None)
        reset = stats.reset_time if stats is not None else self._clock() + item.get_expiry()
        return throttled(max(1, math.ceil(reset - self._clock())))

    def _safely(self, call: Callable[[], T], otherwise: T) -> T:
        """``call()``, or ``otherwise`` (logged) when the store fails: an unreachable store
        lets calls through rather than refusing every one."""
        try:
            return call()
        except Exception:  # any store failure: redis, psycopg, limits
            log.warning("rate-limit store failed; the call is let through", exc_info=True)
            return otherwise


def redis_storage(url: str) -> Storage:
    """The ``limits`` storage of a ``redis://`` or ``rediss://`` URL."""
    # Timeouts, so an unreachable Redis costs a call at most a second (and then lets it through).
    storage = storage_from_string(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    if not isinstance(storage, Storage):  # pragma: no cover - an async scheme (async+redis://)
        raise ValueError(f"not a synchronous rate-limit storage: {url!r}")
    return storage
