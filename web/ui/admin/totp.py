"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the
standard authenticator-app scheme, in the standard library (no extra dependency)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Final
from urllib.parse import quote

STEP: Final = 30
DIGITS: Final = 6
WINDOW: Final = 1  # one step either side: clocks drift


def new_secret() -> str:
    """A fresh 160-bit seed in base32 (what authenticator apps accept)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code(secret: str, step: int) -> str:
    """The code of time step ``step``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    """The time step of ``now`` (seconds since the epoch; default the clock)."""
    return int((time.time() if now is None else now) // STEP)


def matching_step(secret: str, given: str, now: float | None = None) -> int | None:
    """The step whose code equals ``given`` within the window, or None."""
    given = "".join(given.split())
    if len(given) != DIGITS or not given.isdigit():
        return None
    here = current_step(now)
    for step in range(here - WINDOW, here + WINDOW + 1):
        if hmac.compare_digest(code(secret, step), given):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (also shown as text)."""
    label = quote(f"{issuer}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}"
