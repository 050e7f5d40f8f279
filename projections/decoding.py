"""Decoding a page of notifications with the personal-data keys of all its subjects at once.

The domain's `PersonalDataMapper` asks its key vault for a subject's key when it decrypts that
subject's first personal value: with `PostgresKeyVault` that is one query per submission not in
its cache, i.e. one round trip per new submission in a live page and per submission in a rebuild.
`page_mapper` asks once per page instead: one `SELECT … WHERE subject = ANY(…)` on the caller's
connection, and a mapper that answers from its result.

It also makes a projector independent of which vault the upstream application was opened with:
keys are read from `registry_subject_keys`, the table every writer mints them in. An application
opened without the PostgreSQL vault (`registry projections rebuild` opens the default, in-memory
one) used to decode every personal value as `"[erased]"`: a rebuilt version then differed from
the live one. Subjects without a row there are still asked of the application's own vault.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from psycopg.pq import TransactionStatus

from domain.personal import KeyVault, PersonalDataMapper

_KEYS = "SELECT subject, key FROM registry_subject_keys WHERE subject = ANY(%s)"


class PageKeys:
    """A read-only key vault: the keys fetched for one page, then the application's vault."""

    def __init__(self, keys: Mapping[UUID, bytes | None], fallback: KeyVault) -> None:
        self._keys = keys
        self._fallback = fallback

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The fetched key (None when destroyed); the fallback's for other subjects or `create`."""
        if not create and subject in self._keys:
            return self._keys[subject]
        return self._fallback.key_for(subject, create)

    def destroy(self, subject: UUID) -> None:
        """Decoding never destroys a key."""
        raise NotImplementedError("a page's key vault is read-only")


def fetch_keys(conn: psycopg.Connection[Any], subjects: Sequence[UUID]) -> dict[UUID, bytes | None]:
    """The stored keys of `subjects` (None for a destroyed one; absent when there is no row)."""
    if not subjects:
        return {}
    idle = conn.info.transaction_status == TransactionStatus.IDLE
    try:
        if idle:
            rows = conn.execute(_KEYS, (list(subjects),)).fetchall()
        else:  # a savepoint, so a missing table cannot abort the caller's transaction
            with conn.transaction():
                rows = conn.execute(_KEYS, (list(subjects),)).fetchall()
    except psycopg.errors.UndefinedTable:  # a database without the vault: no stored keys
        if idle and not conn.autocommit:
            conn.rollback()  # the failed transaction is the one this query opened
        return {}
    return {row[0]: bytes(row[1]) if row[1] is not None else None for row in rows}


def page_mapper(mapper: Any, conn: psycopg.Connection[Any], notifications: Sequence[Any]) -> Any:
    """A mapper that decodes `notifications` like `mapper`, with their subjects' keys fetched in
    one query on `conn` (outside any transaction the caller is about to commit). A mapper that
    encrypts nothing is returned unchanged."""
    if not isinstance(mapper, PersonalDataMapper):
        return mapper
    subjects = list({n.originator_id for n in notifications if isinstance(n.originator_id, UUID)})
    keys = fetch_keys(conn, subjects)
    return PersonalDataMapper(
        transcoder=mapper.transcoder,
        vault=PageKeys(keys, mapper.vault),
        compressor=mapper.compressor,
        cipher=mapper.cipher,
    )
