"""The client's address and User-Agent fingerprint, as recorded on registration.

Forwarding headers are believed only when the direct peer is a configured proxy; otherwise a
client could claim any address (and dodge the per-IP rate limit).
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks of trusted proxies."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def client_ip(request: Request, trusted: tuple[Network, ...]) -> str | None:
    """X-Real-IP, then the first X-Forwarded-For, then the peer (headers only from proxies)."""
    peer = request.client.host if request.client else None
    if peer is not None and _is_trusted(peer, trusted):
        real = _valid(request.headers.get("x-real-ip", ""))
        if real:
            return real
        forwarded = request.headers.get("x-forwarded-for", "")
        first = _valid(forwarded.split(",")[0]) if forwarded else None
        if first:
            return first
    return _valid(peer or "")


def user_agent_hash(request: Request) -> str:
    """SHA-256 hex of the raw User-Agent (of the empty string when absent); the UA is not kept."""
    return hashlib.sha256(request.headers.get("user-agent", "").encode("utf-8")).hexdigest()


def _is_trusted(peer: str, trusted: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
