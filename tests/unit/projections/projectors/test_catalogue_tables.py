"""The field catalogue and the ``submissions`` read-table versions agree: every version it needs
is declared with its DDL file, and every indexed document filter has its index there."""

from __future__ import annotations

from domain.fields import list_filters, table_version
from projections.projectors import PROJECTORS
from projections.projectors.submissions import VERSIONS
from projections.queries.submission_sql import FILTERS, document_expression


def test_every_version_the_catalogue_needs_is_declared_with_its_ddl_file() -> None:
    declared = [p.version for p in PROJECTORS if p.name == "submissions"]
    assert declared == list(range(1, table_version() + 1))
    for projector in VERSIONS:
        assert projector.ddl_path().is_file(), projector.ddl_path()


def test_every_indexed_document_filter_has_its_index_in_the_newest_version() -> None:
    newest = VERSIONS[-1].ddl_path().read_text()
    indexed = [f for f in list_filters() if f.filter and f.filter.column is None]
    assert indexed, "data_access_type is one"
    for f in indexed:
        assert f.filter is not None
        expression = document_expression(f).replace("s.doc", "doc")
        if f.filter.indexed:
            assert f"(({expression}))" in newest, (
                f"{f.name} is an indexed list filter: its index ON ... (({expression})) belongs in"
                f" a new submissions version (Field.stored_from)"
            )


def test_the_list_filters_are_the_catalogues() -> None:
    assert [param for param, _, _ in FILTERS] == [
        f.filter.param for f in list_filters() if f.filter is not None
    ]
    assert {param for param, _, _ in FILTERS} >= {
        "status",
        "service_center",
        "year_established",
        "register_as_elixir",
        "primary_maturity_tag",
        "secondary_maturity_tags",
        "data_access_type",
    }
