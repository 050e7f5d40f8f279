"""Prometheus metrics: request counts and latencies by route and status, plus gauges and counters
that the composition root feeds (events appended, projection lag, worker job outcomes).

Each app gets its own :class:`Metrics` (its own ``CollectorRegistry``), so tests and several apps
in one process never collide.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    """The metric families of one process; the composition root sets the gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "registry_http_requests",
            "HTTP requests served, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "registry_http_request_duration_seconds",
            "HTTP request latency, by route template and method.",
            ["route", "method"],
            registry=self.registry,
        )
        #: Set to the store's highest notification id.
        self.events_appended = Gauge(
            "registry_events_appended", "Events in the event store.", registry=self.registry
        )
        #: Set per projection to (head position - projection position).
        self.projection_lag = Gauge(
            "registry_projection_lag_events",
            "Events the live version of a projection is behind the log.",
            ["projection"],
            registry=self.registry,
        )
        #: Incremented by workers (or the process that observes them) per job outcome.
        self.worker_jobs = Counter(
            "registry_worker_jobs",
            "Worker job outcomes, by actor and outcome.",
            ["actor", "outcome"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)


def make_endpoint(metrics: Metrics) -> object:
    """``GET /metrics``."""

    async def endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return endpoint


class MetricsMiddleware:
    """Times every HTTP request and counts it under its route template (never the raw path)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template, method).observe(time.perf_counter() - started)
