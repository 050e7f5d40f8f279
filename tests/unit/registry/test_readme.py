"""The README and docs work from a clone: links resolve inside the repository, and every
`registry …` they show is a real sub-command, called in a way that works after `make run`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from registry.cli import _parser

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.DOTALL)
SPAN = re.compile(r"`([^`\n]+)`")
#: A path inside the repository (with a folder: a bare name may be an example, e.g. export.json).
FILE = re.compile(r"^(\.\./|\./)?[\w.-]+(/[\w.-]+)+\.(md|py|yml|yaml|toml|json|sql|txt)$")
COMMAND = re.compile(r"(?:^|[\s/])registry ([a-z][a-z-]+)")


def _subcommands() -> set[str]:
    parser = _parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def _code(text: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block and inline span."""
    blocks = [
        (m.group(1), re.sub(r"(^|\s)#.*$", "", m.group(2), flags=re.MULTILINE))  # no comments
        for m in FENCE.finditer(text)
    ]
    prose = FENCE.sub("", text)
    return blocks + [("", m.group(1)) for m in SPAN.finditer(prose)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves_inside_the_repository(document: Path) -> None:
    broken = []
    for target in LINK.findall(document.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor of the same page
        path = (document.parent / target.split("#")[0]).resolve()
        if not path.exists() or ROOT not in path.parents:
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_file_named_in_code_exists(document: Path) -> None:
    missing = [
        name
        for _, code in _code(document.read_text())
        if FILE.match(code)
        for name in [code]
        if not (document.parent / name).exists() and not (ROOT / name).exists()
    ]
    assert missing == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_registry_command_shown_is_real(document: Path) -> None:
    known = _subcommands()
    shown = {word for _, code in _code(document.read_text()) for word in COMMAND.findall(code)}
    assert shown - known == set()


def test_the_readme_never_calls_registry_as_if_it_were_on_the_path() -> None:
    bare = [
        line
        for language, code in _code((ROOT / "README.md").read_text())
        if language == "sh"
        for line in code.splitlines()
        if line.lstrip().startswith("registry ")
    ]
    assert bare == []
