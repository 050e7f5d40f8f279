"""``registry bench``: the side-by-side benchmark (issue 7; being written)."""

from __future__ import annotations

import sys

from schema.settings import Settings


def run(settings: Settings, *, quick: bool) -> int:
    """Not available yet: say so and fail, rather than pretend to measure."""
    print("registry: the benchmark is not implemented yet", file=sys.stderr)
    return 2
