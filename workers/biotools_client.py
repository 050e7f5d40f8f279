"""The one way this project talks to bio.tools: `GET {base}/tool/{id}/?format=json`.

Parsing happens here, at the edge: callers get a parsed entry or one of the typed errors below,
never an httpx response. The transport is injectable, so tests use `httpx.MockTransport` or the
local fake server (`bench.fake_biotools`), never the internet.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from domain.errors import RegistryError
from schema.biotools import BIOTOOLS_ID_PATTERN, BioToolsEntry, flat_record, parse_entry

__all__ = [
    "DEFAULT_BASE_URL",
    "BioToolsClient",
    "BioToolsError",
    "BioToolsInvalidResponse",
    "BioToolsNotFound",
    "BioToolsRateLimited",
    "BioToolsUnavailable",
    "FetchedTool",
    "RetryPolicy",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bio.tools/api"
DEFAULT_USER_AGENT = "denbi-service-registry/0.1 (+https://www.denbi.de/; bio.tools sync worker)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Used when a 429 or 503 carries no usable Retry-After; capped so one header cannot park a job.
DEFAULT_RETRY_AFTER = 30.0
MAX_RETRY_AFTER = 900.0


class BioToolsError(RegistryError):
    """Raised when fetching a bio.tools entry fails; the root of the client's errors."""


class BioToolsNotFound(BioToolsError):
    """Raised when bio.tools has no visible tool with that ID (HTTP 404); permanent, not retried."""

    def __init__(self, biotools_id: str, detail: str = "Not found.") -> None:
        self.biotools_id = biotools_id
        super().__init__(f"bio.tools ID '{biotools_id}' not found (HTTP 404): {detail}")


class BioToolsRateLimited(BioToolsError):
    """Raised when bio.tools answers 429; retry after `retry_after` seconds."""

    def __init__(self, biotools_id: str, retry_after: float) -> None:
        self.biotools_id = biotools_id
        self.retry_after = retry_after
        super().__init__(f"bio.tools rate limit for '{biotools_id}'; retry after {retry_after:g} s")


class BioToolsUnavailable(BioToolsError):
    """Raised when bio.tools answers 5xx or cannot be reached in time; transient, retried."""

    def __init__(self, biotools_id: str, reason: str, retry_after: float | None = None) -> None:
        self.biotools_id = biotools_id
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(f"bio.tools unavailable for '{biotools_id}': {reason}")


class BioToolsInvalidResponse(BioToolsError):
    """Raised when bio.tools answers 200 with something that is not a tool object; not retried."""

    def __init__(self, biotools_id: str, reason: str) -> None:
        self.biotools_id = biotools_id
        super().__init__(f"bio.tools returned an invalid answer for '{biotools_id}': {reason}")


@dataclass(frozen=True)
class FetchedTool:
    """A fetched bio.tools entry: the verbatim JSON and its parsed form."""

    raw: dict[str, Any]
    entry: BioToolsEntry

    @property
    def biotools_id(self) -> str:
        """The ID as bio.tools spells it (its case may differ from the one asked for)."""
        return self.entry.biotools_id

    @property
    def record(self) -> dict[str, Any]:
        """The flat, JSON-able record that goes into the sync event."""
        return flat_record(self.entry)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), clamped to
    [0, MAX_RETRY_AFTER]; DEFAULT_RETRY_AFTER when absent or unreadable."""
    if value is None or not value.strip():
        return DEFAULT_RETRY_AFTER
    text = value.strip()
    seconds: float
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


@dataclass(frozen=True)
class RetryPolicy:
    """How `fetch_with_retry` retries transient failures: bounded attempts and backoff.

    A 429/503 wait longer than `max_delay` is not slept through: the error is raised so that a
    job queue can reschedule instead of holding a thread.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter for the given 1-based failed attempt, capped."""
        delay = self.base_delay * (2 ** (attempt - 1))
        return float(min(delay * (1 + random.random() / 2), self.max_delay))


class BioToolsClient:
    """A small, thread-safe wrapper around one `httpx.Client` for the bio.tools API."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            # httpx itself retries only failed connects; everything else is our policy's job.
            transport=transport or httpx.HTTPTransport(retries=2),
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    def __enter__(self) -> BioToolsClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def fetch(self, biotools_id: str) -> FetchedTool:
        """Fetch and parse one tool, in one attempt; raises a `BioToolsError` subclass."""
        if not BIOTOOLS_ID_PATTERN.match(biotools_id):
            raise BioToolsNotFound(biotools_id, "not a valid bio.tools ID")
        try:
            response = self._http.get(
                f"/tool/{quote(biotools_id, safe='')}/", params={"format": "json"}
            )
        except httpx.TimeoutException as exc:
            raise BioToolsUnavailable(biotools_id, f"timeout ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise BioToolsUnavailable(biotools_id, f"network error: {exc}") from exc
        return self._interpret(biotools_id, response)

    def fetch_with_retry(
        self,
        biotools_id: str,
        policy: RetryPolicy = RetryPolicy(),
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> FetchedTool:
        """`fetch` with the retry policy: transient failures are retried up to
        `policy.attempts` times; a 404 or an invalid answer is raised at once."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self.fetch(biotools_id)
            except (BioToolsRateLimited, BioToolsUnavailable) as exc:
                if attempt >= policy.attempts:
                    raise
                asked = exc.retry_after
                if asked is not None and asked > policy.max_delay:
                    raise
                delay = asked if asked is not None else policy.backoff(attempt)
                log.info("bio.tools %s: %s; retrying in %.2f s", biotools_id, exc, delay)
                sleep(delay)

    def _interpret(self, biotools_id: str, response: httpx.Response) -> FetchedTool:
        status = response.status_code
        if status == 404:
            raise BioToolsNotFound(biotools_id, _detail(response))
        if status == 429:
            raise BioToolsRateLimited(
                biotools_id, parse_retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            header = response.headers.get("Retry-After")
            raise BioToolsUnavailable(
                biotools_id,
                f"HTTP {status}",
                parse_retry_after(header) if header is not None else None,
            )
        if status != 200:
            # Other 4xx (a proxy refusing, an auth wall) are not the tool's fault: try again later.
            raise BioToolsUnavailable(biotools_id, f"HTTP {status}")
        try:
            raw = response.json()
        except ValueError as exc:
            raise BioToolsInvalidResponse(biotools_id, f"not JSON ({exc})") from exc
        if not isinstance(raw, dict):
            raise BioToolsInvalidResponse(biotools_id, f"a JSON {type(raw).__name__}")
        return FetchedTool(raw=raw, entry=parse_entry(raw))


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "Not found."
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return "Not found."
