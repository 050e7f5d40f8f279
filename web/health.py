"""Liveness and readiness endpoints.

Liveness says the process answers. Readiness runs every probe (database, broker, projection
runners); a failing probe's reason goes to the log, never to the body, so the endpoint reveals
nothing about the infrastructure to the public. Warning probes (quarantined projection rows) do
not make the process unready, since it serves, but their names are listed in the body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse

from web.context import in_thread

#: A probe returns None when its dependency is fine, else a short reason for the log.
Probe = Callable[[], str | None]

log = logging.getLogger("registry.health")


async def live(request: Request) -> JSONResponse:
    """Answer 200 while the process serves requests."""
    return JSONResponse({"status": "ok"})


def make_ready(
    probes: Sequence[tuple[str, Probe]], warnings: Sequence[tuple[str, Probe]] = ()
) -> Callable[[Request], object]:
    """Build the readiness endpoint over the given named probes and warning probes."""

    async def ready(request: Request) -> JSONResponse:
        failures = await in_thread(_run_probes, probes)
        if failures:
            for name, reason in failures:
                log.warning("readiness probe failed", extra={"probe": name, "reason": reason})
            return JSONResponse({"status": "degraded"}, status_code=503)
        warned = await in_thread(_run_probes, warnings)
        for name, reason in warned:
            log.warning("readiness warning", extra={"probe": name, "reason": reason})
        if warned:
            return JSONResponse({"status": "ok", "warnings": [name for name, _ in warned]})
        return JSONResponse({"status": "ok"})

    return ready


def _run_probes(probes: Sequence[tuple[str, Probe]]) -> list[tuple[str, str]]:
    failures: list[tuple[str, str]] = []
    for name, probe in probes:
        try:
            reason = probe()
        except Exception as exc:  # a probe that raises has failed; it is not a 500
            reason = f"{type(exc).__name__}: {exc}"
        if reason is not None:
            failures.append((name, reason))
    return failures
