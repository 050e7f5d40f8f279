"""Every command, arbitrary unicode in every text it takes: either refused with a field-named
ValidationFailed, or every event it records is accepted by a real PostgreSQL ``jsonb`` and
``text`` column, encoded as the projections encode it (issue 13 item 1).

A text PostgreSQL cannot store (NUL, a lone surrogate) must be refused, never removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

from domain.application import Registry
from domain.errors import RegistryError, ValidationFailed
from domain.fields import CONTENT_FIELDS
from domain.legacy import LegacyChange, LegacyKey, LegacySubmission
from domain.text import unstorable
from projections.store import dumps_json
from tests.payloads import submission_payload

pytestmark = pytest.mark.integration

TEXT_FIELDS = sorted(n for n, kind in CONTENT_FIELDS.items() if kind in ("text", "plain"))
SPECIAL = ["\x00", "\u202e", "\u200b", "\ufeff", "<b>", "</i>", "&amp;", "\U0001f600", "\u0301"]
TEXT = st.lists(
    st.one_of(
        st.characters(exclude_categories=()),
        st.integers(0xD800, 0xDFFF).map(chr),  # lone surrogates (not drawn by default)
        st.sampled_from(SPECIAL),
    ),
    max_size=8,
).map("".join)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
HASH = "a" * 64


@dataclass
class World:
    app: Registry
    data: dict[str, Any]
    submission: UUID
    category: int
    centre: UUID
    pi: UUID
    numbers: Iterator[int]


Command = Callable[[World, str], object]


def _legacy(world: World, text: str, field: str) -> LegacySubmission:
    return LegacySubmission(
        submission_id=uuid4(),
        data={**world.data, field: text},
        status="submitted",
        submitted_at=NOW,
        updated_at=NOW,
        keys=[LegacyKey(uuid4(), HASH, text, "write", text, NOW, True)],
        history=[LegacyChange(text, NOW, [{"field": text, "label": "L", "old": text, "new": "x"}])],
    )


def _commands(field: str) -> dict[str, Command]:
    """Every command that takes text, with ``text`` in the place under test."""
    admin = "admin:root"
    return {
        "register": lambda w, t: w.app.register_submission(
            {**w.data, field: t}, ip=None, user_agent_hash=""
        ),
        "amend": lambda w, t: w.app.amend_submission(
            w.submission, {field: t}, actor=admin, by_admin=True
        ),
        "amend as actor": lambda w, t: w.app.amend_submission(
            w.submission, {"comments": str(next(w.numbers))}, actor=f"api:{t}", by_admin=False
        ),
        "status comment": lambda w, t: w.app.change_status(
            w.submission,
            "approved"
            if w.app.get_submission(w.submission).status == "under_review"
            else "under_review",
            actor=admin,
            by_admin=True,
            comment=t,
        ),
        "maturity": lambda w, t: w.app.assign_maturity_tags(w.submission, t, [t], actor=admin),
        "key label": lambda w, t: w.app.issue_key(w.submission, t, "read", actor=admin),
        "admin key": lambda w, t: w.app.create_admin_key(t, "read", created_by=t),
        "category": lambda w, t: w.app.create_category({"name": t}, actor=admin),
        "centre": lambda w, t: w.app.create_centre(
            {"short_name": t, "full_name": t, "website": t}, actor=admin
        ),
        "pi": lambda w, t: w.app.create_pi(
            {"last_name": t, "first_name": t, "institute": t, "email": t}, actor=admin
        ),
        "update reference": lambda w, t: w.app.update_reference(
            "centre", w.centre, {"full_name": t}, actor=admin
        ),
        "import category": lambda w, t: w.app.import_category(
            1000 + next(w.numbers), t, is_active=True
        ),
        "import centre": lambda w, t: w.app.import_centre(
            uuid4(), {"short_name": t, "full_name": t, "website": t}, is_active=True
        ),
        "import pi": lambda w, t: w.app.import_pi(
            uuid4(), {"last_name": t, "first_name": t, "orcid": t}, is_active=True
        ),
        "import admin key": lambda w, t: w.app.import_admin_key(
            uuid4(),
            label=t,
            scope="read",
            key_hash=HASH,
            created_by=t,
            created_at=NOW,
            is_active=True,
        ),
        "import submission": lambda w, t: w.app.import_submission(_legacy(w, t, field)),
        "bio.tools sync": lambda w, t: w.app.record_biotools_sync(
            w.submission, "mapper", {"biotools_id": "mapper", "name": t, "functions": [{"x": t}]}
        ),
        "bio.tools failure": lambda w, t: w.app.record_biotools_failure(w.submission, "mapper", t),
    }


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE payloads (payload jsonb, strings text[])")
        yield connection


@pytest.fixture
def world() -> World:
    app = Registry(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)
    admin = "admin:root"
    centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld"}, actor=admin)
    category = app.create_category({"name": "Tools"}, actor=admin)
    pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=admin)
    data = submission_payload(
        category=category.id,
        pi=str(pi.id),
        centre=str(centre.id),
        biotools_url="https://bio.tools/mapper",
    )
    submission = app.register_submission(data, ip=None, user_agent_hash="").submission_id
    numbers = iter(range(10**9))
    return World(app, data, submission, int(str(category.id)), UUID(str(centre.id)), pi.id, numbers)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(sorted(_commands("comments"))),
    field=st.sampled_from(TEXT_FIELDS),
    text=TEXT,
)
def test_every_command_refuses_or_records_text_postgresql_accepts(
    world: World, conn: psycopg.Connection[Any], command: str, field: str, text: str
) -> None:
    app = world.app
    before = app.recorder.max_notification_id() or 0
    refused: RegistryError | None = None
    try:
        _commands(field)[command](world, text)
    except RegistryError as exc:  # a field-named ValidationFailed, or not found, a conflict…
        refused = exc
    if refused is not None:
        assert not isinstance(refused, ValidationFailed) or refused.errors
        assert (app.recorder.max_notification_id() or 0) == before, "a refusal records nothing"
        return
    recorded = app.recorder.select_notifications(before + 1, 1000)
    if recorded:  # accepted and recorded: the text went in unaltered, never cleaned of what fails
        assert unstorable(text) is None, f"{command} recorded {text!r}, which cannot be stored"
    for notification in recorded:
        event = app.mapper.to_domain_event(notification)
        payload = {k: v for k, v in vars(event).items() if k != "timestamp"}
        conn.execute(
            "INSERT INTO payloads VALUES (%s, %s)",
            (Jsonb(payload, dumps=dumps_json), list(_strings(payload))),
        )
