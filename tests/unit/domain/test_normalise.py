"""Normalisation: NUL removal, HTML removal without entities, NFC, strip; idempotent."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.normalise import normalise_plain, normalise_text, stdlib_strip_html
from schema.sanitise import strip_html

TRICKY = [
    "a & b",
    "<b>x</b>",
    "a < b",
    "5 > 3",
    "x<3",
    "a <b",
    'a <b c="x',
    "&lt;b&gt;x",
    "<script>alert(1)</script>y",
    "<style>p{color:red}</style>z",
    "x<!-- comment -->y",
    "a&amp;b",
    "AT&T",
    "x &copy y",
    "&#x3c;i&#x3e;",
    "&nbsp;x",
    "<p>one</p><p>two</p>",
    "<img src=x onerror=alert(1)>t",
    '<a href="https://example.org">link</a>',
    "Tom & Jerry <i>cartoon</i>",
    "<div><script>bad()</script>ok</div>",
    "<<b>>",
    "<!DOCTYPE html>t",
    "</p>t",
    "café",
    "",
]


@pytest.mark.parametrize("text", TRICKY)
def test_the_stdlib_and_nh3_sanitisers_agree(text: str) -> None:
    assert stdlib_strip_html(text) == strip_html(text)


@pytest.mark.parametrize("sanitiser", [stdlib_strip_html, strip_html])
def test_ampersands_are_never_escaped(sanitiser: object) -> None:
    assert normalise_text("Tom & Jerry", sanitiser) == "Tom & Jerry"  # type: ignore[arg-type]


@pytest.mark.parametrize("sanitiser", [stdlib_strip_html, strip_html])
def test_tags_are_removed_and_escaped_markup_does_not_survive(sanitiser: object) -> None:
    assert normalise_text("<b>x</b>", sanitiser) == "x"  # type: ignore[arg-type]
    assert normalise_text("&lt;b&gt;x&lt;/b&gt;", sanitiser) == "x"  # type: ignore[arg-type]


def test_nul_bytes_are_removed_text_is_nfc_and_stripped() -> None:
    decomposed = "Cafe\u0301"
    assert normalise_text(f"  \x00{decomposed}\x00 \n") == unicodedata.normalize("NFC", decomposed)
    assert normalise_plain(" https://x.org/a?b=1&c=2\x00 ") == "https://x.org/a?b=1&c=2"


TEXT = st.text(
    alphabet=st.sampled_from(list("ab <>/&;#x3cltgpi!-'\"=\x00 \u0301e\u00e9")), max_size=40
)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_normalising_text_is_idempotent(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalising_text_with_nh3_is_idempotent(text: str) -> None:
    once = normalise_text(text, strip_html)
    assert normalise_text(once, strip_html) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_normalising_plain_values_is_idempotent(text: str) -> None:
    once = normalise_plain(text)
    assert normalise_plain(once) == once
