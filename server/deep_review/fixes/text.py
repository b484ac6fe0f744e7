"""Text as lines with their endings, and offsets as LSP positions in a chosen encoding."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Literal, NamedTuple

PositionEncoding = Literal["utf-16", "utf-8", "utf-32"]

# LSP line terminators: \r\n, \n and a lone \r (str.splitlines would also split on \x0c, ...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class Line(NamedTuple):
    """One line of a file: its content and the ending it had ("" on an unterminated last line)."""

    content: str
    ending: str


def split_lines(text: str) -> list[Line]:
    """The file's lines, keeping each line's own ending."""
    if "\r" not in text:  # the common case, without the regex
        parts = text.split("\n")
        last = parts.pop()
        lines = [Line(part, "\n") for part in parts]
        if last:
            lines.append(Line(last, ""))
        return lines
    lines = []
    for match in _LINE.finditer(text):
        raw = match.group(0)
        content = raw.rstrip("\r\n")
        lines.append(Line(content, raw[len(content) :]))
    return lines


def dominant_ending(lines: list[Line]) -> str:
    """The line ending most lines use (``\\n`` for a file with none)."""
    counts: dict[str, int] = {}
    for line in lines:
        if line.ending:
            counts[line.ending] = counts.get(line.ending, 0) + 1
    if not counts:
        return "\n"
    return max(counts, key=lambda ending: (counts[ending], ending == "\n"))


def line_offsets(lines: list[Line]) -> list[int]:
    """Character offset of each line's start, plus the end of the text."""
    return list(accumulate((len(line.content) + len(line.ending) for line in lines), initial=0))


def units(text: str, encoding: PositionEncoding) -> int:
    """Length of ``text`` in code units of the position encoding."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def position(text: str, offset: int, encoding: PositionEncoding) -> tuple[int, int]:
    """The (line, character) of a character offset, LSP style (0-based)."""
    line = 0
    line_start = 0
    for match in _LINE.finditer(text[:offset]):
        if match.group(0).endswith(("\n", "\r")):
            line += 1
            line_start = match.end()
    return line, units(text[line_start:offset], encoding)
