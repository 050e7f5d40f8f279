"""Per-process rate limits: per client IP for anonymous creation, per key for authenticated calls.

``settings.rate_limits`` is ``off`` or ``class=N/second|minute|hour`` pairs. The classes:

- ``anonymous``: registrations (``POST /api/v1/submissions/``) per client IP;
- ``invalid``: registrations of that IP refused as invalid input (400, 413, 415, 422). A
  request counts against ``anonymous`` while it runs and is moved to ``invalid`` once refused,
  so a newcomer fixing a payload one error at a time spends the more generous budget, and a
  client whose ``invalid`` budget is spent waits before anything of it is looked at again.
  Without an ``invalid`` class, refused requests keep counting against ``anonymous``;
- ``key``: every authenticated call per key.

A sliding-window counter per (class, identity) is kept in memory: limits are per process, which
is what a single ``registry serve`` needs; several processes each allow the limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from web.errors import ApiError

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


class RateLimiter:
    """Counts hits per (class, identity) and refuses with 429 + ``Retry-After`` over the limit."""

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
                retry = max(1, math.ceil(window[0] + rate.period - now))
                raise ApiError(
                    429,
                    f"Request was throttled. Expected available in {retry} seconds.",
                    headers={"Retry-After": str(retry)},
                )
            if record:
                window.append(now)
        return now

    def _prune(self, now: float) -> None:
        """Forget identities whose every hit is outside their window (bounded memory)."""
        for (kind, identity), window in list(self._hits.items()):
            rate = self._rates.get(kind)
            if rate is None or not window or window[-1] <= now - rate.period:
                del self._hits[(kind, identity)]
