"""Every read table the runner maintained live equals a from-scratch replay of the log."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from projections.projector import Event, replay
from projections.projectors import PROJECTORS
from tests.integration.projections.read.conftest import ADMIN, Stack


def _scenario(stack: Stack) -> None:
    first = stack.register(biotools_url="https://bio.tools/bwa")
    second = stack.register(service_name="Second")
    third = stack.register(service_name="Third")
    stack.app.record_biotools_sync(first.submission_id, "bwa", {"biotools_id": "bwa", "name": "B"})
    stack.app.amend_submission(
        first.submission_id,
        {"submitter_first_name": "Grace", "service_category_ids": [stack.other_category]},
        actor=ADMIN,
        by_admin=True,
    )
    stack.app.change_status(first.submission_id, "approved", actor=ADMIN, by_admin=True)
    stack.app.assign_maturity_tags(first.submission_id, "legacy", ["unstable"], actor=ADMIN)
    stack.app.issue_key(second.submission_id, "CI", "read", actor=ADMIN)
    stack.app.reset_keys(second.submission_id, actor=ADMIN)
    stack.app.create_admin_key("ops", "full", created_by="cli")
    stack.app.update_reference("pi", stack.pi, {"institute": "Uni"}, actor=ADMIN)
    stack.app.change_status(third.submission_id, "deprecated", actor=ADMIN, by_admin=True)
    stack.app.erase_submission(third.submission_id, actor=ADMIN)


def test_live_tables_equal_a_replay_of_the_whole_log(stack: Stack) -> None:
    _scenario(stack)
    stack.sync()
    notifications = stack.app.recorder.select_notifications(start=1, limit=100_000)
    events = [Event(n.id, n.topic, stack.app.mapper.to_domain_event(n)) for n in notifications]
    with psycopg.connect(stack.url, row_factory=dict_row) as conn:
        created = {
            (r["name"], r["version"])
            for r in conn.execute("SELECT name, version FROM projection_versions").fetchall()
        }
        newest = {
            p.name: max(q.version for q in PROJECTORS if q.name == p.name) for p in PROJECTORS
        }
        assert created == set(newest.items()), "a fresh database has the newest versions only"
        for projector_class in PROJECTORS:
            if (projector_class.name, projector_class.version) not in created:
                continue
            projector = projector_class()
            expected = replay(projector, events)
            (table,) = projector.tables
            physical = table.physical(projector.version)
            rows = conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(physical)))
            live: dict[Any, Any] = {(table.name, table.key_of(r)): r for r in rows.fetchall()}
            assert live == expected, physical
            assert live, physical
