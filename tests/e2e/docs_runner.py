"""Runs the fenced commands of a Markdown walkthrough in one shell and compares each block's
output with the answer the text shows after it.

- A ```sh block is run; the blocks run in order, in one ``bash`` (variables carry over), with
  ``set -euo pipefail``.
- A ```json block right after a ```sh block is the answer its output must match: objects by the
  members shown (others may be there too), lists item by item, ``"..."`` matching anything.
- A ```text block right after a ```sh block lists lines the output must contain, in order;
  ``...`` in a line matches anything there.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
WILDCARD = "..."


@dataclass(frozen=True)
class Step:
    """One ```sh block and the answer shown after it (None when none is shown)."""

    number: int
    command: str
    expected_kind: str | None = None
    expected: str | None = None


def steps(markdown: str) -> list[Step]:
    """The walkthrough's commands with their shown answers, in order."""
    found: list[Step] = []
    for match in _FENCE.finditer(markdown):
        kind, body = match.group(1), match.group(2)
        if kind == "sh":
            found.append(Step(len(found), body))
        elif kind in ("json", "text") and found and found[-1].expected_kind is None:
            last = found[-1]
            found[-1] = Step(last.number, last.command, kind, body)
    return found


def run(
    walkthrough: list[Step], *, cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> dict[int, str]:
    """Run every step in one bash; each step's standard output by its number. A failing
    command stops the run: the error names its step."""
    script = ["set -euo pipefail"]
    for step in walkthrough:
        script += [f"echo '@@step {step.number}@@'", step.command]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    outputs: dict[int, str] = {}
    for part in re.split(r"^@@step (\d+)@@\n", done.stdout, flags=re.M)[1:]:
        if part.isdigit():
            number = int(part)
            outputs[number] = ""
        else:
            outputs[number] = part
    if done.returncode != 0:
        failed = max(outputs) if outputs else 0
        raise AssertionError(
            f"step {failed} failed ({done.returncode}):\n{walkthrough[failed].command}\n"
            f"stdout:\n{outputs.get(failed, '')}\nstderr:\n{done.stderr[-3000:]}"
        )
    return outputs


def mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where ``actual`` differs from the shown ``expected`` (None when it matches)."""
    if expected == WILDCARD:
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}: no member {key!r} in {actual!r}"
            found = mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {len(expected)} items, got {actual!r}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(want, got, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{where}: expected {expected!r}, got {actual!r}"


def check(step: Step, output: str) -> str | None:
    """Whether ``output`` is the answer shown after ``step`` (None: it is, or none is shown)."""
    if step.expected is None:
        return None
    if step.expected_kind == "json":
        try:
            actual = json.loads(output)
        except json.JSONDecodeError:
            return f"not one JSON value: {output!r}"
        return mismatch(json.loads(step.expected), actual)
    lines = output.splitlines()
    position = 0
    for wanted in step.expected.splitlines():
        pattern = re.compile(".*".join(re.escape(part) for part in wanted.split(WILDCARD)))
        while position < len(lines) and not pattern.fullmatch(lines[position]):
            position += 1
        if position == len(lines):
            return f"no line {wanted!r} (in order) in:\n{output}"
        position += 1
    return None
