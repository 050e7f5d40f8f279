"""``/metrics`` of the processes that have no web app (``registry worker``, ``registry project``):
a small threaded HTTP server on a port of their own (``REGISTRY_WORKER_METRICS_PORT``,
``REGISTRY_PROJECT_METRICS_PORT``; unset: none, so several such processes on one host never
clash), with the same access rules as the web process's ``/metrics``."""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

from prometheus_client import CONTENT_TYPE_LATEST

from registry.failures import CannotListen
from web.metrics import Metrics, MetricsAccess


class MetricsServer:
    """Serves ``GET /metrics`` of ``metrics`` on ``host:port`` until :meth:`close`.

    Binding happens in the constructor, so a port in use fails the process at start.
    """

    def __init__(self, metrics: Metrics, access: MetricsAccess, host: str, port: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the http.server naming
                if self.path.split("?")[0] != "/metrics":
                    self._answer(404, b"")
                    return
                status = access.status(self.client_address[0], self.headers.get("authorization"))
                self._answer(status, metrics.render() if status == 200 else b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", CONTENT_TYPE_LATEST)
                self.send_header("Content-Length", str(len(body)))
                if status == 401:
                    self.send_header("WWW-Authenticate", "Bearer")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Scrapes are not logged (one every few seconds would drown the log)."""

        server = _Server6 if ":" in host else ThreadingHTTPServer
        try:
            self._server = server((host, port), Handler)
        except OSError as exc:
            raise CannotListen(host, port, exc) from exc
        self._server.daemon_threads = True
        self._thread = Thread(target=self._server.serve_forever, name="metrics", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._server.server_address[1])

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6
