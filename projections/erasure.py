"""What the transaction that records an erasure also removes (docs/erasure.md).

`projections.eventstore.OneTripRecorder` inserts a `Submission.Erased` event in one transaction
with `erasure_statement`, as it inserts a new submission's key with its first event: nothing can
commit the event without the rest, or the rest without the event. The statement

- destroys the subject's personal-data key (`registry_subject_keys.key` set to NULL: the row
  stays as the tombstone that keeps the subject erased);
- deletes the subject's snapshots (they are a cache of its state; a later load replays the
  events, whose personal values then read `"[erased]"`);
- replaces the personal values that events of older releases hold in clear (`redactions`, from
  `domain.personal.PersonalDataMapper.redacted`) with `"[erased]"`: those values read
  `"[erased]"` once the key is gone anyway, so no reader sees a difference;
- drops the first response kept for the `Idempotency-Key` of the subject's registration (it
  holds names, e-mails and the initial key), leaving the row as a tombstone until it expires
  (`projections.idempotency`: a repeat of the key is answered 410, not registered again);
- blanks the error text of the subject's dead letters (an error message may quote a value);
- notifies `ERASURE_CHANNEL` with the subject's id, so every process drops what it caches about
  the subject (`projections.progress.ProgressListener.on_erasure`).

Tables other than the events table are optional (a database set up by eventsourcing alone has
none of them), so those steps run in a PL/pgSQL block that skips an absent table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composable, Identifier, Literal

from domain.submission import Submission
from projections.idempotency import ERASED as IDEMPOTENCY_ERASED

#: Stored topics of the erasure event, every class version.
ERASED_TOPICS = frozenset({Submission.Erased.TOPIC, "registry/Submission.Erased/v1"})

#: The channel an erasure's transaction notifies (payload: the erased submission's id).
ERASURE_CHANNEL = "registry_erasures"

_BLOCK = """DO $erasure$
DECLARE
    erased uuid[] := {subjects}::uuid[];
BEGIN
    IF to_regclass('registry_subject_keys') IS NOT NULL THEN
        INSERT INTO registry_subject_keys (subject, key) SELECT s, NULL FROM unnest(erased) s
        ON CONFLICT (subject) DO UPDATE SET key = NULL;
    END IF;
    IF to_regclass({snapshots_name}) IS NOT NULL THEN
        DELETE FROM {schema}.{snapshots} WHERE originator_id = ANY (erased);
    END IF;
    {redact}
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass('idempotency_keys')
               AND attname = 'submission_id' AND NOT attisdropped) THEN
        UPDATE idempotency_keys SET response = NULL, request_hash = {idempotency_erased}
        WHERE submission_id = ANY (erased);
    END IF;
    IF to_regclass('projection_dead_letters') IS NOT NULL THEN
        UPDATE projection_dead_letters SET error = '[erased]', traceback = '[erased]'
        WHERE originator_id = ANY (erased::text[]);
    END IF;
    PERFORM pg_notify({channel}, s::text) FROM unnest(erased) s;
END
$erasure$"""

_REDACT = """UPDATE {schema}.{events} AS e SET state = r.state
    FROM unnest({ids}::uuid[], {versions}::bigint[], {states}::bytea[]) AS r (id, version, state)
    WHERE e.originator_id = r.id AND e.originator_version = r.version;"""


def erased_subjects(stored_events: Iterable[StoredEvent]) -> list[UUID]:
    """The subjects whose erasure is among ``stored_events``."""
    return [
        e.originator_id
        for e in stored_events
        if e.topic in ERASED_TOPICS and isinstance(e.originator_id, UUID)
    ]


def erasure_statement(
    *,
    schema: str,
    events_table: str,
    snapshots_table: str,
    subjects: Sequence[UUID],
    redactions: Sequence[StoredEvent] = (),
) -> Composable:
    """One statement doing everything the module docstring lists for ``subjects``, with
    ``redactions`` (stored events to write back in their place) applied."""
    redact: Composable = SQL("")
    if redactions:
        redact = SQL(_REDACT).format(
            schema=Identifier(schema),
            events=Identifier(events_table),
            ids=Literal([r.originator_id for r in redactions]),
            versions=Literal([r.originator_version for r in redactions]),
            states=Literal([r.state for r in redactions]),
        )
    return SQL(_BLOCK).format(
        subjects=Literal(list(subjects)),
        snapshots_name=Literal(f"{schema}.{snapshots_table}"),
        schema=Identifier(schema),
        snapshots=Identifier(snapshots_table),
        redact=redact,
        channel=Literal(ERASURE_CHANNEL),
        idempotency_erased=Literal(IDEMPOTENCY_ERASED),
    )
