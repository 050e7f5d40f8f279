"""Building the web app from the real parts (one per web process)."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any

from psycopg_pool import ConnectionPool
from starlette.applications import Starlette

from projections import operations
from projections.admin_accounts import PostgresAdminCredentials
from projections.idempotency import IdempotencyStore
from projections.key_vault import PostgresKeyVault
from projections.progress import ProgressListener
from projections.queries import ReadModel
from projections.ratelimits import PostgresRateLimitStorage
from projections.reference_catalog import PostgresReferenceCatalog
from projections.ui_sessions import PostgresSessionStore
from registry.biotools_lookup import ClientLookup
from registry.logs import configure_logging
from registry.probes import Probe, readiness_probes, warning_probes
from registry.queues import BrokerQueues
from registry.runtime import Services, broker_url, open_database
from schema.settings import Settings, load_settings
from web.app import WebServices, create_app
from web.media.s3 import S3MediaStore
from web.media.store import FilesystemMediaStore
from web.metrics import Metrics
from web.ratelimit import Limiter, RateLimiter, SharedRateLimiter, redis_storage

log = logging.getLogger("registry.metrics")

#: How often the event-store and projection gauges are refreshed (seconds).
GAUGE_INTERVAL = 5.0


class GaugeFeeder:
    """Keeps ``registry_events_appended`` and ``registry_projection_lag_events`` current.

    A thread refreshes them every few seconds instead of on each scrape, so a scrape never waits
    on the database and a slow database never slows the event loop.
    """

    def __init__(self, database_url: str, metrics: Metrics) -> None:
        self._url = database_url
        self._metrics = metrics
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gauges", daemon=True)
        self._thread.start()

    def refresh(self) -> None:
        """Read the catalogue once and set the gauges."""
        lines = operations.status(self._url)
        if lines:
            self._metrics.events_appended.set(max(line.head for line in lines))
        for line in lines:
            if line.live:
                self._metrics.projection_lag.labels(projection=line.name).set(line.lag)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:  # a failed refresh must not end the loop; the next one retries
                log.warning("metrics refresh failed", exc_info=True)
            self._stop.wait(GAUGE_INTERVAL)

    def close(self) -> None:
        """Stop the refresher thread."""
        self._stop.set()
        self._thread.join(timeout=5)


def projection_status(database_url: str) -> list[dict[str, Any]]:
    """The body of ``GET /api/v1/projections/``."""
    return [
        {
            "name": s.name,
            "version": s.version,
            "state": s.state,
            "live": s.live,
            "position": s.position,
            "lag": s.lag,
            "quarantined": s.quarantined,
        }
        for s in operations.status(database_url)
    ]


def biotools_refresh(settings: Any, services: Services, ids: Sequence[str]) -> str:
    """The admin page's "Sync selected now": the CLI's ``biotools sync`` for these ids."""
    from workers.biotools_client import BioToolsClient
    from workers.refresh import refresh_biotools
    from workers.registry_adapter import RegistryLinks

    with BioToolsClient(settings.biotools_url) as client:
        summary = refresh_biotools(list(ids), RegistryLinks(services.registry), client)
    done = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.outcomes.items()))
    return f"{summary.total} synced ({done or 'nothing'}; {summary.errors} errors)"


def build_app(
    settings: Any,
    services: Services,
    progress: ProgressListener,
    probes: Sequence[tuple[str, Probe]],
    metrics: Metrics | None = None,
    broker: str | None = None,
) -> Starlette:
    """The API over ``services`` with read-your-writes through ``progress``; the System page
    shows the depth of the worker queues on ``broker`` (a broker URL; None: not shown)."""
    url = services.database_url
    read_model = ReadModel(
        services.pool, registry=services.registry, key_stamp=lambda: progress.stamp("api_keys")
    )
    # What this process caches about a submission goes when its erasure commits anywhere.
    progress.on_erasure(read_model.forget_erased)
    # Reference records and the EDAM/SPDX catalogue: reused only until a change commits anywhere.
    services.registry.reference_cache.follow(progress.reference_stamp)
    catalog = services.registry.catalog
    if isinstance(catalog, PostgresReferenceCatalog):
        catalog.follow(progress.reference_stamp)
    progress.on_erasure(read_model.forget_timelines)
    vault = services.registry.key_vault
    if isinstance(vault, PostgresKeyVault):
        progress.on_erasure(vault.forget_erased)
    web = WebServices(
        metrics=metrics or Metrics(),
        probes=probes,
        settings=settings,
        registry=services.registry,
        read_model=read_model,
        wait_for=progress.wait_for,
        idempotency=IdempotencyStore(services.pool, ttl=settings.idempotency_ttl),
        sessions=PostgresSessionStore(services.pool),
        admin_credentials=PostgresAdminCredentials(services.pool),
        biotools_refresh=lambda ids: biotools_refresh(settings, services, ids),
        projection_status=lambda: projection_status(url),
        warnings=warning_probes(url),
        quarantined=progress.quarantined,
        limiter=rate_limiter(settings, services.pool),
        media=media_store(settings),
        biotools=ClientLookup(settings.biotools_url),
        queue_depth=BrokerQueues(broker) if broker else None,
    )
    return create_app(web)


def media_store(settings: Settings) -> FilesystemMediaStore | S3MediaStore:
    """The bucket of ``REGISTRY_MEDIA_S3_BUCKET`` when set, else the directory ``media_root``."""
    if settings.media_s3_bucket:
        return S3MediaStore(
            settings.media_s3_bucket,
            prefix=settings.media_s3_prefix,
            endpoint_url=settings.media_s3_endpoint_url,
            region=settings.media_s3_region,
        )
    return FilesystemMediaStore(settings.media_root)


def rate_limiter(settings: Settings, pool: ConnectionPool[Any]) -> Limiter:
    """The rate limiter ``settings.limit_storage`` asks for (``web.ratelimit``); ``database``
    counts through ``pool`` (the registry pool: one short statement per counted call)."""
    where = settings.limit_storage
    if where == "memory":
        return RateLimiter(settings.rate_limits)
    storage = PostgresRateLimitStorage(pool) if where == "database" else redis_storage(where)
    return SharedRateLimiter(settings.rate_limits, storage)


def freeze_startup_objects() -> None:
    """Move the objects a web worker holds once it is built (modules, the app and its routes,
    templates, validators: ~100,000) to the collector's permanent generation, which full
    collections skip (``gc.freeze``, recommended by the interpreter's documentation for servers).

    Under read load a worker ran a full collection every 2-3 s, each 100-245 ms with 118,000-
    174,000 tracked objects (a ``gc.callbacks`` timer, README "Issue 19: registry bench pairs"):
    every request in flight waited. With the start-up objects frozen, the slowest detail GET of a
    ``registry bench --only reads`` run (median of its three steps' maxima) was 25-59 ms in three
    runs against 124-173 ms in four without, the slowest list page 59-109 ms against 155-206 ms;
    p99s did not move (pauses are rarer than one request in a hundred). Start-up objects are not
    garbage, so freezing keeps nothing alive that would have been freed."""
    gc.collect()
    gc.freeze()


def create_from_environment() -> Starlette:
    """The uvicorn factory of ``registry serve``: settings, logging, database and parts of this
    process. With several workers uvicorn spawns fresh interpreters that run only this, so the
    logging setup is made here too: otherwise they log plain text, unredacted, without INFO."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    database = open_database(settings)
    services = Services(database.url, settings)
    progress = ProgressListener(database.url)
    broker = broker_url(settings, database)
    probes = readiness_probes(services.pool, database.url, broker)
    metrics = Metrics()
    feeder = GaugeFeeder(database.url, metrics)
    app = build_app(settings, services, progress, probes, metrics, broker)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        freeze_startup_objects()
        try:
            yield
        finally:
            feeder.close()
            progress.close()
            services.close()
            database.close()

    app.router.lifespan_context = lifespan
    return app
