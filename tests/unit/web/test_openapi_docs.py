"""The OpenAPI document is the manual: every operation says what it does, every body has an
example, every error its problem schema, both key schemes their header form, and the prose is
spelled right."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from spellchecker import SpellChecker

from registry import starter
from web import openapi_docs
from web.openapi import build_openapi

DOCUMENT = build_openapi()
OPERATIONS = [
    (path, method, op)
    for path, methods in DOCUMENT["paths"].items()
    for method, op in methods.items()
]

#: Words of this domain an English dictionary does not know (lower case).
WORDS = frozenset(
    [
        "admin",
        "api",
        "bio",
        "bioinformatics",
        "centre",
        "centres",
        "checksum",
        "dois",
        "etag",
        "idempotency",
        "jpeg",
        "kpis",
        "lifecycle",
        "multipart",
        "nbi",
        "plaintext",
        "pmids",
        "png",
        "proteomics",
        "rfc",
        "ror",
        "searchable",
        "spdx",
        "svg",
        "url",
        "urls",
        "walkthrough",
    ]
)


def _prose() -> Iterator[tuple[str, str]]:
    """(where, text) of every human-readable string of the document."""
    yield "info", DOCUMENT["info"]["description"]
    for tag in DOCUMENT["tags"]:
        yield f"tag {tag['name']}", tag["description"]
    for name, scheme in DOCUMENT["components"]["securitySchemes"].items():
        yield f"scheme {name}", scheme["description"]
    for path, method, op in OPERATIONS:
        where = f"{method} {path}"
        yield where, op["summary"]
        yield where, op["description"]
        for status, response in op["responses"].items():
            yield f"{where} {status}", response["description"]
        for parameter in op.get("parameters", []):
            if "description" in parameter:
                yield f"{where} {parameter['name']}", parameter["description"]

    def walk(node: Any, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                yield where, node["description"]
            for key, value in node.items():
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, where)

    yield from walk(DOCUMENT["components"]["schemas"], "schemas")


_CODE = re.compile(r"`[^`]*`|https?://\S+|\{[^}]*\}|<[^>]*>")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def _words(text: str) -> Iterator[str]:
    for token in _CODE.sub(" ", text).split():
        if any(c.isdigit() or c == "_" for c in token) or re.search(r"[a-z][A-Z]", token):
            continue  # an identifier, a number, a version
        for word in _WORD.findall(token):
            word = word.strip("'").lower()
            if len(word) > 2 and not word.endswith("'s"):
                yield word


def test_every_operation_has_a_summary_a_description_and_a_section() -> None:
    for path, method, op in OPERATIONS:
        assert op["summary"].strip(), (method, path)
        assert len(op["description"].split()) >= 8, (method, path)
        assert op["tags"], (method, path)
    assert set(openapi_docs.DESCRIPTIONS) == {f"{m} {p}" for p, m, _ in OPERATIONS}


def test_no_summary_is_made_by_cutting_a_plural() -> None:
    summaries = [op["summary"] for _, _, op in OPERATIONS]
    assert "Create a category" in summaries
    assert not [s for s in summaries if re.search(r"\bcategorie\b", s)]


def test_every_request_body_has_an_example_and_every_error_its_problem_schema() -> None:
    for path, method, op in OPERATIONS:
        body = op.get("requestBody")
        if body is not None:
            assert "example" in body["content"]["application/json"], (method, path)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)
    assert set(openapi_docs.EXAMPLES) == {
        f"{m} {p}" for p, m, op in OPERATIONS if "requestBody" in op
    }


def test_both_key_schemes_say_their_header_form() -> None:
    schemes = DOCUMENT["components"]["securitySchemes"]
    for name in ("ApiKey", "AdminKey"):
        assert schemes[name]["in"] == "header"
        assert schemes[name]["name"] == "Authorization"
        assert f"`Authorization: {name} <key>`" in schemes[name]["description"]


def test_the_examples_name_the_starter_reference_data() -> None:
    assert str(starter.centre_id("BiGi")) == openapi_docs.STARTER_CENTRE
    assert str(starter.PARTNER_ID) == openapi_docs.STARTER_PARTNER_PI
    assert starter.CATEGORIES[openapi_docs.STARTER_CATEGORY - 1] == "Database"


def test_the_prose_is_spelled_right() -> None:
    checker = SpellChecker()
    unknown: dict[str, set[str]] = {}
    for where, text in _prose():
        words = [w for w in _words(text) if w not in WORDS]
        for word in checker.unknown(words):
            unknown.setdefault(word, set()).add(where)
    assert unknown == {}, "misspelt (or add real words to WORDS): " + repr(unknown)


def test_the_spelling_test_finds_a_misspelling() -> None:
    checker = SpellChecker()
    assert checker.unknown(list(_words("Create a categorie; recieve the `api_key`"))) == {
        "categorie",
        "recieve",
    }
