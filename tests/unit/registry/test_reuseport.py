"""Each web worker gets its own SO_REUSEPORT socket, so the kernel spreads connections over the
workers (a shared socket let one worker accept a whole burst)."""

from __future__ import annotations

import select
import signal
import socket

import uvicorn
from uvicorn.supervisors.multiprocess import SIGNALS

from registry.reuseport import ReusePortMultiprocess, reuseport_socket


def test_connections_are_spread_over_the_sockets_of_one_port() -> None:
    first = reuseport_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = reuseport_socket("127.0.0.1", port)
    for sock in (first, second):
        sock.listen(64)
        sock.setblocking(False)
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
    accepted = {first: 0, second: 0}
    while sum(accepted.values()) < len(clients):
        ready, _, _ = select.select([first, second], [], [], 5)
        assert ready, "a connection was never accepted"
        for sock in ready:
            conn, _ = sock.accept()
            conn.close()
            accepted[sock] += 1
    assert accepted[first] > 0
    assert accepted[second] > 0
    for sock in (*clients, first, second):
        sock.close()


def test_every_worker_gets_a_socket_of_its_own_on_the_same_port() -> None:
    config = uvicorn.Config("registry.webapp:create_from_environment", workers=2)
    handlers = {sig: signal.getsignal(sig) for sig in SIGNALS}
    try:
        supervisor = ReusePortMultiprocess(config, "127.0.0.1", 0)
    finally:  # the supervisor installs its signal handlers; keep pytest's
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    [one] = supervisor.sockets
    port = one.getsockname()[1]
    supervisor._address = ("127.0.0.1", port)  # port 0 picks any port; pin the one chosen
    [two] = supervisor.sockets
    assert two is not one
    assert two.getsockname()[1] == port
    assert one.fileno() == -1, "the parent's copy of a handed socket is closed"
    assert two.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    assert two.proto == socket.IPPROTO_TCP
    two.close()
