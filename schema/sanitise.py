"""The production HTML sanitiser (nh3), injected into the domain's ``Sanitiser`` port.

``nh3.clean`` with no allowed tags removes every tag (and the content of script/style), then
``html.unescape`` turns its entity escaping back into text, so ``a & b`` stays ``a & b`` and
``<b>x</b>`` becomes ``x``.
"""

from __future__ import annotations

import html

import nh3

_DROP_CONTENT = {"script", "style"}


def strip_html(text: str) -> str:
    """Plain text of ``text``: tags, comments and script/style content removed, entities decoded."""
    if "<" not in text and "&" not in text:
        return text
    cleaned = nh3.clean(text, tags=set(), clean_content_tags=_DROP_CONTENT, strip_comments=True)
    return html.unescape(cleaned)
