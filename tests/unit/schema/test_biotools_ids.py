"""Getting the bio.tools ID out of what a user typed."""

from __future__ import annotations

import pytest

from schema.biotools import biotools_id_from_url


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://bio.tools/blast", "blast"),
        ("https://bio.tools/MMseqs2/", "MMseqs2"),
        ("https://bio.tools/tool/bio.tools", "bio.tools"),
        ("https://bio.tools/t/j?x=1#frag", "j"),
        ("http://www.bio.tools/signalp", "signalp"),
        ("biotools:BLAST", "BLAST"),
        ("  kraken2 ", "kraken2"),
        ("a" * 100, "a" * 100),
    ],
)
def test_a_bio_tools_id_is_found(typed: str, expected: str) -> None:
    assert biotools_id_from_url(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "https://github.com/blast",
        "https://bio.tools/",
        "https://bio.tools/a/b/c",
        "bad id with spaces",
        "a" * 101,
        "biotools:",
    ],
)
def test_no_id_is_found_in_anything_else(typed: str) -> None:
    assert biotools_id_from_url(typed) is None
