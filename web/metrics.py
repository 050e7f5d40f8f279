"""Prometheus metrics: request counts and latencies by route and status, plus gauges and counters
that the composition root feeds (events appended, projection lag, worker job outcomes).

Each app gets its own :class:`Metrics` (its own ``CollectorRegistry``), so tests and several apps
in one process never collide.

Several processes, one scrape: ``registry serve`` with more than one worker sets
``PROMETHEUS_MULTIPROC_DIR`` to a fresh directory before it starts them (prometheus_client's
multiprocess mode). Every worker then writes its values to files there, and a scrape, whichever
worker answers it, reads them all: counters and histograms are summed over the workers (a dead
worker's counts stay in, so counters never go back), the gauges take the highest or the most
recent value.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import values as prometheus_values
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.clientip import Network, client_ip, parse_networks


def multiprocess_dir() -> str | None:
    """The directory shared by this process's siblings, when prometheus_client was imported in
    multiprocess mode (the variable must be set before the import: it picks the value class)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    multiprocess = prometheus_values.ValueClass is not prometheus_values.MutexValue
    return path if path and multiprocess else None


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
            "registry_events_appended",
            "Events in the event store.",
            registry=self.registry,
            multiprocess_mode="max",
        )
        #: Set per projection to (head position - projection position).
        self.projection_lag = Gauge(
            "registry_projection_lag_events",
            "Events the live version of a projection is behind the log.",
            ["projection"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        #: Incremented by workers (or the process that observes them) per job outcome.
        self.worker_jobs = Counter(
            "registry_worker_jobs",
            "Worker job outcomes, by actor and outcome.",
            ["actor", "outcome"],
            registry=self.registry,
        )
        #: Admin console sign-ins by result (ok, invalid, throttled): spec/ui.md §3.4.
        self.ui_signins = Counter(
            "ui_signins",
            "Admin console sign-ins, by result.",
            ["result"],
            registry=self.registry,
        )
        self._shared = multiprocess_dir()

    def render(self) -> bytes:
        """The text exposition format: this process's values, or every sibling's summed."""
        if self._shared is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=self._shared)  # type: ignore[no-untyped-call]
        return generate_latest(merged)


class MetricsAccess:
    """Who may read ``/metrics``: callers from ``allow`` (networks; empty: anyone) presenting
    ``Authorization: Bearer <token>`` (no token: none needed)."""

    def __init__(self, token: str | None = None, allow: tuple[str, ...] = ()) -> None:
        self._token = token.encode() if token else None
        self._allow: tuple[Network, ...] = parse_networks(allow)

    def status(self, address: str | None, authorization: str | None) -> int:
        """200 when the caller may read the metrics, else 403 (address) or 401 (token)."""
        if self._allow and not (
            address is not None and any(_within(address, net) for net in self._allow)
        ):
            return 403
        if self._token is not None:
            scheme, _, presented = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                presented.strip().encode(), self._token
            ):
                return 401
        return 200


def _within(address: str, network: Network) -> bool:
    return ipaddress.ip_address(address) in network


def make_endpoint(
    metrics: Metrics, access: MetricsAccess | None = None, trusted: tuple[Network, ...] = ()
) -> object:
    """``GET /metrics``, for the callers ``access`` lets through (the address as the
    trusted-proxy logic decides, so a proxy in front cannot open it to the world)."""
    guard = access or MetricsAccess()

    async def endpoint(request: Request) -> Response:
        status = guard.status(client_ip(request, trusted), request.headers.get("authorization"))
        if status == 401:
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        if status != 200:
            return Response(status_code=status)
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
