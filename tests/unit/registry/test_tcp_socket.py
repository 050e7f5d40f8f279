"""The web socket is bound as TCP, so asyncio sets TCP_NODELAY on every accepted connection."""

from __future__ import annotations

import asyncio
import socket

from registry.process import tcp_socket


def _nodelay_of_accepted_connection(sock: socket.socket) -> int:
    async def main() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, 5)
        writer.close()
        server.close()
        return value

    return asyncio.run(main())


def test_accepted_connections_have_nagle_switched_off() -> None:
    sock = tcp_socket("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    assert _nodelay_of_accepted_connection(sock) != 0


def test_a_protocol_zero_socket_would_keep_nagle_on() -> None:
    # The behaviour tcp_socket() exists to avoid: uvicorn's own multi-worker socket.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert _nodelay_of_accepted_connection(sock) == 0
