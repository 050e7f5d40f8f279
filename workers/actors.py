"""The Dramatiq actors. Import this module only after `workers.broker.make_broker(...)`.

Actors take ids, never objects, declare their queue, retries, backoff and time limit, and are
idempotent: a redelivered `sync_biotools` records nothing when bio.tools has not changed (the
domain ignores identical records), and a redelivered `send_mail` builds the same Message-IDs.
Their dependencies come from `workers.runtime.current()`, built once per process.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from workers import runtime
from workers.biotools_client import BioToolsRateLimited, BioToolsUnavailable
from workers.delivery import MailInFlight
from workers.notifications import deliver_notification
from workers.queues import BIOTOOLS_QUEUE, MAIL_QUEUE
from workers.sync import sync_submission

__all__ = ["ALL_ACTORS", "bind_actors", "biotools_sync_exhausted", "send_mail", "sync_biotools"]

log = logging.getLogger(__name__)


@dramatiq.actor(
    queue_name=BIOTOOLS_QUEUE,
    max_retries=5,
    min_backoff=10_000,
    max_backoff=600_000,
    # Above the client's own timeouts (5 s connect, 10 s read), which do the real bounding.
    time_limit=60_000,
    on_retry_exhausted="biotools_sync_exhausted",
)
def sync_biotools(submission_id: str) -> None:
    """Fetch the submission's linked bio.tools entry and record it if it changed; a 404 is
    recorded as a failure and not retried; outages and rate limits are retried."""
    context = runtime.current()
    try:
        result = sync_submission(context.links, context.biotools.fetch, submission_id)
    except (BioToolsRateLimited, BioToolsUnavailable) as exc:
        if exc.retry_after is not None:
            raise dramatiq.Retry(str(exc), delay=int(exc.retry_after * 1000)) from exc
        raise
    log.info("bio.tools sync %s: %s (%s)", submission_id, result.outcome, result.biotools_id)


@dramatiq.actor(queue_name=BIOTOOLS_QUEUE, max_retries=3, min_backoff=5_000, time_limit=30_000)
def biotools_sync_exhausted(message: dict[str, Any], retry_info: dict[str, Any]) -> None:
    """Record a failure once `sync_biotools` has used up its retries."""
    submission_id = str(message["args"][0])
    context = runtime.current()
    biotools_id = context.links.linked_biotools_id(submission_id)
    if not biotools_id:
        return
    trace = str(message.get("options", {}).get("traceback") or "").strip().splitlines()
    reason = trace[-1] if trace else "unknown error"
    error = f"bio.tools sync failed after {retry_info.get('retries', '?')} retries: {reason}"
    context.links.record_failure(submission_id, biotools_id, error)


@dramatiq.actor(queue_name=MAIL_QUEUE, max_retries=3, min_backoff=60_000, time_limit=600_000)
def send_mail(kind: str, submission_id: str, position: int) -> None:
    """Send the notification mails of the event at `position` (`created`, `updated`,
    `status_changed`) about one submission."""
    context = runtime.current()
    try:
        deliver_notification(
            context.notifications,
            context.mail_settings,
            context.mail_sender,
            kind,
            submission_id,
            position,
        )
    except MailInFlight as exc:  # retried once the other sender's claim has run out
        raise dramatiq.Retry(str(exc), delay=int(exc.retry_in * 1000) + 500) from exc


ALL_ACTORS: tuple[dramatiq.Actor[Any, Any], ...] = (
    sync_biotools,
    biotools_sync_exhausted,
    send_mail,
)


def bind_actors(broker: dramatiq.Broker) -> None:
    """Re-declare every actor on `broker` (for a process or test that switches brokers after
    this module was imported)."""
    for actor in ALL_ACTORS:
        actor.broker = broker
        broker.declare_actor(actor)
