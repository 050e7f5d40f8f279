"""Normalisation: unstorable text refused, only real HTML removed (nothing escaped or
unescaped), NFC, strip; idempotent. ``strip_html`` is the registry's only sanitiser."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.normalise import normalise_plain, normalise_text, strip_html

REMOVED = [
    ("<b>x</b>", "x"),
    ("a<b>c", "ac"),  # a real element's tag, even unclosed: markup, as a browser renders it
    ("<script>alert(1)</script>", ""),
    ("<script>alert(1)</script>y", "y"),
    ("<SCRIPT type='text/javascript'>bad()</Script>ok", "ok"),
    ("<style>p{color:red}</style>z", "z"),
    ("x<!-- comment -->y", "xy"),
    ("<!DOCTYPE html>t", "t"),
    ("<p>one</p><p>two</p>", "onetwo"),
    ("<img src=x onerror=alert(1)>t", "t"),
    ('<a href="https://example.org">link</a>', "link"),
    ("Tom & Jerry <i>cartoon</i>", "Tom & Jerry cartoon"),
    ("<div><script>bad()</script>ok</div>", "ok"),
    ("line<br/>break<br />", "linebreak"),
    ("</p>t", "t"),
    ("<<b>>", "<>"),
    ("<scr<b></b>ipt>x", "x"),  # a tag assembled from the pieces of removed ones goes too
]

KEPT = [
    "Tool <v2>",
    "Some Institute <Partner>",
    "<tag>",
    "a<x>c",
    "x < y > z",
    "a < b",
    "5 > 3",
    "x<3",
    "a <b",
    'a <b c="x',
    "<my-widget>",
    "&lt;tag&gt;",
    "&lt;b&gt;x&lt;/b&gt;",
    "a & b",
    "a&amp;b",
    "AT&T",
    "x &copy y",
    "&#x3c;i&#x3e;",
    "&nbsp;x",
    "x <!-- unterminated",
    "café",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REMOVED)
def test_real_html_is_removed(text: str, expected: str) -> None:
    assert strip_html(text) == expected
    assert normalise_text(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_text_that_only_looks_like_markup_is_kept_verbatim(text: str) -> None:
    assert strip_html(text) == text
    assert normalise_text(text) == text.strip()


def test_entities_are_never_produced_or_decoded() -> None:
    assert normalise_text("Tom & Jerry") == "Tom & Jerry"
    assert normalise_text("Tom &amp; Jerry") == "Tom &amp; Jerry"
    assert normalise_text("<b>Tom & Jerry</b>") == "Tom & Jerry"


def test_text_is_nfc_and_stripped() -> None:
    decomposed = "Cafe\u0301"
    assert normalise_text(f"  {decomposed} \n") == unicodedata.normalize("NFC", decomposed)
    assert normalise_plain(" https://x.org/a?b=1&c=2 ") == "https://x.org/a?b=1&c=2"


@pytest.mark.parametrize("bad", ["a\x00", "\x00", "x\ud800y", "\udfff"])
@pytest.mark.parametrize("normalise", [normalise_text, normalise_plain])
def test_text_postgresql_cannot_store_is_refused_not_removed(normalise: object, bad: str) -> None:
    with pytest.raises(ValueError, match="cannot be stored"):
        normalise(bad)  # type: ignore[operator]


def test_a_long_unclosed_tag_is_handled_in_linear_time() -> None:
    hostile = "<a " + "b=c " * 20_000 + "d='" * 200
    started = time.perf_counter()
    assert strip_html(hostile) == hostile
    assert time.perf_counter() - started < 1.0


TEXT = st.text(alphabet=st.sampled_from(list("ab <>/&;#x3cltgpi!-'\"= \u0301e\u00e9")), max_size=40)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalising_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_removal_only_ever_deletes_characters(text: str) -> None:
    """Nothing is escaped, unescaped or rewritten: the result is the input with parts cut out."""
    rest = iter(text)
    assert all(char in rest for char in strip_html(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40).filter(lambda t: "\x00" not in t))
def test_normalising_plain_values_is_idempotent(text: str) -> None:
    once = normalise_plain(text)
    assert normalise_plain(once) == once
