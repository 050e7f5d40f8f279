"""The PostgreSQL connection budget: what each process may hold at most, from the settings.

Each process has two pools of its pool-size setting (the registry's and the event store's; each
opens one connection and grows on demand, ``registry.runtime.Services``) and a few connections
of its own (listeners, advisory-lock sessions, probes). These functions state the ceilings that
``docs/operations.md`` ("Connection budget") and ``docs/deploy.md`` quote, so the documents and
the processes cannot disagree (``tests/integration/test_connection_budget.py`` compares the
documents and opens the pools and counts). The rate limits in PostgreSQL
(``REGISTRY_RATE_LIMIT_STORAGE=database``) and the idempotency, session and key stores use the
registry pool: no extra connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from schema.settings import Settings

#: Read-table versions a fresh database follows (one listener connection each in ``project``).
FRESH_VERSIONS = 10


@dataclass(frozen=True)
class Part:
    """One process's ceiling: ``pools`` (from the pool-size settings) + ``own``."""

    process: str
    pools: int
    own: int
    detail: str

    @property
    def total(self) -> int:
        """The most connections the process holds at once."""
        return self.pools + self.own


def serve_worker(settings: Settings) -> Part:
    """One uvicorn worker of ``registry serve``."""
    return Part(
        "registry serve, per web worker",
        2 * settings.web_pool_size,
        4,
        "1 progress listener (LISTEN), 1 metrics refresher, 2 readiness probes",
    )


def project(settings: Settings, versions: int = FRESH_VERSIONS) -> Part:
    """``registry project`` following ``versions`` read-table versions."""
    return Part(
        "registry project",
        2 * settings.projector_pool_size,
        3 + versions,
        f"event listener (LISTEN), supervisor, shared loop, {versions} followed versions"
        " (advisory-lock sessions)",
    )


def worker(settings: Settings, *, postgres_broker: bool) -> Part:
    """``registry worker``; with a ``postgresql://`` broker, its broker pool too."""
    broker = settings.broker_pool_size if postgres_broker else 0
    return Part(
        "registry worker",
        2 * settings.worker_pool_size + broker,
        2,
        "follower lock and position" + (f", broker pool {broker}" if broker else ""),
    )


def schedule(settings: Settings, running_jobs: int = 1) -> Part:
    """``registry schedule`` with ``running_jobs`` jobs running at once."""
    return Part(
        "registry schedule",
        2 * settings.command_pool_size,
        1 + running_jobs,
        f"scheduler lock (advisory-lock session), {running_jobs} running job(s)",
    )


def command(settings: Settings) -> Part:
    """A one-shot command (``migrate``, ``admin-keys``, ``import``, ``projections …``)."""
    return Part("one-shot command", 2 * settings.command_pool_size, 2, "while it runs")


def host(
    settings: Settings,
    *,
    web_workers: int | None = None,
    postgres_broker: bool | None = None,
    versions: int = FRESH_VERSIONS,
) -> list[Part]:
    """The parts of one host running ``serve`` (``web_workers``; None: the setting), ``project``,
    ``worker`` and ``schedule`` (the broker: the settings' unless told)."""
    if postgres_broker is None:
        postgres_broker = settings.broker_url is None or settings.broker_url.startswith(
            ("postgresql://", "postgres://")
        )
    workers = settings.web_workers if web_workers is None else web_workers
    return [serve_worker(settings)] * workers + [
        project(settings, versions),
        worker(settings, postgres_broker=postgres_broker),
        schedule(settings),
    ]


def deployment(
    settings: Settings,
    hosts: int,
    *,
    web_workers: int | None = None,
    postgres_broker: bool | None = None,
    versions: int = FRESH_VERSIONS,
) -> int:
    """The most connections ``hosts`` identical hosts hold (see :func:`host`), plus one one-shot
    command running (``migrate`` on a start, ``registry projections check``)."""
    parts = host(
        settings, web_workers=web_workers, postgres_broker=postgres_broker, versions=versions
    )
    return hosts * sum(part.total for part in parts) + command(settings).total
