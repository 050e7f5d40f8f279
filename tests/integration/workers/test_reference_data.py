"""Loading EDAM and SPDX into their tables on the real PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest

from workers.edam import load_edam, read_edam_terms
from workers.spdx import load_spdx, read_spdx_licenses

pytestmark = pytest.mark.integration


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(database_url) as connection:
        yield connection


def _count(conn: psycopg.Connection[tuple[object, ...]], query: str) -> int:
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_a_first_edam_load_adds_every_term_of_the_package(conn: psycopg.Connection) -> None:
    summary = load_edam(conn)
    assert summary.total == 3471
    assert summary.added == 3471
    assert (summary.updated, summary.newly_obsolete) == (0, 0)
    assert summary.version == "1.25"
    assert _count(conn, "SELECT count(*) FROM edam_terms") == 3471
    assert _count(conn, "SELECT count(*) FROM edam_terms WHERE branch = 'topic'") == 451
    assert _count(conn, "SELECT count(*) FROM edam_terms WHERE is_obsolete") == 1113


def test_edam_rows_keep_synonyms_parents_definitions_and_the_version(
    conn: psycopg.Connection,
) -> None:
    load_edam(conn)
    row = conn.execute(
        "SELECT id, uri, branch, label, definition, synonyms, parent, sort_order, edam_version "
        "FROM edam_terms WHERE accession = 'operation_3923'"
    ).fetchone()
    assert row is not None
    ident, uri, branch, label, definition, synonyms, parent, sort_order, version = row
    assert (ident, sort_order) == (3923, 3923)
    assert uri == "http://edamontology.org/operation_3923"
    assert branch == "topic"  # a mis-prefixed topic: the branch comes from the root ancestor
    assert label == "Genome resequencing"
    assert definition.startswith("Laboratory experiment")
    assert "Resequencing" in synonyms
    assert parent == "topic_3168"
    assert version == "1.25"
    obsolete = conn.execute(
        "SELECT is_obsolete, consider FROM edam_terms WHERE accession = 'operation_3562'"
    ).fetchone()
    assert obsolete == (True, ["operation_3928", "operation_3927"])


def test_reloading_edam_changes_nothing(conn: psycopg.Connection) -> None:
    load_edam(conn)
    again = load_edam(conn)
    assert (again.added, again.updated, again.newly_obsolete) == (0, 0, 0)
    assert _count(conn, "SELECT count(*) FROM edam_terms_v1") == 3471


def test_a_term_that_left_edam_is_marked_obsolete_not_deleted(conn: psycopg.Connection) -> None:
    terms = read_edam_terms()
    load_edam(conn, terms)
    without_bioinformatics = [t for t in terms if t.accession != "topic_0091"]
    summary = load_edam(conn, without_bioinformatics)
    assert summary.total == 3470
    assert (summary.added, summary.updated, summary.newly_obsolete) == (0, 0, 1)
    row = conn.execute(
        "SELECT label, is_obsolete FROM edam_terms WHERE accession = 'topic_0091'"
    ).fetchone()
    assert row == ("Bioinformatics", True)
    # Marked once: a further load without it reports nothing new.
    assert load_edam(conn, without_bioinformatics).newly_obsolete == 0


def test_a_changed_and_a_new_term_are_counted(conn: psycopg.Connection) -> None:
    terms = read_edam_terms()
    load_edam(conn, terms[1:])
    renamed = [dataclasses.replace(terms[1], label="Renamed"), *terms[2:]]
    summary = load_edam(conn, [terms[0], *renamed], version="1.26")
    assert summary.added == 1
    # Every row carries the EDAM version, so a new version updates every row.
    assert summary.updated == len(terms) - 1
    assert _count(conn, "SELECT count(*) FROM edam_terms WHERE label = 'Renamed'") == 1


def test_an_existing_stable_view_is_left_alone(conn: psycopg.Connection) -> None:
    load_edam(conn)
    conn.execute("CREATE OR REPLACE VIEW edam_terms AS SELECT * FROM edam_terms_v1 WHERE false")
    conn.commit()
    load_edam(conn)
    assert _count(conn, "SELECT count(*) FROM edam_terms") == 0


def test_a_first_spdx_load_adds_every_licence(conn: psycopg.Connection) -> None:
    summary = load_spdx(conn)
    assert summary.total == summary.added == len(read_spdx_licenses())
    assert summary.version == "3.29"
    row = conn.execute(
        "SELECT name, reference_url, is_osi_approved, is_deprecated FROM licenses "
        "WHERE license_id = 'GPL-3.0'"
    ).fetchone()
    assert row == (
        "GNU General Public License v3.0 only",
        "https://spdx.org/licenses/GPL-3.0.html",
        True,
        True,
    )


def test_reloading_spdx_changes_nothing(conn: psycopg.Connection) -> None:
    load_spdx(conn)
    again = load_spdx(conn)
    assert (again.added, again.updated, again.newly_obsolete) == (0, 0, 0)


def test_a_licence_that_left_the_list_is_deprecated_and_a_returning_one_is_not(
    conn: psycopg.Connection,
) -> None:
    licences = read_spdx_licenses()
    load_spdx(conn, licences)
    summary = load_spdx(conn, [lic for lic in licences if lic.license_id != "MIT"])
    assert summary.newly_obsolete == 1
    deprecated = "SELECT is_deprecated FROM licenses WHERE license_id = 'MIT'"
    assert conn.execute(deprecated).fetchone() == (True,)
    back = load_spdx(conn, licences)
    assert back.updated == 1
    assert conn.execute(deprecated).fetchone() == (False,)
