"""Input normalisation that runs before any rule or comparison: the registry's one HTML rule.

Order: a value that cannot be stored is refused (``domain.text``: NUL, lone surrogates; a
ValueError whose message the field reports), HTML removed from free text (:func:`strip_html`),
Unicode NFC, surrounding whitespace stripped. Normalisation is idempotent, so a value that
normalises to what is stored is never reported as a change.

**What counts as HTML** (decisions §3, issue 15): only real markup is removed, and nothing is
ever escaped or unescaped, so text that merely looks like a tag is kept exactly as typed and the
renderer escapes it where HTML is produced. Removed are

- a start or end tag whose name is an HTML element (:data:`HTML_ELEMENTS`, the WHATWG list plus
  obsolete elements such as ``font`` and ``center``, any case), complete with its ``>`` and with
  well-formed attributes: ``<b>``, ``</p>``, ``<img src=x onerror=alert(1)>``, ``<br/>``;
- the content of ``script`` and ``style`` elements together with their tags;
- comments (``<!-- … -->``) and doctypes (``<!DOCTYPE html>``).

Kept verbatim: ``Tool <v2>``, ``Some Institute <Partner>``, ``<tag>``, ``a<x>c``, ``x < y > z``,
``a <b`` (no ``>``), ``<my-widget>`` (not an element of HTML), entities such as ``&lt;tag&gt;``
and ``AT&amp;T`` (text, not markup: decoding them would change what was typed). A real element's
tag is removed even when it is not closed: ``a<b>c`` becomes ``ac``, as a browser would render
it. Removal repeats until nothing changes, so a tag assembled from the pieces of others
(``<scr<b></b>ipt>``) goes as well.

This is the only sanitiser: the API, the import's checks and the unit tests all run it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from domain.text import check_storable

_ELEMENT_NAMES: Final = """
    a abbr acronym address applet area article aside audio b base basefont bdi bdo bgsound
    big blink blockquote body br button canvas caption center cite code col colgroup data
    datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure font
    footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe image img
    input ins isindex kbd keygen label legend li link listing main map mark marquee math menu
    menuitem meta meter multicol nav nextid nobr noembed noframes noscript object ol optgroup
    option output p param picture plaintext pre progress q rb rp rt rtc ruby s samp script
    search section select slot small source spacer span strike strong style sub summary sup
    svg table tbody td template textarea tfoot th thead time title tr track tt u ul var video
    wbr xmp"""
HTML_ELEMENTS: Final = frozenset(_ELEMENT_NAMES.split())

_MAX_ROUNDS = 20
_ATTRIBUTE = r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)"""
_TAG = re.compile(rf"<(/?)([A-Za-z][A-Za-z0-9]*)({_ATTRIBUTE}*)\s*/?>")
_DROPPED = re.compile(rf"<(script|style)\b{_ATTRIBUTE}*\s*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->|<!doctype\b[^<>]*>", re.IGNORECASE | re.DOTALL)


def _tag(match: re.Match[str]) -> str:
    return "" if match.group(2).lower() in HTML_ELEMENTS else match.group()


def strip_html(text: str) -> str:
    """``text`` without the real HTML in it (see the module docstring); nothing else changes."""
    if "<" not in text:
        return text
    for _ in range(_MAX_ROUNDS):
        cleaned = _TAG.sub(_tag, _COMMENT.sub("", _DROPPED.sub("", text)))
        if cleaned == text:
            break
        text = cleaned
    return text


def normalise_plain(value: str) -> str:
    """Normalise a non-HTML value (URL, email, identifier): storable, NFC, stripped."""
    return unicodedata.normalize("NFC", check_storable(value)).strip()


def normalise_text(value: str) -> str:
    """Normalise free text: storable, HTML removed, NFC, stripped; idempotent."""
    current = check_storable(value)
    for _ in range(_MAX_ROUNDS):
        step = unicodedata.normalize("NFC", strip_html(current)).strip()
        if step == current:
            break
        current = step
    return current
