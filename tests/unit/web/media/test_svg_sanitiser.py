"""SVG sanitising: safe parsing, active content removed, canonical and idempotent output."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from web.media.svg import FORBIDDEN, NOT_SVG, TOO_DEEP, SvgRejected, sanitise_svg

HOSTILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script type="text/javascript">alert(2)</script>
  <defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>
  <a xlink:href="javascript:alert(3)"><rect width="5" height="5" fill="url(#g)" onclick="x()"/></a>
  <use xlink:href="#g"/><use href="https://evil.example/sprite.svg#a"/>
  <image src="https://evil.example/x.png" href="data:image/png;base64,AAAA"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <set attributeName="xlink:href" to="javascript:alert(4)"/>
  <form action="https://evil.example"><button formaction="https://evil.example"/></form>
  <style>rect { stroke: blue; }</style>
</svg>"""


def test_active_content_is_removed_and_drawing_kept() -> None:
    out = sanitise_svg(HOSTILE)
    for banned in (
        b"<script",
        b"alert",
        b"onload",
        b"onclick",
        b"javascript",
        b"evil.example",
        b"data:",
        b"xhtml",
        b">hi<",
        b"<set",
    ):
        assert banned not in out, banned
    for kept in (b'viewBox="0 0 10 10"', b'xlink:href="#g"', b'fill="url(#g)"', b"stroke: blue"):
        assert kept in out, kept
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_sanitising_twice_changes_nothing() -> None:
    once = sanitise_svg(HOSTILE)
    assert sanitise_svg(once) == once


def test_the_legacy_ns0_root_and_a_namespace_less_root_become_svg() -> None:
    legacy = b'<ns0:svg xmlns:ns0="http://www.w3.org/2000/svg"><ns0:circle r="1"/></ns0:svg>'
    bare = b'<svg><circle r="1"/></svg>'
    assert sanitise_svg(legacy) == sanitise_svg(bare)
    assert b'<svg xmlns="http://www.w3.org/2000/svg"' in sanitise_svg(legacy)
    assert b"ns0" not in sanitise_svg(legacy)


def test_an_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<svg>&x;</svg>"
    )
    with pytest.raises(SvgRejected, match=FORBIDDEN):
        sanitise_svg(xxe)


def test_billion_laughs_is_refused_before_expansion() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]><svg>&l9;</svg>'.encode()
    with pytest.raises(SvgRejected, match=FORBIDDEN):
        sanitise_svg(bomb)


@pytest.mark.parametrize(
    "data",
    [
        b"<svg><g></svg>",
        b'<?xml version="1.0"?><html><svg/></html>',
        b'<svg xmlns="http://example.org/not-svg"/>',
        b"<?xml version='1.0'?>",
        b"\xff\xfe<svg/>",
    ],
)
def test_malformed_or_foreign_documents_are_refused(data: bytes) -> None:
    with pytest.raises(SvgRejected, match=NOT_SVG):
        sanitise_svg(data)


def test_absurd_nesting_is_refused() -> None:
    deep = b"<svg>" + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>"
    with pytest.raises(SvgRejected, match=TOO_DEEP):
        sanitise_svg(deep)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    attribute=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-:", min_size=1, max_size=12),
)
def test_sanitising_is_idempotent_for_arbitrary_text_and_attribute_values(
    text: str, attribute: str
) -> None:
    from xml.sax.saxutils import escape, quoteattr

    if not attribute[0].isalpha() or ":" in attribute:
        attribute = "data-x"
    source = f"<svg><text {attribute}={quoteattr(text)}>{escape(text)}</text></svg>"
    try:
        once = sanitise_svg(source.encode())
    except SvgRejected:
        return  # characters XML cannot hold
    assert sanitise_svg(once) == once
