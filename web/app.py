"""The Starlette application factory: routes, middleware and exception handlers, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route

from domain.errors import RegistryError
from schema.settings import Settings
from web import docs, health
from web.auth import NotAuthenticated, on_not_authenticated
from web.clientip import parse_networks
from web.context import Context
from web.edge import EdgeMiddleware
from web.endpoints import erasure, lifecycle, ops, public, reference, registration, submissions
from web.errors import (
    DATABASE_UNAVAILABLE,
    ApiError,
    on_api_error,
    on_database_unavailable,
    on_domain_error,
    on_http_error,
)
from web.media import serve as media
from web.media.store import FilesystemMediaStore, MediaStore
from web.metrics import Metrics, MetricsAccess, make_endpoint
from web.ports import (
    AdminCredentialStore,
    BioToolsLookup,
    BioToolsRefresh,
    IdempotencyStore,
    Quarantined,
    QueueDepth,
    ReadPort,
    RegistryPort,
    SessionStore,
    WaitFor,
)
from web.ratelimit import Limiter
from web.ui import page_routes
from web.ui.assets import Assets
from web.ui.errors import pages_or, server_error
from web.ui.render import Renderer


def _never_waits(name: str, position: int, timeout: float) -> bool:
    return True


@dataclass(frozen=True)
class WebServices:
    """Everything the web layer needs from the outside, built by the composition root.

    Fields:
        probes: named readiness probes for ``/health/ready/``.
        extra_routes: routes appended after the API's (tests, process-specific pages).
        settings: the process settings (limits, CORS, proxies, timeouts, base URL).
        registry: the domain ``Registry`` (submission and reference-data commands); without
            it and ``read_model`` only health, metrics and the docs are served.
        read_model: the read queries (``projections.queries.ReadModel`` or an adapter).
        wait_for: ``wait_for(projection, position, timeout) -> bool`` for read-your-writes.
        idempotency: where first responses to idempotent creates are kept (None: the
            ``Idempotency-Key`` header is ignored).
        projection_status: callable returning ``/api/v1/projections/``'s JSON body.
        metrics: the metric families; the composition root feeds its gauges.
        media: where uploaded logos are stored and served from (None: the filesystem under
            ``settings.media_root``).
        warnings: named probes whose failure ``/health/ready/`` reports (and logs) but that
            leave the process ready (e.g. quarantined projection rows).
        quarantined: ``quarantined(projection, subject)`` for read-your-writes (see
            ``web.context``).
        sessions: the web pages' session store (None: no signed-in pages).
        limiter: the rate limiter (None: per process, in memory; ``web.ratelimit``).
        biotools: the registration form's bio.tools look-up (None: no prefill button).
        admin_credentials: the admin console's support tables (None: admin keys only, no
            named accounts).
        biotools_refresh: syncs bio.tools records now (None: no "Sync selected now").
        queue_depth: the worker queues' depth for the System page (None: not shown).
    """

    probes: Sequence[tuple[str, health.Probe]] = ()
    extra_routes: Sequence[BaseRoute] = field(default_factory=tuple)
    settings: Settings = field(default_factory=Settings)
    registry: RegistryPort | None = None
    read_model: ReadPort | None = None
    wait_for: WaitFor = _never_waits
    idempotency: IdempotencyStore | None = None
    projection_status: ops.ProjectionStatus | None = None
    metrics: Metrics = field(default_factory=Metrics)
    media: MediaStore | None = None
    warnings: Sequence[tuple[str, health.Probe]] = ()
    quarantined: Quarantined | None = None
    sessions: SessionStore | None = None
    limiter: Limiter | None = None
    biotools: BioToolsLookup | None = None
    admin_credentials: AdminCredentialStore | None = None
    biotools_refresh: BioToolsRefresh | None = None
    queue_depth: QueueDepth | None = None

    def media_store(self) -> MediaStore:
        """The configured store, else the filesystem under ``settings.media_root``."""
        return self.media or FilesystemMediaStore(self.settings.media_root)


def context_of(services: WebServices) -> Context | None:
    """The request helpers over the given services (None without domain and read side)."""
    if services.registry is None or services.read_model is None:
        return None
    return Context(
        settings=services.settings,
        registry=services.registry,
        read_model=services.read_model,
        wait_for=services.wait_for,
        idempotency=services.idempotency,
        media=services.media_store(),
        quarantined=services.quarantined,
        limiter=services.limiter,
    )


def api_routes(services: WebServices, ctx: Context | None = None) -> list[BaseRoute]:
    """The ``/api/v1/`` routes over the given services (empty without domain and read side)."""
    ctx = ctx or context_of(services)
    if ctx is None:
        return []
    return [
        *submissions.routes(ctx),
        *lifecycle.routes(ctx),
        *erasure.routes(ctx),
        *reference.routes(ctx),
        *public.routes(ctx),
        *registration.routes(ctx),
        *ops.routes(ctx, services.projection_status),
        *media.routes(ctx.media),
    ]


def create_app(services: WebServices) -> Starlette:
    """Build the ASGI app over the given services: the API, its docs and the web pages."""
    settings = services.settings
    trusted = parse_networks(settings.trusted_proxies)
    metrics_access = MetricsAccess(settings.metrics_token, settings.metrics_allow)
    metrics = make_endpoint(services.metrics, metrics_access, trusted)
    ctx = context_of(services)
    assets = Assets()
    renderer = Renderer(settings, assets)
    routes: list[BaseRoute] = [
        Route("/health/live/", health.live, methods=["GET"]),
        Route(
            "/health/ready/",
            health.make_ready(services.probes, services.warnings),
            methods=["GET"],
        ),
        Route("/metrics", metrics, methods=["GET"]),  # type: ignore[arg-type]
        *assets.routes(),
        *docs.routes(),
        *api_routes(services, ctx),
        *page_routes(
            ctx,
            renderer,
            services.sessions,
            biotools=services.biotools,
            admin_credentials=services.admin_credentials,
            projection_status=services.projection_status,
            signins=lambda result: services.metrics.ui_signins.labels(result).inc(),
            biotools_refresh=services.biotools_refresh,
            queue_depth=services.queue_depth,
        ),
        *services.extra_routes,
    ]
    middleware = [
        Middleware(
            EdgeMiddleware,
            trusted=trusted,
            log_requests=settings.access_log,
            body_timeout=settings.body_read_timeout,
            metrics=services.metrics,
            on_error=server_error(renderer),
        ),
    ]
    origins = list(services.settings.cors_origins)
    if origins:
        middleware.insert(
            1,
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
                allow_headers=["authorization", "content-type", "if-match", "idempotency-key"],
                expose_headers=["etag", "x-request-id", "retry-after", "location"],
                allow_credentials=False,
                max_age=86400,
            ),
        )
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: pages_or(renderer, on_http_error),
            ApiError: on_api_error,
            NotAuthenticated: on_not_authenticated,
            RegistryError: on_domain_error,
            **dict.fromkeys(DATABASE_UNAVAILABLE, on_database_unavailable),
        },
    )
