"""The catalogue's query parameters: lenient parsing, canonical URLs without defaults."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from web.ui.catalogue import CatalogueParams
from web.ui.render import highlight, linkify

CENTRE = "7d9f3c2e-0000-4000-8000-0000000000c1"


def parse(query: str) -> CatalogueParams:
    return CatalogueParams.parse(QueryParams(query))


def test_invalid_values_fall_back_to_their_defaults_silently() -> None:
    params = parse(
        "page=0&sort=bogus&group_by=x&view=tiles&maturity=old&access=x&category=a&center=no"
    )
    assert params == CatalogueParams()
    assert parse("page=99999999").page == 1
    assert parse("sort=relevance").sort == ""  # relevance only while searching


def test_the_canonical_url_omits_defaults_and_keeps_repeated_values_once() -> None:
    params = parse(
        f"q=+prot++eomics+&category=2&category=1&category=2&center={CENTRE.upper()}"
        "&sort=name_asc&view=grid&page=1&edam=topic_0121&elixir=1"
    )
    assert params.q == "prot eomics"
    assert params.category == ("2", "1")
    assert params.center == (CENTRE,)
    assert params.url(page=params.page) == (
        f"/catalogue/?q=prot+eomics&category=2&category=1&center={CENTRE}"
        "&edam=topic_0121&sort=name_asc&elixir=1"
    )
    assert parse("sort=name_asc").url() == "/catalogue/"  # the default without a search
    assert parse("q=x&sort=relevance").url() == "/catalogue/?q=x"


def test_removing_one_filter_keeps_the_others_and_resets_the_page() -> None:
    params = parse("q=x&category=1&category=2&view=list&page=3")
    assert params.without("category", "1") == "/catalogue/?q=x&category=2&view=list"
    assert params.without("q") == "/catalogue/?category=1&category=2&view=list"
    assert params.cleared() == "/catalogue/?view=list"
    assert params.filtered
    assert not parse("view=list&sort=name_desc").filtered


def test_the_query_is_capped_at_200_characters() -> None:
    assert len(parse("q=" + "a" * 500).q) == 200


def test_highlighting_escapes_first_and_ignores_accents() -> None:
    marked = str(highlight("<b>Müller</b> & muller's tools", ["muller"]))
    assert marked == "&lt;b&gt;<mark>Müller</mark>&lt;/b&gt; &amp; <mark>muller</mark>&#39;s tools"
    assert str(highlight("x < y", [])) == "x &lt; y"


def test_only_web_addresses_become_links_after_escaping() -> None:
    html = str(linkify("See https://a.org/x?y=1&z=2. Or javascript:alert(1) <i>x</i>\n\nNext"))
    assert '<a href="https://a.org/x?y=1&amp;z=2">https://a.org/x?y=1&amp;z=2</a>.' in html
    assert "javascript:alert(1)" in html
    assert '<a href="javascript' not in html
    assert "&lt;i&gt;" in html
    assert html.count("<p>") == 2
