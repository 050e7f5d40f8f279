"""The one ASGI middleware every HTTP request passes through (outside any CORS layer).

One layer instead of six (issue 19): each ASGI layer wraps ``send`` and costs every request a few
microseconds of the event loop, which the benchmark found to be most of a cheap read's time.
What it does, in the order a request meets it:

- its id: every response carries ``X-Request-ID`` (a UUID; an incoming one is kept only when it
  is a well-formed UUID), also in problem documents and, through a context variable, in every
  record logged on its behalf (``web.requestid``, ``registry.logs.RequestIdFilter``);
- its body deadline: a body must arrive within ``REGISTRY_BODY_READ_TIMEOUT`` seconds of the
  request's start, else 408 and the connection closed (``web.requestid.with_deadline``);
- NUL characters in the path or query string answer a 400 problem (PostgreSQL text cannot hold
  NUL, so such a value would otherwise fail in a query as a 500; no legitimate client sends one);
- the security headers of spec §6 on every response (``web.security.HEADERS``) unless the
  endpoint set one itself;
- a bug answers 500 inside the request-id scope (Starlette's own last-resort handler sits
  outside every middleware and would lose the id): ``on_error`` builds the answer (the HTML
  page on page paths, the problem document on the API); logged with its traceback;
- one structured line on the ``registry.access`` logger (method, route template, never the raw
  path, status, duration, request id, client address as the trusted-proxy logic decides) and
  the request's count and latency in the metrics, under its route template.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.clientip import Network, scope_client_ip
from web.metrics import Metrics
from web.problems import problem
from web.requestid import incoming_request_id, start_request, with_deadline
from web.security import HEADERS

access_log = logging.getLogger("registry.access")
log = logging.getLogger("registry.web")

NUL_DETAIL = "NUL characters are not allowed in the URL."


def _has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


def problem_on_error(scope: Scope) -> Response:
    """The answer to a bug when nothing else is configured: a 500 problem, no details."""
    return problem(500, "A server error occurred.")


class EdgeMiddleware:
    """Request id, body deadline, NUL guard, security headers, the 500 on a bug, the access
    log and the metrics: one ``send`` wrapper for all of them.

    Args:
        trusted: proxies whose ``X-Forwarded-For`` is believed, for the logged client address.
        log_requests: write the per-request line (``REGISTRY_ACCESS_LOG``).
        body_timeout: seconds from the request's start within which its body must be complete
            (None: no bound).
        metrics: where requests are counted and timed (None: not counted).
        on_error: the response to an unexpected exception raised before anything was sent.
    """

    def __init__(
        self,
        app: ASGIApp,
        trusted: tuple[Network, ...] = (),
        log_requests: bool = True,
        body_timeout: float | None = None,
        metrics: Metrics | None = None,
        on_error: Callable[[Scope], Response] = problem_on_error,
    ) -> None:
        self.app = app
        self.trusted = trusted
        self.log_requests = log_requests
        self.body_timeout = body_timeout
        self.metrics = metrics
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = incoming_request_id(scope) or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        reset = start_request(request_id)
        status = 500  # what the client sees when nothing was sent (the server closes)
        sent = False

        async def edge_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                sent = True
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in HEADERS if k not in present)
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        if self.body_timeout is not None:
            receive = with_deadline(receive, self.body_timeout)
        try:
            if _has_nul(scope):
                await problem(400, NUL_DETAIL)(scope, receive, edge_send)
                return
            try:
                await self.app(scope, receive, edge_send)
            except Exception:
                log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
                if sent:
                    raise
                await self.on_error(scope)(scope, receive, edge_send)
        finally:
            self._record(scope, status, started, request_id)
            reset()

    def _record(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        seconds = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "<unmatched>"
        method = str(scope.get("method", ""))
        if self.metrics is not None:
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template, method).observe(seconds)
        if not self.log_requests:
            return
        duration_ms = round(seconds * 1000, 2)
        access_log.info(
            "%s %s %d %.1f ms",
            method,
            template,
            status,
            duration_ms,
            extra={
                "method": method,
                "route": template,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "client_ip": scope_client_ip(scope, self.trusted),
                "_no_secrets": True,  # registry.logs.SAFE: nothing here to redact
            },
        )
