"""Building the workers' parts from the process settings (called by the composition root).

broker = make_broker(settings.broker_url)            # first: actors bind to it on import
runtime.configure(lambda: build_context(open_registry(url), settings))
follower = build_follower(url, registry)             # enqueues after commit
scheduler.run(url, scheduled_jobs(url, registry, settings), stop)
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

from domain.application import Registry
from projections import idempotency
from schema.settings import Settings
from workers.biotools_client import BioToolsClient
from workers.delivery import LedgerSender
from workers.edam import load_edam
from workers.follower import SideEffectFollower, dramatiq_enqueue
from workers.mail import MailSender, MailSettings, make_sender
from workers.refresh import DEFAULT_CONCURRENCY, linked_submission_ids, refresh_biotools
from workers.registry_adapter import RegistryLinks, RegistryNotifications
from workers.runtime import WorkerContext
from workers.scheduler import ScheduledJobs
from workers.spdx import load_spdx

__all__ = ["build_context", "build_follower", "mail_settings", "scheduled_jobs"]

log = logging.getLogger(__name__)


def mail_settings(settings: Settings) -> MailSettings:
    """Mail addresses and the admin link base from the settings."""
    return MailSettings(
        from_address=settings.from_email,
        admin_address=settings.admin_email,
        notify_override=settings.notify_override,
        site_url=settings.public_base_url,
    )


def build_context(
    registry: Registry, settings: Settings, pool: ConnectionPool[Any] | None = None
) -> WorkerContext:
    """The actors' dependencies over `registry` (call inside the worker process); with `pool`,
    each mail is sent once per Message-ID (`workers.delivery`)."""
    sender: MailSender = make_sender(settings.smtp_url, settings.data_dir / "outbox")
    if pool is not None:
        sender = LedgerSender(sender, pool, lease=settings.mail_claim_seconds)
    return WorkerContext(
        links=RegistryLinks(registry),
        biotools=BioToolsClient(settings.biotools_url),
        notifications=RegistryNotifications(registry),
        mail_settings=mail_settings(settings),
        mail_sender=sender,
    )


def build_follower(database_url: str, registry: Registry) -> SideEffectFollower:
    """The side-effect follower sending to the actors (import after `make_broker`)."""
    from workers import actors

    by_name: dict[str, Any] = {"send_mail": actors.send_mail, "sync_biotools": actors.sync_biotools}
    return SideEffectFollower(database_url, registry, dramatiq_enqueue(by_name))


def scheduled_jobs(
    database_url: str,
    registry: Registry,
    settings: Settings,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> ScheduledJobs:
    """The scheduler's jobs: the bio.tools refresh runs in the scheduler process itself
    (bounded concurrency, one summary), EDAM and SPDX reload from their packages, expired
    idempotency records are deleted."""

    def refresh() -> None:
        with psycopg.connect(database_url) as conn:
            ids = linked_submission_ids(conn)
        with BioToolsClient(settings.biotools_url) as client:
            refresh_biotools(ids, RegistryLinks(registry), client, concurrency=concurrency)

    def edam() -> None:
        with psycopg.connect(database_url) as conn:
            log.info("EDAM reload: %s", load_edam(conn))

    def spdx() -> None:
        with psycopg.connect(database_url) as conn:
            log.info("SPDX reload: %s", load_spdx(conn))

    def sweep() -> None:
        with psycopg.connect(database_url) as conn:
            swept = idempotency.sweep(conn, settings.idempotency_ttl)
        log.info("idempotency records swept: %s", swept)

    return ScheduledJobs(
        refresh_biotools=refresh, refresh_edam=edam, refresh_spdx=spdx, sweep_idempotency=sweep
    )
