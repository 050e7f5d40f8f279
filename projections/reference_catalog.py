"""The PostgreSQL implementation of the domain's `ReferenceCatalog` port.

It reads the stable views `edam_terms` and `licenses` (loaded by the EDAM/SPDX workers) and keeps
both in memory: validation asks for several terms per command, and the whole catalogue (a few
thousand rows) costs less to load once than to query per term.

How long a copy is reused: with a `stamp` (the composition root gives every web process its
notification listener's `reference_stamp`), until the stamp changes, i.e. until a load of
reference data commits anywhere (the loader NOTIFYs `REFERENCE_CHANNEL` in its transaction), and
never while the listener is disconnected (the stamp is None); `ttl` seconds bound it in any case.
Without a stamp (a worker, a one-shot command), for `ttl` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Final

from psycopg_pool import ConnectionPool

from domain.catalog import EdamTermRef, LicenseRef, license_key

DEFAULT_TTL = 60.0

#: NOTIFY channel of reference data: sent in the transaction of every EDAM/SPDX load and of
#: every reference event (category, centre, PI) appended (`projections.eventstore`).
REFERENCE_CHANNEL: Final = "registry_reference_data"


class PostgresReferenceCatalog:
    """EDAM terms and SPDX licences from the reference views, cached (see the module)."""

    def __init__(
        self,
        pool: ConnectionPool[Any],
        *,
        ttl: float = DEFAULT_TTL,
        stamp: Callable[[], Hashable | None] | None = None,
    ) -> None:
        self._pool = pool
        self._ttl = ttl
        self._stamp = stamp
        self._lock = threading.Lock()
        self._loaded_at: float | None = None
        self._loaded_under: Hashable | None = None
        self._terms: dict[str, EdamTermRef] = {}
        self._licenses: dict[str, LicenseRef] = {}

    def follow(self, stamp: Callable[[], Hashable | None]) -> None:
        """Reuse the loaded catalogue only while ``stamp()`` is what it was before the load."""
        with self._lock:
            self._stamp = stamp
            self._loaded_at = None

    def edam_term(self, accession: str) -> EdamTermRef | None:
        """The term with this accession (obsolete ones included), or None."""
        self._fresh()
        return self._terms.get(accession)

    def license(self, license_id: str) -> LicenseRef | None:
        """The licence with this SPDX id in any case (deprecated ones included), or None."""
        self._fresh()
        return self._licenses.get(license_key(license_id))

    def _fresh(self) -> None:
        with self._lock:
            now = time.monotonic()
            stamp = None if self._stamp is None else self._stamp()
            if (
                self._loaded_at is not None
                and now - self._loaded_at < self._ttl
                and (self._stamp is None or (stamp is not None and stamp == self._loaded_under))
            ):
                return
            with self._pool.connection() as conn:
                terms = conn.execute(
                    "SELECT accession, branch, label, is_obsolete FROM edam_terms", prepare=False
                ).fetchall()
                licenses = conn.execute(
                    "SELECT license_id, name, is_deprecated FROM licenses", prepare=False
                ).fetchall()
            self._terms = {a: EdamTermRef(a, b, lab, bool(o)) for a, b, lab, o in terms}
            self._licenses = {license_key(i): LicenseRef(i, n, bool(d)) for i, n, d in licenses}
            self._loaded_at = now
            self._loaded_under = stamp
