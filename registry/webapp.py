"""Building the web app from the real parts (one per web process)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from starlette.applications import Starlette

from projections import operations
from projections.idempotency import IdempotencyStore
from projections.progress import ProgressListener
from projections.queries import ReadModel
from registry.probes import Probe, broker_probe, database_probe, projections_probe
from registry.runtime import Services, broker_url, open_database
from schema.settings import load_settings
from web.app import WebServices, create_app


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
        }
        for s in operations.status(database_url)
    ]


def build_app(
    settings: Any,
    services: Services,
    progress: ProgressListener,
    probes: Sequence[tuple[str, Probe]],
) -> Starlette:
    """The API over ``services`` with read-your-writes through ``progress``."""
    url = services.database_url
    web = WebServices(
        probes=probes,
        settings=settings,
        registry=services.registry,
        read_model=ReadModel(services.pool, registry=services.registry),
        wait_for=progress.wait_for,
        idempotency=IdempotencyStore(services.pool),
        projection_status=lambda: projection_status(url),
    )
    return create_app(web)


def create_from_environment() -> Starlette:
    """The uvicorn factory of ``registry serve``: settings, database and parts of this process."""
    settings = load_settings()
    database = open_database(settings)
    services = Services(database.url, settings)
    progress = ProgressListener(database.url)
    probes = [
        ("database", database_probe(services.pool)),
        ("broker", broker_probe(broker_url(settings, database))),
        ("projections", projections_probe(database.url)),
    ]
    app = build_app(settings, services, progress, probes)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            progress.close()
            services.close()
            database.close()

    app.router.lifespan_context = lifespan
    return app
