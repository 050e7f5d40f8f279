"""The composition root's write side stores a new submission's key with its first events."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from domain.personal import ERASED
from projections import operations
from projections.eventstore import open_registry
from projections.key_vault import EventsKeyVault, PostgresKeyVault
from projections.reference_catalog import PostgresReferenceCatalog
from registry.runtime import Services
from schema.settings import Settings
from tests.integration.projections.read.conftest import seed_reference_views
from tests.payloads import KPI_SINCE_2021, submission_payload

pytestmark = pytest.mark.integration
ROOT = "admin:root"


def test_a_create_commits_its_key_with_its_events_and_any_process_can_read_it(
    database_url: str,
) -> None:
    seed_reference_views(database_url)
    operations.migrate(database_url)
    services = Services(database_url, Settings(database_url=database_url, rate_limits="off"))
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    try:
        app = services.registry
        vault = app.key_vault
        assert isinstance(vault, EventsKeyVault)
        centre = app.create_centre({"short_name": "BiGi", "full_name": "Bielefeld"}, actor=ROOT)
        category = app.create_category({"name": "Tools"}, actor=ROOT)
        pi = app.create_pi({"last_name": "Doe", "first_name": "Jane"}, actor=ROOT)
        payload = submission_payload(
            category=category.id,
            pi=str(pi.id),
            centre=str(centre.id),
            internal_contact_name="Ada Internal",
            **KPI_SINCE_2021,
        )
        sid = app.register_submission(payload, ip=None, user_agent_hash="0" * 64).submission_id
        assert vault._pending == {}  # written with the events, nothing left waiting
        with psycopg.connect(database_url) as conn:
            row = conn.execute(
                "SELECT k.key IS NOT NULL, k.xmin::text = e.xmin::text"
                " FROM registry_subject_keys k"
                " JOIN registry_events e ON e.originator_id = k.subject"
                " WHERE k.subject = %s AND e.originator_version = 1",
                (sid,),
            ).fetchone()
        assert row == (True, True)  # the key, committed by the transaction of the first event
        # Another process, with its own vault reading the table: the values in clear.
        other = open_registry(
            database_url,
            key_vault=PostgresKeyVault(pool, ttl=0),
            reference_catalog=PostgresReferenceCatalog(pool),
        )
        try:
            values = other.get_submission(sid).values
        finally:
            other.close()
        assert values["internal_contact_name"] == "Ada Internal"
        assert ERASED not in values.values()
    finally:
        pool.close()
        services.close()
