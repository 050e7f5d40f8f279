"""Erasable personal data: per-submission keys outside the event store, encrypted fields inside.

What is personal about a submission (``docs/erasure.md``):

- the content fields in ``domain.fields.PERSONAL_FIELDS`` (submitter names and affiliation, the
  internal contact, the public contact, the submitter's free-text ``comments``), wherever an
  event carries them: in ``values`` and in the ``old``/``new`` of their change records;
- the submitter's IP address and user-agent hash (``Registered``, ``Imported``) and the admin's
  message to the submitter (``StatusChanged.comment``): ``PERSONAL_ATTRIBUTES``;
- the same values in Submission snapshots.

They are encrypted with a key held by a ``KeyVault``. Erasure destroys the key; the events stay
readable and show ``"[erased]"`` for those values, everything else unchanged. Values recorded in
clear before they were encrypted (events of older releases) also read ``"[erased]"`` once the
key is destroyed, and ``PersonalDataMapper.redacted`` gives the stored event without them, for
an event store that removes them in the erasure's transaction.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder
from eventsourcing.utils import Environment

from domain.fields import PERSONAL_FIELDS

ERASED = "[erased]"
_PREFIX = "enc:v1:"
_SUBMISSION_TOPIC_PREFIX = "registry/Submission."
_SUBMISSION_TOPICS = frozenset({"registry/Submission/v1", "registry/Submission/v2"})

#: Personal event attributes outside ``values``/``changes``, by event kind (every class version).
PERSONAL_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "Submission.Registered": ("submission_ip", "user_agent_hash"),
    "Submission.Imported": ("submission_ip", "user_agent_hash"),
    "Submission.StatusChanged": ("comment",),
}
#: Personal attributes of the Submission aggregate's state (in its snapshots).
PERSONAL_STATE = ("submission_ip", "user_agent_hash")
#: The event that starts a submission under a fresh random id: its subject cannot have a key yet.
_FRESH_SUBJECT_TOPIC = "registry/Submission.Registered/v2"


class KeyVault(Protocol):
    """Port: per-subject data keys kept outside the event store."""

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The subject's 32-byte key; with ``create`` make one when missing; None if destroyed."""
        ...

    def destroy(self, subject: UUID) -> None:
        """Forget the subject's key for good (crypto-shredding)."""
        ...

    def is_destroyed(self, subject: UUID) -> bool:
        """Whether the subject's key was destroyed (not merely never made)."""
        ...


class InMemoryKeyVault:
    """A KeyVault in a dict (tests, single-process demos). Destroyed subjects stay destroyed."""

    def __init__(self) -> None:
        self._keys: dict[UUID, bytes] = {}
        self._destroyed: set[UUID] = set()
        self._lock = threading.Lock()

    def key_for(self, subject: UUID, create: bool) -> bytes | None:
        """The subject's key, created on demand unless destroyed."""
        with self._lock:
            if subject in self._destroyed:
                return None
            key = self._keys.get(subject)
            if key is None and create:
                key = self._keys[subject] = os.urandom(32)
            return key

    def destroy(self, subject: UUID) -> None:
        """Forget the key."""
        with self._lock:
            self._keys.pop(subject, None)
            self._destroyed.add(subject)

    def is_destroyed(self, subject: UUID) -> bool:
        """Whether ``destroy`` was called for the subject."""
        with self._lock:
            return subject in self._destroyed


def _cipher(key: bytes) -> AESCipher:
    return AESCipher(Environment(env={AESCipher.CIPHER_KEY: base64.b64encode(key).decode()}))


def _seal(cipher: AESCipher, value: Any) -> str:
    blob = cipher.encrypt(json.dumps(value).encode("utf-8"))
    return _PREFIX + base64.b64encode(blob).decode("ascii")


def _open(cipher: AESCipher, value: str) -> Any:
    try:
        blob = base64.b64decode(value[len(_PREFIX) :])
        return json.loads(cipher.decrypt(blob).decode("utf-8"))
    except ValueError:
        # A key that does not open the value (e.g. recreated after loss) cannot reveal it either.
        return ERASED


def _hidden(value: Any) -> bool:
    """Whether a stored personal value reveals nothing (encrypted, erased, null or empty)."""
    return (
        value is None
        or value in ("", ERASED)
        or (isinstance(value, str) and value.startswith(_PREFIX))
    )


def _kind(topic: str) -> str | None:
    """``"Submission.Registered"`` for ``"registry/Submission.Registered/v2"``; None for the
    topics of other aggregates."""
    if not topic.startswith(_SUBMISSION_TOPIC_PREFIX):
        return None
    return topic.split("/")[1]


def _transform_values(values: dict[str, Any], fn: Any) -> dict[str, Any]:
    return {k: (fn(v) if k in PERSONAL_FIELDS else v) for k, v in values.items()}


def _transform_changes(changes: list[dict[str, Any]], fn: Any) -> list[dict[str, Any]]:
    out = []
    for change in changes:
        if change.get("field") in PERSONAL_FIELDS:
            change = {**change, "old": fn(change.get("old")), "new": fn(change.get("new"))}
        out.append(change)
    return out


def _transform_event_state(kind: str, state: dict[str, Any], fn: Any) -> dict[str, Any]:
    """A copy of a Submission event's ``state`` with its personal values mapped by ``fn``."""
    new = dict(state)
    if isinstance(new.get("values"), dict):
        new["values"] = _transform_values(new["values"], fn)
    if isinstance(new.get("changes"), list):
        new["changes"] = _transform_changes(new["changes"], fn)
    for name in PERSONAL_ATTRIBUTES.get(kind, ()):
        if name in new:
            new[name] = fn(new[name])
    return new


def _transform_state(event: object, state: dict[str, Any], fn: Any) -> dict[str, Any] | None:
    """A copy of ``state`` with personal values mapped by ``fn``, or None if not concerned."""
    topic = getattr(type(event), "TOPIC", "")
    kind = _kind(topic) if isinstance(topic, str) else None
    if kind is not None:
        return _transform_event_state(kind, state, fn)
    if isinstance(event, Snapshot) and state.get("topic") in _SUBMISSION_TOPICS:
        inner = dict(state["state"])
        if isinstance(inner.get("values"), dict):
            inner["values"] = _transform_values(inner["values"], fn)
        for name in PERSONAL_STATE:
            if name in inner:
                inner[name] = fn(inner[name])
        return {**state, "state": inner}
    return None


class PersonalDataMapper(Mapper[UUID]):
    """A Mapper that encrypts personal fields of Submission events with per-submission keys."""

    def __init__(
        self,
        transcoder: Transcoder,
        vault: KeyVault,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        mint_fresh: Callable[[UUID], bytes] | None = None,
    ) -> None:
        """``mint_fresh``, when given, makes the key of a subject that cannot have one yet (the
        first event of a newly registered submission) instead of ``vault.key_for``: a vault
        that stores such keys in the same transaction as the events needs no round trip."""
        super().__init__(transcoder=transcoder, compressor=compressor, cipher=cipher)
        self.vault = vault
        self.mint_fresh = mint_fresh

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        """Encrypt personal values, then store as usual."""
        state = dict(vars(domain_event))
        subject = state.get("originator_id")
        if isinstance(subject, UUID):
            # One key lookup and one cipher per event, made at its first personal value.
            ciphers: list[AESCipher | None] = []

            fresh = (
                self.mint_fresh is not None
                and state.get("originator_version") == 1
                and getattr(type(domain_event), "TOPIC", "") == _FRESH_SUBJECT_TOPIC
            )

            def seal(value: Any) -> Any:
                if not ciphers:
                    if fresh and self.mint_fresh is not None:
                        key: bytes | None = self.mint_fresh(subject)
                    else:
                        key = self.vault.key_for(subject, create=True)
                    ciphers.append(None if key is None else _cipher(key))
                cipher = ciphers[0]
                if cipher is None:  # destroyed: never store personal data in clear
                    return ERASED
                return _seal(cipher, value)

            new_state = _transform_state(domain_event, state, seal)
            if new_state is not None:
                clone = object.__new__(type(domain_event))
                object.__setattr__(clone, "__dict__", new_state)
                domain_event = clone
        return super().to_stored_event(domain_event)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """Load as usual, then decrypt personal values (``"[erased]"`` when the key is gone,
        also for a value an older release stored in clear)."""
        domain_event = super().to_domain_event(stored_event)
        subject = stored_event.originator_id
        if isinstance(subject, UUID):
            ciphers: list[AESCipher | None] = []

            def unseal(value: Any) -> Any:
                sealed = isinstance(value, str) and value.startswith(_PREFIX)
                if not sealed and _hidden(value):
                    return value
                if not ciphers:
                    key = self.vault.key_for(subject, create=False)
                    ciphers.append(None if key is None else _cipher(key))
                cipher = ciphers[0]
                if sealed:
                    return ERASED if cipher is None else _open(cipher, value)
                # In clear (an older release's event): hidden once the key is destroyed.
                return ERASED if cipher is None and self.vault.is_destroyed(subject) else value

            new_state = _transform_state(domain_event, dict(vars(domain_event)), unseal)
            if new_state is not None:
                object.__setattr__(domain_event, "__dict__", new_state)
        return domain_event

    def redacted(self, stored_event: StoredEvent) -> StoredEvent | None:
        """The stored event with every personal value it holds in clear (an older release's
        event) replaced by ``"[erased]"``; None when it holds none. The rest of the stored
        payload (its class version, upcasting included) is left as it was."""
        kind = _kind(stored_event.topic)
        if kind is None:
            return None
        raw = stored_event.state
        if self.cipher:
            raw = self.cipher.decrypt(raw)
        if self.compressor:
            raw = self.compressor.decompress(raw)
        state: dict[str, Any] = self.transcoder.decode(raw)
        found: list[bool] = []

        def scrub(value: Any) -> Any:
            if _hidden(value):
                return value
            found.append(True)
            return ERASED

        new_state = _transform_event_state(kind, state, scrub)
        if not found:
            return None
        encoded = self.transcoder.encode(new_state)
        if self.compressor:
            encoded = self.compressor.compress(encoded)
        if self.cipher:
            encoded = self.cipher.encrypt(encoded)
        return StoredEvent(
            originator_id=stored_event.originator_id,
            originator_version=stored_event.originator_version,
            topic=stored_event.topic,
            state=encoded,
        )
