"""Every EDAM parent edge is loaded with the terms, and a store loaded before the edges existed
gets them at the next ``registry migrate``."""

from __future__ import annotations

import psycopg
import pytest

from registry import setup
from schema.settings import Settings
from workers.edam import load_edam, read_edam_terms

pytestmark = pytest.mark.integration


def _parents(conn: psycopg.Connection, accession: str) -> set[str]:
    rows = conn.execute(
        "SELECT parent FROM edam_parents WHERE accession = %s", (accession,)
    ).fetchall()
    return {str(row[0]) for row in rows}


def test_a_load_keeps_every_parent_of_a_term_not_only_the_first(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        load_edam(conn)
        assert _parents(conn, "topic_3298") == {"topic_3299", "topic_3391", "topic_0625"}
        first = conn.execute(
            "SELECT parent FROM edam_terms WHERE accession = 'topic_3298'"
        ).fetchone()
        assert first == ("topic_3299",)
        edges = sum(len(set(t.parents)) for t in read_edam_terms())
        count = conn.execute("SELECT count(*) FROM edam_parents").fetchone()
        assert count == (edges,)
        load_edam(conn)  # replaced whole: the same edges again, none twice
        assert conn.execute("SELECT count(*) FROM edam_parents").fetchone() == (edges,)


def test_migrate_loads_the_edges_into_a_store_loaded_before_them(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    setup.migrate(database_url, settings)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP VIEW edam_parents")
        conn.execute("DROP TABLE edam_parents_v1")
    setup.migrate(database_url, settings)
    with psycopg.connect(database_url) as conn:
        assert _parents(conn, "topic_0121") == {"topic_3391"}
