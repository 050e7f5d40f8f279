"""A follower whose position was set by `registry migrate` (`start_tracking`) misses nothing
committed before its first start; a second `start_tracking` never moves a position."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from domain.application import Registry
from projections.eventstore import open_registry
from projections.support import migrate_support
from tests.integration.workers.helpers import register
from workers.follower import SideEffectFollower, start_tracking

pytestmark = pytest.mark.integration


def _position(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT position FROM worker_tracking WHERE name = 'side-effects'"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_link_committed_before_the_first_start_is_synced_and_mailed(
    database_url: str,
) -> None:
    app = open_registry(database_url, create_tables=True)
    assert isinstance(app, Registry)
    with psycopg.connect(database_url, autocommit=True) as conn:
        migrate_support(conn)
        start_tracking(conn, 0)
    registration = register(app, "https://bio.tools/blast")
    sent: list[tuple[str, tuple[Any, ...]]] = []
    SideEffectFollower(database_url, app, lambda name, args: sent.append((name, args))).run_once()
    sid = str(registration.submission_id)
    assert ("sync_biotools", (sid,)) in sent
    assert [args[:2] for name, args in sent if name == "send_mail"] == [("created", sid)]

    head = _position(database_url)
    assert head > 0
    with psycopg.connect(database_url, autocommit=True) as conn:
        start_tracking(conn, 0)  # migrate run again: the follower keeps its place
    assert _position(database_url) == head
    app.close()
