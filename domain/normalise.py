"""Input normalisation that runs before any rule or comparison.

Order: NUL bytes removed, HTML removed from free text by the injected sanitiser, Unicode NFC,
surrounding whitespace stripped. The sanitiser runs to a fixed point because unescaping can reveal
markup (``&lt;b&gt;x`` becomes ``<b>x``), and normalisation must be idempotent so that a value that
normalises to what is stored is never reported as a change.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser

Sanitiser = Callable[[str], str]
"""Port: remove every HTML tag from text and return plain text with entities unescaped."""

_DROP_CONTENT = frozenset({"script", "style"})
_MAX_ROUNDS = 20
_UNFINISHED_TAG = re.compile(r"<[A-Za-z/!?]")


class _TextExtractor(HTMLParser):
    """Collects character data outside script/style elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def stdlib_strip_html(text: str) -> str:
    """Default sanitiser: drop tags, comments and script/style content; unescape entities."""
    if "<" not in text and "&" not in text:
        return text
    parser = _TextExtractor()
    parser.feed(text)
    if _UNFINISHED_TAG.match(parser.rawdata):
        parser.rawdata = ""  # an unterminated trailing tag is markup, not text (as nh3 does)
    parser.close()
    return html.unescape("".join(parser.parts))


def _to_fixed_point(sanitiser: Sanitiser, text: str) -> str:
    for _ in range(_MAX_ROUNDS):
        cleaned = sanitiser(text)
        if cleaned == text:
            return cleaned
        text = cleaned
    return text


def normalise_plain(value: str) -> str:
    """Normalise a non-HTML value (URL, email, identifier): no NUL, NFC, stripped."""
    return unicodedata.normalize("NFC", value.replace("\x00", "")).strip()


def normalise_text(value: str, sanitiser: Sanitiser = stdlib_strip_html) -> str:
    """Normalise free text: no NUL, HTML removed, NFC, stripped; idempotent."""
    current = value
    for _ in range(_MAX_ROUNDS):
        step = current.replace("\x00", "")
        step = _to_fixed_point(sanitiser, step)
        step = unicodedata.normalize("NFC", step).strip()
        if step == current:
            break
        current = step
    return current
