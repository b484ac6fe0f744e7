"""A fast unified-diff hunk parser: one pass, memory proportional to the patch."""

from __future__ import annotations

import re

from deep_review.change.model import Hunk

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")


def parse_hunks(patch: str) -> list[Hunk]:
    """The ``@@`` hunks of one file's patch, with the new-file numbers of added lines."""
    # Split on "\n" only: str.splitlines would also break on form feeds and U+2028 in code.
    lines = patch.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    hunks: list[Hunk] = []
    index = _first_hunk(lines)
    while index < len(lines):
        match = _HUNK_HEADER.match(lines[index].rstrip("\r"))
        if match is None:
            index += 1
            continue
        index = _read_hunk(lines, index, match, hunks)
    return hunks


def _first_hunk(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.startswith("@@ "):
            return index
    return len(lines)


def _read_hunk(lines: list[str], header: int, match: re.Match[str], hunks: list[Hunk]) -> int:
    old_start, new_start = int(match.group(1)), int(match.group(3))
    old_lines = int(match.group(2)) if match.group(2) is not None else 1
    new_lines = int(match.group(4)) if match.group(4) is not None else 1
    old_left, new_left = old_lines, new_lines
    line_number = new_start
    added: list[int] = []
    index = header + 1
    # Count lines rather than trusting prefixes alone: a removed line may itself start
    # with "@@" or "diff --git", and the counts in the header say exactly where the hunk ends.
    while index < len(lines) and (old_left > 0 or new_left > 0):
        first = lines[index][:1]
        if first == "+":
            added.append(line_number)
            line_number += 1
            new_left -= 1
        elif first == "-":
            old_left -= 1
        elif first == "\\":
            pass
        else:
            line_number += 1
            old_left -= 1
            new_left -= 1
        index += 1
    while index < len(lines) and lines[index].startswith("\\"):
        index += 1
    hunks.append(
        Hunk(
            old_start=old_start,
            old_lines=old_lines,
            new_start=new_start,
            new_lines=new_lines,
            section=match.group(5).strip(),
            text="\n".join(lines[header:index]) + "\n",
            added_lines=added,
        )
    )
    return index
