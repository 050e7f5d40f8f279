"""Key, reference-data, EDAM, licence and bio.tools queries, the key vault and the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from domain.keys import hash_key
from projections.key_vault import PostgresKeyVault
from projections.reference_catalog import PostgresReferenceCatalog
from tests.integration.projections.read.conftest import ADMIN, Stack


def test_a_key_is_found_by_its_hash_with_its_submission_and_scope(stack: Stack) -> None:
    reg = stack.register()
    admin = stack.app.create_admin_key("ops", "read", created_by="cli")
    stack.sync()
    key = stack.read.api_key(hash_key(reg.api_key))
    assert key is not None
    assert (key.submission_id, key.label, key.scope, key.is_active) == (
        reg.submission_id,
        "Initial key",
        "write",
        True,
    )
    assert key.key_hash == hash_key(reg.api_key)
    assert not key.is_admin
    admin_key = stack.read.api_key(hash_key(admin.api_key))
    assert admin_key is not None
    assert admin_key.is_admin
    assert (admin_key.label, admin_key.scope) == ("ops", "read")
    assert stack.read.api_key(hash_key("nope")) is None
    (listed,) = stack.read.admin_keys()
    assert (listed["id"], listed["label"], listed["scope"]) == (str(admin.key_id), "ops", "read")
    assert listed["hash_prefix"] == hash_key(admin.api_key)[:16]


def test_a_revoked_key_is_still_found_but_inactive(stack: Stack) -> None:
    reg = stack.register()
    stack.app.revoke_key(reg.submission_id, reg.key_id, actor=ADMIN)
    stack.sync()
    key = stack.read.api_key(hash_key(reg.api_key))
    assert key is not None
    assert key.is_active is False


def test_keys_of_shows_prefixes_and_last_use_never_whole_hashes(stack: Stack) -> None:
    reg = stack.register()
    stack.app.issue_key(reg.submission_id, "CI", "read", actor=ADMIN)
    stack.sync()
    keys = stack.read.keys_of(reg.submission_id)
    assert [k["label"] for k in keys] == ["CI", "Initial key"]
    initial = keys[1]
    assert initial["hash_prefix"] == hash_key(reg.api_key)[:16]
    assert hash_key(reg.api_key) not in str(keys)
    assert initial["last_used_at"] is None
    assert set(initial) == {
        "id",
        "label",
        "scope",
        "is_active",
        "created_at",
        "created_by",
        "last_used_at",
        "hash_prefix",
    }
    stack.read.touch_key(initial["id"])
    first = stack.read.keys_of(reg.submission_id)[1]["last_used_at"]
    assert first is not None
    stack.read.touch_key(initial["id"])  # within the minute: no write
    assert stack.read.keys_of(reg.submission_id)[1]["last_used_at"] == first


def test_reference_lists_filter_on_activity_and_keep_their_order(stack: Stack) -> None:
    stack.app.set_reference_active("category", stack.other_category, False, actor=ADMIN)
    stack.sync()
    assert [c["name"] for c in stack.read.categories()] == ["Databases", "Tools"]
    assert stack.read.categories(True) == [
        {"id": stack.category, "name": "Tools", "is_active": True}
    ]
    assert stack.read.category(stack.other_category) == {
        "id": stack.other_category,
        "name": "Databases",
        "is_active": False,
    }
    assert stack.read.category(999) is None
    assert [c["full_name"] for c in stack.read.service_centres()] == [
        "Bielefeld-Gießen",
        "Heidelberg",
    ]
    centre = stack.read.service_centre(stack.centre)
    assert centre is not None
    assert centre["short_name"] == "BiGi"
    assert stack.read.service_centre("bad") is None
    assert [p["last_name"] for p in stack.read.pis()] == ["Adams", "Doe"]
    pi = stack.read.pi(stack.pi)
    assert pi is not None
    assert pi["display_name"] == "Doe, Jane"
    assert "email" in pi


def test_edam_lists_non_obsolete_terms_with_branch_and_text_filters(stack: Stack) -> None:
    everything = [t["accession"] for t in stack.read.edam_terms()]
    assert everything == ["operation_0292", "operation_3198", "topic_0080", "topic_0091"]
    assert [t["accession"] for t in stack.read.edam_terms("topic")] == ["topic_0080", "topic_0091"]
    assert [t["accession"] for t in stack.read.edam_terms(q="ALIGN")] == ["operation_0292"]
    assert [t["accession"] for t in stack.read.edam_terms(q="bio-inf")] == ["topic_0091"]
    assert [t["accession"] for t in stack.read.edam_terms(q="archival")] == ["topic_0091"]
    term = stack.read.edam_term("topic_0080")
    assert term is not None
    assert term["parent"]["accession"] == "topic_0091"
    assert term["definition"] == "Analysis of sequences."
    assert term["edam_version"] == "1.25"
    obsolete = stack.read.edam_term("topic_0003")
    assert obsolete is not None  # by accession: obsolete terms too
    assert stack.read.edam_term("3") is None  # by id: non-obsolete only
    by_id = stack.read.edam_term("91")
    assert by_id is not None
    assert by_id["accession"] == "topic_0091"


def test_licenses_are_listed_by_name_and_searchable(stack: Stack) -> None:
    assert [lic["license_id"] for lic in stack.read.licenses()] == ["Apache-2.0", "GPL-3.0", "MIT"]
    assert stack.read.licenses("mit") == [
        {
            "license_id": "MIT",
            "name": "MIT License",
            "is_osi_approved": True,
            "is_deprecated": False,
        }
    ]


def test_biotools_records_are_public_only_for_approved_submissions(stack: Stack) -> None:
    reg = stack.register(biotools_url="https://bio.tools/bwa")
    other = stack.register(biotools_url="https://bio.tools/blast")
    stack.app.record_biotools_sync(reg.submission_id, "bwa", {"biotools_id": "bwa", "name": "BWA"})
    stack.app.record_biotools_failure(other.submission_id, "blast", "HTTP 404")
    stack.sync()
    assert stack.read.biotools_record("bwa") is None
    count, items = stack.read.biotools_records()
    assert count == 2
    assert [i["biotools_id"] for i in items] == ["blast", "bwa"]
    assert items[0]["sync_error"] == "HTTP 404"
    assert stack.read.biotools_records(biotools_id="bwa")[0] == 1
    assert (
        stack.read.biotools_records(submission=other.submission_id)[1][0]["biotools_id"] == "blast"
    )
    assert stack.read.biotools_records(submission="bad") == (0, [])
    stack.app.change_status(reg.submission_id, "approved", actor=ADMIN, by_admin=True)
    stack.sync()
    record = stack.read.biotools_record("bwa")
    assert record is not None
    assert record["name"] == "BWA"
    assert record["biotools_url"] == "https://bio.tools/bwa"
    assert record["functions"] == []


def test_the_key_vault_creates_once_and_a_destroyed_key_stays_destroyed(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        from projections.support import migrate_support

        migrate_support(conn)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=2, open=True)
    try:
        vault, other = PostgresKeyVault(pool), PostgresKeyVault(pool, ttl=0)
        subject = uuid4()
        assert vault.key_for(subject, create=False) is None
        key = vault.key_for(subject, create=True)
        assert key is not None
        assert len(key) == 32
        assert other.key_for(subject, create=True) == key
        vault.destroy(subject)
        assert vault.key_for(subject, create=True) is None
        assert other.key_for(subject, create=True) is None
    finally:
        pool.close()


def test_minting_a_key_leaves_the_pooled_connection_as_it_was(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        from projections.support import migrate_support

        migrate_support(conn)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, min_size=1, max_size=1, open=True)
    try:
        PostgresKeyVault(pool).key_for(uuid4(), create=True)
        with pool.connection() as conn:
            assert conn.autocommit is False
            row = conn.execute("SHOW synchronous_commit").fetchone()
        assert row is not None
        assert row[0] == "on"  # the skipped WAL flush was the minting statement's alone
    finally:
        pool.close()


def test_the_reference_catalog_reads_the_views(stack: Stack) -> None:
    pool: ConnectionPool[Any] = ConnectionPool(stack.url, min_size=1, max_size=1, open=True)
    try:
        catalog = PostgresReferenceCatalog(pool)
        term = catalog.edam_term("topic_0003")
        assert term is not None
        assert (term.branch, term.is_obsolete) == ("topic", True)
        lic = catalog.license("GPL-3.0")
        assert lic is not None
        assert lic.is_deprecated
        assert catalog.edam_term("topic_4242") is None
        assert catalog.license("WTFPL-9") is None
    finally:
        pool.close()


def test_a_detail_read_with_a_key_answers_as_the_key_and_detail_queries_do(stack: Stack) -> None:
    own = stack.register()
    other = stack.register()
    admin = stack.app.create_admin_key("ops", "read", created_by="cli")
    stack.sync()
    sid = own.submission_id
    detail = stack.read.submission(sid)
    assert detail is not None
    for plaintext in (own.api_key, admin.api_key, other.api_key):
        record, doc = stack.read.submission_for_key(hash_key(plaintext), sid)
        assert record is not None
        assert record == stack.read.api_key(hash_key(plaintext))
        assert doc == detail  # whether the key may see it is the caller's to decide
    assert stack.read.submission_for_key(hash_key("nope"), sid) == (None, detail)
    record, doc = stack.read.submission_for_key(hash_key(admin.api_key), uuid4())
    assert record is not None
    assert record.is_admin
    assert doc is None


def test_a_detail_read_with_a_cached_key_still_reads_the_current_document(stack: Stack) -> None:
    own = stack.register()
    stack.sync()
    stack.read._key_stamp = lambda: 1  # one stamp throughout: the key stays cached
    key_hash = hash_key(own.api_key)
    first, doc = stack.read.submission_for_key(key_hash, own.submission_id)
    assert first is not None
    assert doc is not None
    stack.app.amend_submission(
        own.submission_id, {"service_name": "Renamed"}, actor=ADMIN, by_admin=True
    )
    stack.sync()
    cached, doc = stack.read.submission_for_key(key_hash, own.submission_id)
    assert cached is first  # served from the cache, not looked up again
    assert doc is not None
    assert doc["service_name"] == "Renamed"


def test_a_detail_read_with_a_key_falls_back_to_single_statements_after_a_type_change(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = stack.register()
    stack.sync()
    expected = stack.read.submission_for_key(hash_key(own.api_key), own.submission_id)
    assert expected[0] is not None
    assert expected[1] is not None

    @contextmanager
    def changed_types(self: Any) -> Iterator[None]:
        raise psycopg.errors.FeatureNotSupported("cached plan must not change result type")
        yield

    monkeypatch.setattr(psycopg.Connection, "pipeline", changed_types)
    stack.read._key_cache.clear()
    assert stack.read.submission_for_key(hash_key(own.api_key), own.submission_id) == expected
