"""The query parameters of the EDAM list filters (``?edam_topic=``, ``?edam_operation=``,
``?descendants=``, ``?maturity=``): how a value names EDAM terms, shared by the web (which refuses
a value that names none) and the read queries (which build the SQL from it)."""

from __future__ import annotations

import re
from typing import Final

#: Submission list filter -> the submission field of EDAM accessions it matches.
SUBMISSION_EDAM_FILTERS: Final = {
    "edam_topic": "edam_topic_ids",
    "edam_operation": "edam_operation_ids",
}
#: bio.tools maturity values (biotoolsSchema), matched in any case.
MATURITIES: Final = ("Emerging", "Mature", "Legacy")
TERM_EXPECTED: Final = (
    "Name EDAM terms by accession (topic_0121) or URL (http://edamontology.org/topic_0121),"
    " comma-separated."
)
FLAG_EXPECTED: Final = "Must be true or false."

_ACCESSION = re.compile(r"^(?:https?://(?:www\.)?edamontology\.org/)?([a-z]+_\d{4,})/?$", re.I)
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


def accessions(raw: str) -> list[str] | None:
    """The accessions a filter value names (lower case; empty parts skipped), None when a part
    is not an accession or an EDAM URL."""
    found = []
    for part in raw.split(","):
        if not part.strip():
            continue
        match = _ACCESSION.match(part.strip())
        if match is None:
            return None
        found.append(match.group(1).lower())
    return found


def flag(raw: str | None) -> bool | None:
    """``true``/``1`` or ``false``/``0`` (any case); None for anything else."""
    value = (raw or "").strip().lower()
    if value in _TRUE:
        return True
    return False if value in _FALSE else None
