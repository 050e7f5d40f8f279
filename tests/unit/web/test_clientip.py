"""The client address: forwarding headers only from trusted proxies."""

from __future__ import annotations

from starlette.requests import Request

from web.clientip import client_ip, parse_networks


def request(peer: str, **headers: str) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw, "client": (peer, 1234)})


PROXIES = parse_networks(["10.0.0.0/8"])


def test_the_peer_is_used_when_it_is_not_a_trusted_proxy() -> None:
    assert client_ip(request("203.0.113.5", x_real_ip="1.2.3.4"), PROXIES) == "203.0.113.5"


def test_x_real_ip_wins_over_x_forwarded_for_from_a_proxy() -> None:
    got = client_ip(request("10.1.2.3", x_real_ip="1.2.3.4", x_forwarded_for="5.6.7.8"), PROXIES)
    assert got == "1.2.3.4"


def test_the_first_forwarded_address_is_used_without_x_real_ip() -> None:
    got = client_ip(request("10.1.2.3", x_forwarded_for="5.6.7.8, 10.0.0.1"), PROXIES)
    assert got == "5.6.7.8"


def test_garbage_in_forwarding_headers_falls_back_to_the_peer() -> None:
    got = client_ip(request("10.1.2.3", x_real_ip="<script>", x_forwarded_for="nope"), PROXIES)
    assert got == "10.1.2.3"
