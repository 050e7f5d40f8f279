"""The client's address and User-Agent fingerprint, as recorded on registration and in the logs.

The address is the rightmost ``X-Forwarded-For`` hop that is not a trusted proxy, and only when
the direct peer is one (``REGISTRY_TRUSTED_PROXIES``); otherwise it is the peer itself.

Why the rightmost: each proxy appends the address it received the request from, so the entries
right of the first untrusted one were written by our proxies and the entries left of it by
whoever sent the request, i.e. anything the client liked. Taking the leftmost let a client claim
any address, escape the per-IP rate limit and write a forged ``submission_ip`` into the event
log. ``X-Real-IP`` is not read: it is a single value with no chain, so whether a proxy
overwrote it or passed the client's own through cannot be told. uvicorn's own proxy-header
handling is off (``registry.process``), so the peer seen here is the real TCP peer.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from starlette.requests import Request
from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks (of trusted proxies, of who may read ``/metrics``)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def client_ip(request: Request, trusted: tuple[Network, ...]) -> str | None:
    """The client address of ``request`` (see the module docstring)."""
    return scope_client_ip(request.scope, trusted)


def scope_client_ip(scope: Scope, trusted: tuple[Network, ...]) -> str | None:
    """The client address from an ASGI scope: what :func:`client_ip` answers for its request."""
    client = scope.get("client")
    peer = _valid(client[0]) if client else None
    if peer is None or not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [
        value.decode("latin-1")
        for key, value in scope.get("headers", ())
        if key == b"x-forwarded-for"  # several headers are one comma-separated list, in order
    ]
    for hop in reversed(",".join(hops).split(",")):
        address = _valid(hop)
        if address is None:
            return peer  # a hop no proxy of ours wrote: trust nothing to the left of it
        if not _is_trusted(address, trusted):
            return address
        peer = address  # a trusted proxy: keep walking left
    return peer


def user_agent_hash(request: Request) -> str:
    """SHA-256 hex of the raw User-Agent (of the empty string when absent); the UA is not kept."""
    return hashlib.sha256(request.headers.get("user-agent", "").encode("utf-8")).hexdigest()


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in trusted)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
