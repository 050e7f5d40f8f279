"""How catalogue search folds text: lower case without accents, one character for one.

Shared by the read side (the ``catalogue`` projection stores folded text; its query folds
reference names in SQL with :data:`SQL_FOLD_FROM`/:data:`SQL_FOLD_TO`) and the pages (which
highlight matches), so a search for ``giessen`` or ``gießen`` and ``muller`` for ``Müller``
find and mark the same words everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

MAX_WORDS: Final = 8


def fold(text: str) -> str:
    """``text`` lower-cased with accents removed, keeping its length (``"Ä"`` -> ``"a"``), so a
    position in the folded text is the same position in the original."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFKD", char)[:1] or char
        lowered = base.lower()
        out.append(lowered if len(lowered) == 1 else char)
    return "".join(out)


def search_words(query: str) -> list[str]:
    """The folded words of a search text (letters and digits), at most :data:`MAX_WORDS`."""
    return re.findall(r"[^\W_]+", fold(query))[:MAX_WORDS]


def _sql_fold_table() -> tuple[str, str]:
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        folded = fold(char)
        if char == char.lower() and folded != char and folded.isascii():
            source.append(char)
            target.append(folded)
    return "".join(source), "".join(target)


#: ``translate(lower(x), SQL_FOLD_FROM, SQL_FOLD_TO)`` is :func:`fold` for Latin letters.
SQL_FOLD_FROM, SQL_FOLD_TO = _sql_fold_table()
