"""``registry bench``: the side-by-side benchmark of issue 7 (harness, statistics, report)."""
