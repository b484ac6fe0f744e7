"""The real-history fix corpus (fixtures/fix-corpus) and the ways model output degrades a diff."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deep_review.fixes import plan_fix
from deep_review.fixes.errors import FixDoesNotApply
from deep_review.model import Location

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "fix-corpus"
_HEADER = re.compile(r"^(diff --git|index |--- |\+\+\+ |new file mode|deleted file mode)")
_AT = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@(.*)$")


@dataclass(frozen=True)
class CorpusCase:
    name: str
    path: str
    before: str
    after: str
    diff: str


def load(half: str) -> list[CorpusCase]:
    """The cases of one half (``tune`` or ``frozen``)."""
    cases = []
    for file in sorted((CORPUS / half).glob("*.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        cases.append(
            CorpusCase(file.stem, data["path"], data["before"], data["after"], data["diff"])
        )
    return cases


def _hunk_lines(diff: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to every line inside a hunk (not headers, not @@ lines)."""
    out = []
    for line in diff.splitlines(keepends=True):
        if _HEADER.match(line) or line.startswith("@@") or line.startswith("\\"):
            out.append(line)
        else:
            out.append(change(line))
    return "".join(out)


def _body(line: str, change: Callable[[str], str]) -> str:
    marker, text = line[:1], line[1:]
    if marker not in " +-":
        return line
    return marker + change(text)


def headerless(diff: str) -> str:
    lines = [line for line in diff.splitlines(keepends=True) if not _HEADER.match(line)]
    return "".join("@@\n" if line.startswith("@@") else line for line in lines)


def numbers_off(diff: str) -> str:
    def shift(match: re.Match[str]) -> str:
        old, new = int(match.group(1)) + 17, int(match.group(3)) + 17
        return f"@@ -{old}{match.group(2) or ''} +{new}{match.group(4) or ''} @@{match.group(5)}"

    return "".join(
        _AT.sub(shift, line) if line.startswith("@@") else line
        for line in diff.splitlines(keepends=True)
    )


def first_line_unindented(diff: str) -> str:
    out, first = [], False
    for line in diff.splitlines(keepends=True):
        if line.startswith("@@"):
            first = True
            out.append(line)
        elif first and line[:1] in " -" and not _HEADER.match(line):
            out.append(line[0] + line[1:].lstrip(" \t"))
            first = False
        else:
            out.append(line)
    return "".join(out)


def flattened(diff: str) -> str:
    return _hunk_lines(diff, lambda line: _body(line, lambda t: t.lstrip(" \t")))


def shifted(diff: str) -> str:
    return _hunk_lines(diff, lambda line: _body(line, lambda t: "    " + t if t.strip() else t))


def blank_context_emptied(diff: str) -> str:
    return _hunk_lines(diff, lambda line: "\n" if line.strip() == "" else line)


DEGRADATIONS: dict[str, Callable[[str], str]] = {
    "exact": lambda diff: diff,
    "headerless": headerless,
    "numbers-off": numbers_off,
    "first-line-unindented": first_line_unindented,
    "blank-context-emptied": blank_context_emptied,
    "shifted": shifted,
    "flattened": flattened,
    "headerless-first-line-unindented": lambda diff: first_line_unindented(headerless(diff)),
}


def outcome(case: CorpusCase, patch: str) -> str:
    """``exact`` (the real after), ``refused``, or ``wrong`` (anything else: must never happen)."""
    hint = Location(path=case.path, start_line=1, end_line=1)
    try:
        plan = plan_fix({case.path: case.before}, patch, hint=hint)
    except FixDoesNotApply:
        return "refused"
    return "exact" if plan.texts.get(case.path) == case.after else "wrong"
