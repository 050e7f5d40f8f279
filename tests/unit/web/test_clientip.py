"""The client address: the rightmost untrusted X-Forwarded-For hop, only behind trusted proxies."""

from __future__ import annotations

from starlette.requests import Request

from web.clientip import client_ip, parse_networks


def request(peer: str, *forwarded: str, **headers: str) -> Request:
    raw = [(k.replace("_", "-").lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return Request({"type": "http", "headers": raw, "client": (peer, 1234)})


PROXIES = parse_networks(["10.0.0.0/8"])


def test_the_peer_is_used_when_it_is_not_a_trusted_proxy() -> None:
    got = client_ip(request("203.0.113.5", "1.2.3.4", x_real_ip="1.2.3.4"), PROXIES)
    assert got == "203.0.113.5"


def test_forwarding_headers_are_ignored_when_no_proxy_is_trusted() -> None:
    assert client_ip(request("127.0.0.1", "198.51.100.7"), ()) == "127.0.0.1"


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    # The client wrote "6.6.6.6, " itself; our proxy appended the address it saw.
    got = client_ip(request("10.1.2.3", "6.6.6.6, 198.51.100.7"), PROXIES)
    assert got == "198.51.100.7"


def test_trusted_hops_are_skipped_right_to_left() -> None:
    got = client_ip(request("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.0.0.9"), PROXIES)
    assert got == "198.51.100.7"


def test_several_forwarded_headers_form_one_list_in_order() -> None:
    got = client_ip(request("10.1.2.3", "6.6.6.6", "198.51.100.7"), PROXIES)
    assert got == "198.51.100.7"


def test_x_real_ip_is_not_believed_even_from_a_proxy() -> None:
    got = client_ip(request("10.1.2.3", "198.51.100.7", x_real_ip="6.6.6.6"), PROXIES)
    assert got == "198.51.100.7"


def test_garbage_in_the_forwarding_chain_stops_the_walk_at_our_side() -> None:
    assert client_ip(request("10.1.2.3", "nope"), PROXIES) == "10.1.2.3"
    assert client_ip(request("10.1.2.3", "198.51.100.7, <script>"), PROXIES) == "10.1.2.3"


def test_a_chain_of_only_trusted_hops_gives_the_leftmost_proxy() -> None:
    assert client_ip(request("10.1.2.3", "10.9.9.9, 10.0.0.1"), PROXIES) == "10.9.9.9"


def test_no_forwarding_header_from_a_proxy_gives_the_proxy() -> None:
    assert client_ip(request("10.1.2.3"), PROXIES) == "10.1.2.3"
