"""uvicorn's multi-worker supervisor with one listening socket per worker (SO_REUSEPORT).

With one socket shared by every worker, a burst of connections is taken by whichever worker
wakes first: asyncio accepts up to the backlog in one go, so the benchmark's eight keep-alive
connections all landed on one of the two workers (py-spy: one busy, one idle). With a socket per
worker bound with SO_REUSEPORT, the kernel spreads new connections over the workers evenly.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from registry.failures import bind


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound with SO_REUSEPORT (TCP, so accepted connections get TCP_NODELAY)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    bind(sock, host, port)
    return sock


class ReusePortMultiprocess(Multiprocess):
    """`Multiprocess` handing each worker it starts (or restarts) a socket of its own.

    uvicorn reads `sockets` once per worker it creates and starts that worker before creating
    the next, so the property makes a fresh socket each time and closes the parent's copy of the
    previous one (the started worker holds its own): a worker that dies takes its socket out of
    the group instead of leaving connections queued where nobody accepts them.
    """

    def __init__(self, config: uvicorn.Config, host: str, port: int) -> None:
        self._address = (host, port)
        # The first socket binds now, so a port in use fails here, before any worker starts.
        self._next: socket.socket | None = reuseport_socket(host, port)
        self._handed: socket.socket | None = None
        super().__init__(config, sockets=[])

    @property
    def sockets(self) -> list[socket.socket]:
        """A new socket for the worker about to be created."""
        if self._handed is not None:
            self._handed.close()  # the worker started with it holds its own copy
        sock = self._next if self._next is not None else reuseport_socket(*self._address)
        self._next = None
        self._handed = sock
        return [sock]

    @sockets.setter
    def sockets(self, value: list[socket.socket]) -> None:
        """Ignored: `Multiprocess.__init__` assigns one shared list; each worker gets its own."""
