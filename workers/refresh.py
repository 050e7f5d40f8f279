"""The daily bio.tools refresh: every linked submission synced with bounded concurrency.

One submission's failure never stops the others; transient trouble is retried per record with
the client's bounded retry policy, and what is still failing afterwards is recorded as a sync
failure. The run ends with one summary line in the log.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg

from workers.biotools_client import (
    BioToolsClient,
    BioToolsRateLimited,
    BioToolsUnavailable,
    FetchedTool,
    RetryPolicy,
)
from workers.sync import BioToolsLinks, SyncResult, sync_submission

__all__ = ["RefreshSummary", "linked_submission_ids", "refresh_biotools"]

log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4  # polite to bio.tools: about 2-4 requests in flight


@dataclass(frozen=True)
class RefreshSummary:
    """How a refresh went: submissions tried, outcome counts, errors, seconds taken."""

    total: int
    outcomes: dict[str, int]
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Submissions refreshed per second."""
        return self.total / self.seconds if self.seconds > 0 else 0.0


def linked_submission_ids(conn: psycopg.Connection[Any]) -> list[str]:
    """Submissions with a bio.tools link, from the `biotools_records` read table (the sync
    re-reads each link from the registry, so a slightly stale list is harmless)."""
    rows = conn.execute(
        "SELECT submission_id::text FROM biotools_records "
        "WHERE biotools_id IS NOT NULL OR coalesce(state->>'biotools_url', '') <> '' "
        "ORDER BY submission_id"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _one(
    links: BioToolsLinks, fetch: Callable[[str], FetchedTool], submission_id: str
) -> SyncResult | Exception:
    try:
        return sync_submission(links, fetch, submission_id)
    except (BioToolsRateLimited, BioToolsUnavailable) as exc:
        biotools_id = links.linked_biotools_id(submission_id)
        if biotools_id:
            links.record_failure(submission_id, biotools_id, str(exc))
        return exc
    except Exception as exc:  # one broken record must not stop the refresh
        log.exception("bio.tools refresh of %s failed", submission_id)
        return exc


def refresh_biotools(
    submission_ids: Iterable[str],
    links: BioToolsLinks,
    client: BioToolsClient,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    policy: RetryPolicy | None = None,
    progress: Callable[[], None] | None = None,
) -> RefreshSummary:
    """Sync every submission in `submission_ids`, at most `concurrency` at a time, each fetch
    with `policy` (default: `RetryPolicy()`); `progress()` is called as each one ends."""
    retry = policy or RetryPolicy()
    ids = list(submission_ids)

    def fetch(biotools_id: str) -> FetchedTool:
        return client.fetch_with_retry(biotools_id, retry)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="refresh") as pool:

        def one(submission_id: str) -> SyncResult | Exception:
            result = _one(links, fetch, submission_id)
            if progress is not None:
                progress()
            return result

        results = list(pool.map(one, ids))
    seconds = time.monotonic() - started
    outcomes: Counter[str] = Counter(r.outcome for r in results if isinstance(r, SyncResult))
    errors = sum(1 for r in results if isinstance(r, Exception))
    summary = RefreshSummary(len(ids), dict(outcomes), errors, seconds)
    log.info(
        "bio.tools refresh: %d submissions in %.1f s (%s), %d errors",
        summary.total,
        seconds,
        ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())) or "nothing to do",
        errors,
    )
    return summary
