"""Carry line numbers from the prior round's head to the current tree through a -U0 diff."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class LineHunk:
    """One ``@@`` hunk of a zero-context diff: old lines replaced by new lines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int

    @property
    def old_end(self) -> int:
        return self.old_start + self.old_count - 1


@dataclass(frozen=True)
class MappedRange:
    """Where a prior span is now, and how much of it (and around it) changed."""

    start: int
    end: int
    touched: bool
    changed_nearby: int
    """Lines added or removed within a few lines of the span: the gate's "material change"."""
    removed_wholesale: bool
    """The span went away inside a larger deletion with nothing put in its place."""


def parse_zero_context_hunks(patch: str) -> list[LineHunk]:
    """The hunks of a ``git diff -U0`` patch for one file."""
    hunks = []
    for line in patch.splitlines():
        match = _HUNK.match(line)
        if match:
            hunks.append(
                LineHunk(
                    int(match.group(1)),
                    int(match.group(2) if match.group(2) is not None else "1"),
                    int(match.group(3)),
                    int(match.group(4) if match.group(4) is not None else "1"),
                )
            )
    return hunks


def _overlaps(hunk: LineHunk, start: int, end: int) -> bool:
    if hunk.old_count == 0:  # a pure insertion after old line old_start
        return start <= hunk.old_start < end
    return hunk.old_start <= end and hunk.old_end >= start


def map_line(hunks: Sequence[LineHunk], line: int) -> int:
    """The new line number of old ``line`` (its hunk's new start when the line was replaced)."""
    shift = 0
    for hunk in sorted(hunks, key=lambda h: h.old_start):
        if hunk.old_count == 0:
            if hunk.old_start < line:
                shift += hunk.new_count
            continue
        if hunk.old_end < line:
            shift += hunk.new_count - hunk.old_count
        elif hunk.old_start <= line:
            return max(hunk.new_start, 1)
    return max(line + shift, 1)


def map_range(hunks: Sequence[LineHunk], start: int, end: int, *, window: int = 5) -> MappedRange:
    """Carry ``start..end`` (1-based, inclusive) into the new file."""
    touching = [h for h in hunks if _overlaps(h, start, end)]
    nearby = [h for h in hunks if _overlaps(h, start - window, end + window)]
    changed = sum(h.old_count + h.new_count for h in nearby)
    new_start = map_line(hunks, start)
    new_end = max(map_line(hunks, end), new_start)
    for hunk in touching:  # a replaced span now covers the replacement
        if hunk.new_count:
            new_end = max(new_end, hunk.new_start + hunk.new_count - 1)
    span = end - start + 1
    removed = bool(touching) and all(h.new_count == 0 for h in touching)
    removed_lines = sum(h.old_count for h in touching)
    return MappedRange(
        start=new_start,
        end=new_end,
        touched=bool(touching),
        changed_nearby=changed,
        removed_wholesale=removed and removed_lines >= span + 3,
    )
