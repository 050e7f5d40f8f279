"""Decoding a page of notifications with the personal-data keys of all its subjects at once.

The domain's `PersonalDataMapper` asks its key vault for a subject's key when it decrypts that
subject's first personal value: with `PostgresKeyVault` that is one query per submission not in
its cache, i.e. one round trip per new submission in a live page and per submission in a rebuild.
The projections read the keys with the page instead (`projections.pages`), and `page_mapper`
decodes with them.

It also makes a projector independent of which vault the upstream application was opened with:
keys come from `registry_subject_keys`, the table every writer mints them in. An application
opened without the PostgreSQL vault (`registry projections rebuild` opens the default, in-memory
one) used to decode every personal value as `"[erased]"`: a rebuilt version then differed from
the live one. Subjects without a stored key are still asked of the application's own vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from domain.personal import KeyVault, PersonalDataMapper


class PageKeys:
    """A read-only key vault: the keys read with one page, then the application's vault."""

    def __init__(self, keys: Mapping[UUID, bytes | None], fallback: KeyVault) -> None:
        self._keys = keys
        self._fallback = fallback

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The page's key (None when destroyed); the fallback's for other subjects or `create`."""
        if not create and subject in self._keys:
            return self._keys[subject]
        return self._fallback.key_for(subject, create)

    def destroy(self, subject: UUID) -> None:
        """Decoding never destroys a key."""
        raise NotImplementedError("a page's key vault is read-only")

    def is_destroyed(self, subject: UUID) -> bool:
        """Destroyed when the page read the subject's row with no key; else the fallback's."""
        if subject in self._keys:
            return self._keys[subject] is None
        return self._fallback.is_destroyed(subject)


def decrypts(mapper: Any) -> bool:
    """Whether `mapper` decrypts personal values (so pages should be read with their keys)."""
    return isinstance(mapper, PersonalDataMapper)


def page_mapper(mapper: Any, keys: Mapping[UUID, bytes | None]) -> Any:
    """A mapper that decodes like `mapper`, answering key lookups from `keys` first. A mapper
    that decrypts nothing is returned unchanged."""
    if not isinstance(mapper, PersonalDataMapper):
        return mapper
    return PersonalDataMapper(
        transcoder=mapper.transcoder,
        vault=PageKeys(keys, mapper.vault),
        compressor=mapper.compressor,
        cipher=mapper.cipher,
    )
