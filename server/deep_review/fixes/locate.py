"""Find where a hunk goes in a file: its @@ position, else the nearest exact or loose match."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from math import gcd
from pathlib import PurePosixPath

from deep_review.fixes.errors import FixDoesNotApply
from deep_review.fixes.parse import Hunk, HunkLine

# How far apart the two sides of an elision (`...`) may be, in lines.
MAX_ELIDED_LINES = 400
TAB_WIDTH = 4
BOM = "\ufeff"

Normalize = Callable[[str], str]


def exact(text: str) -> str:
    """Lines compare equal ignoring trailing whitespace (editors and reports strip it)."""
    return text.rstrip().removeprefix(BOM)


def loose(text: str) -> str:
    """Lines compare equal ignoring indentation and runs of whitespace."""
    return " ".join(text.removeprefix(BOM).split())


@dataclass(frozen=True)
class Placement:
    """Where a hunk matched: the file line each segment starts at (0-based)."""

    segment_starts: tuple[int, ...]
    end: int
    loose: bool
    moved: bool
    pieces: bool = False

    @property
    def start(self) -> int:
        return self.segment_starts[0]


@dataclass(frozen=True)
class Replacement:
    """Replace file lines ``[start, end)`` with ``lines`` (contents without endings)."""

    start: int
    end: int
    lines: tuple[str, ...]


def old_lines(segment: Sequence[HunkLine]) -> list[str]:
    return [line.text for line in segment if line.kind != "+"]


def _pieces(segments: list[list[HunkLine]]) -> list[list[HunkLine]]:
    """Split segments at blank context lines and where a change follows context."""
    pieces: list[list[HunkLine]] = []
    for segment in segments:
        current: list[HunkLine] = []
        for line in segment:
            blank = line.kind == " " and not line.text.strip()
            starts_change = line.kind != " " and bool(current) and current[-1].kind == " "
            if (blank or starts_change) and current:
                pieces.append(current)
                current = []
            if not blank:
                current.append(line)
        if current:
            pieces.append(current)
    return pieces


def anchored_segments(hunk_segments: list[list[HunkLine]]) -> list[list[HunkLine]]:
    """Segments that each have an old line to match; pure additions join a neighbour."""
    segments: list[list[HunkLine]] = []
    pending: list[HunkLine] = []
    for segment in hunk_segments:
        if not old_lines(segment):
            if segments:
                segments[-1] = [*segments[-1], *segment]
            else:
                pending.extend(segment)
            continue
        segments.append([*pending, *segment])
        pending = []
    if pending:
        segments.append(pending)
    return segments


class HunkLocator:
    """Locates one hunk in one file's lines."""

    def __init__(self, path: str, contents: Sequence[str], hunk: Hunk) -> None:
        self.path = path
        self.contents = contents
        self.hunk = hunk
        self._normalized: dict[Normalize, list[str]] = {}
        self._wanted_cache: dict[Normalize, list[list[str]]] = {}
        self._use(anchored_segments(hunk.segments))

    def _use(self, segments: list[list[HunkLine]]) -> None:
        self.segments = segments
        self.olds = [old_lines(segment) for segment in segments]
        self._wanted_cache.clear()

    def file_lines(self, normalize: Normalize) -> list[str]:
        if normalize not in self._normalized:
            self._normalized[normalize] = [normalize(line) for line in self.contents]
        return self._normalized[normalize]

    def locate(
        self,
        expected: int | None,
        reference: tuple[int, int] | None,
        claimed: Sequence[tuple[int, int]],
    ) -> Placement:
        """Where the hunk goes; raises ``FixDoesNotApply`` (stale, ambiguous or invalid).

        A header-less snippet that does not match as written is tried once more in pieces
        (split at blank lines and before each change), for reviewers who glue separate places
        together without marking the gap.
        """
        try:
            return self._locate(expected, reference, claimed)
        except FixDoesNotApply as failure:
            pieces = anchored_segments(_pieces(self.hunk.segments))
            if failure.status != "stale" or self.hunk.old_start is not None:
                raise
            if len(pieces) == len(self.segments):
                raise
            strict = self.segments
            self._use(pieces)
            try:
                found = self._locate(expected, reference, claimed)
            except FixDoesNotApply:
                self._use(strict)
                raise failure from None
            return replace(found, pieces=True)

    def _locate(
        self,
        expected: int | None,
        reference: tuple[int, int] | None,
        claimed: Sequence[tuple[int, int]],
    ) -> Placement:
        if not any(self.olds):
            return self._place_pure_addition(expected)
        for normalize in (exact, loose):
            if expected is not None:
                starts = self._match_at(expected, normalize)
                if starts is not None and not _overlaps(starts, self._end(starts), claimed):
                    return Placement(starts, self._end(starts), normalize is loose, moved=False)
            found = self._search(normalize, claimed)
            if found:
                starts = self._nearest(found, expected, reference)
                moved = expected is not None and starts[0] != expected
                return Placement(starts, self._end(starts), normalize is loose, moved)
        raise FixDoesNotApply(self._stale_reason(), "stale")

    def _place_pure_addition(self, expected: int | None) -> Placement:
        if expected is not None:
            at = min(max(expected, 0), len(self.contents))
            return Placement((at,), at, loose=False, moved=False)
        if not self.contents:
            return Placement((0,), 0, loose=False, moved=False)
        raise FixDoesNotApply(
            f"The fix only adds lines to {self.path} and has no context or line numbers to say "
            "where they go.",
            "invalid",
        )

    def _end(self, starts: tuple[int, ...]) -> int:
        return starts[-1] + len(self.olds[-1])

    def _wanted(self, normalize: Normalize) -> list[list[str]]:
        if normalize not in self._wanted_cache:
            self._wanted_cache[normalize] = [[normalize(t) for t in old] for old in self.olds]
        return self._wanted_cache[normalize]

    def _match_at(self, position: int, normalize: Normalize) -> tuple[int, ...] | None:
        wanted = self._wanted(normalize)
        first = wanted[0]
        if position < 0 or position + len(first) > len(self.contents):
            return None
        if any(  # checked on the raw lines first: the whole file need not be normalized
            normalize(self.contents[position + offset]) != text for offset, text in enumerate(first)
        ):
            return None
        if len(wanted) == 1:
            return (position,)
        lines = self.file_lines(normalize)
        starts = [position]
        cursor = position + len(wanted[0])
        for segment in wanted[1:]:
            found = _find_segment(lines, segment, cursor)
            if found is None:
                return None
            starts.append(found)
            cursor = found + len(segment)
        return tuple(starts)

    def _search(
        self, normalize: Normalize, claimed: Sequence[tuple[int, int]]
    ) -> list[tuple[int, ...]]:
        lines = self.file_lines(normalize)
        first = normalize(self.olds[0][0])
        matches = []
        for position, line in enumerate(lines):
            if line != first:
                continue
            starts = self._match_at(position, normalize)
            if starts is not None and not _overlaps(starts, self._end(starts), claimed):
                matches.append(starts)
        return matches

    def _nearest(
        self,
        found: list[tuple[int, ...]],
        expected: int | None,
        reference: tuple[int, int] | None,
    ) -> tuple[int, ...]:
        if expected is not None:
            reference = (expected, expected + len(self.olds[0]))
        if len(found) == 1:
            return found[0]
        if reference is None:
            raise self._ambiguous(found, "and nothing says which one is meant")
        ranked = sorted(found, key=lambda starts: _distance(starts, self._end(starts), reference))
        best = _distance(ranked[0], self._end(ranked[0]), reference)
        ties = [s for s in ranked if _distance(s, self._end(s), reference) == best]
        if len(ties) > 1:
            raise self._ambiguous(ties, "equally near the finding")
        return ranked[0]

    def _ambiguous(self, found: list[tuple[int, ...]], why: str) -> FixDoesNotApply:
        places = ", ".join(str(starts[0] + 1) for starts in found[:5])
        return FixDoesNotApply(
            f"The fix matches {len(found)} places in {self.path} (lines {places}), {why}.",
            "ambiguous",
        )

    def _stale_reason(self) -> str:
        lines = self.file_lines(loose)
        wanted = [loose(text) for old in self.olds for text in old]
        flat = [text for old in self.olds for text in old]
        best, best_at = 0, 0
        for position in range(len(lines)):
            count = _matched_prefix(lines, wanted, position)
            if count > best:
                best, best_at = count, position
        if not flat:
            return f"The fix is stale: nothing in {self.path} anchors where it goes."
        if best == 0:
            return f"The fix is stale: {self.path} has no line matching {flat[0].strip()!r}."
        if best >= len(flat):
            return f"The fix is stale: its lines in {self.path} are not where it says."
        return (
            f"The fix is stale: in {self.path} near line {best_at + 1}, "
            f"{flat[best].strip()!r} does not follow {flat[best - 1].strip()!r}."
        )

    def replacements(self, placement: Placement) -> list[Replacement]:
        """The edits this hunk makes at ``placement``: one per run of changed lines."""
        result: list[Replacement] = []
        rebase = _Rebaser(self, placement) if placement.loose else None
        for seg_index, start in enumerate(placement.segment_starts):
            segment = self.segments[seg_index]
            cursor = start
            run_start: int | None = None
            added: list[str] = []
            for index, line in enumerate(segment):
                if line.kind == " ":
                    if run_start is not None:
                        result.append(Replacement(run_start, cursor, tuple(added)))
                        run_start, added = None, []
                    cursor += 1
                    continue
                if run_start is None:
                    run_start = cursor
                if line.kind == "-":
                    cursor += 1
                else:
                    added.append(rebase.added(seg_index, index) if rebase else line.text)
            if run_start is not None:
                result.append(Replacement(run_start, cursor, tuple(added)))
        return result


# Files whose block structure is their indentation.
_INDENTATION_IS_SYNTAX = {".py", ".pyi", ".yaml", ".yml"}


class _Rebaser:
    """Re-indents added lines to the file's indentation when the hunk matched loosely."""

    def __init__(self, locator: HunkLocator, placement: Placement) -> None:
        self.segments = locator.segments
        self.file_by_line: dict[tuple[int, int], str] = {}
        self.uses_tabs = False
        widths_snippet: list[int] = []
        widths_file: list[int] = []
        for seg_index, segment in enumerate(locator.segments):
            cursor = placement.segment_starts[seg_index]
            for index, line in enumerate(segment):
                widths_snippet.append(_width(_indent(line.text)))
                if line.kind == "+":
                    continue
                content = locator.contents[cursor]
                self.file_by_line[(seg_index, index)] = content
                if content.strip():
                    widths_file.append(_width(_indent(content)))
                    self.uses_tabs = self.uses_tabs or "\t" in _indent(content)
                cursor += 1
        snippet_unit = _gcd(widths_snippet)
        file_unit = TAB_WIDTH if self.uses_tabs else _gcd(widths_file)
        self.scale = file_unit / snippet_unit if snippet_unit and file_unit else 1.0
        self.unit = file_unit or TAB_WIDTH
        # A snippet whose indentation was flattened (copied from rendered HTML) says nothing
        # about nesting: added lines then follow the brackets from the replaced code's level.
        # (Top-level code sits at column 0 in the file too: that is not flattening.)
        self.flattened = max(widths_snippet, default=0) <= 1 < max(widths_file, default=0)
        self.unreliable = self._stripped_lines() if not self.flattened else set()
        self._check_consistent(locator.path)
        if self.flattened:
            self._check_flattened_blocks(locator.path)

    def _check_flattened_blocks(self, path: str) -> None:
        """Refuse a flattened fix that adds lines where indentation is syntax (Python, YAML):
        how deep each new line goes is lost, and a plausible guess can still be wrong code."""
        if PurePosixPath(path).suffix.lower() not in _INDENTATION_IS_SYNTAX:
            return
        if any(line.kind == "+" and line.text.strip() for seg in self.segments for line in seg):
            raise FixDoesNotApply(
                f"The fix lost its indentation and in {path} indentation is syntax: where its"
                " new lines nest would be a guess.",
                "ambiguous",
            )

    def _pairs(self) -> list[tuple[tuple[int, int], int, int]]:
        """(line key, snippet width, file width) of every non-blank kept or removed line."""
        pairs = []
        for key, content in self.file_by_line.items():
            text = self.segments[key[0]][key[1]].text
            if text.strip() and content.strip():
                pairs.append((key, _width(_indent(text)), _width(_indent(content))))
        return pairs

    def _stripped_lines(self) -> set[tuple[int, int]]:
        """Lines whose indentation the model lost (at column 0 in the fix, indented in the file).

        Models often drop the first line's indentation; such a line says nothing about where
        the added lines belong, so it is never their anchor.
        """
        pairs = self._pairs()
        if not any(snippet > 0 for _, snippet, _ in pairs):
            return set()
        return {key for key, snippet, file in pairs if snippet == 0 and file > 0}

    def _check_consistent(self, path: str) -> None:
        """Refuse when the fix's lines sit at different shifts from the file's: no safe guess."""
        if self.flattened:
            return
        shifts = {
            file - round(snippet * self.scale)
            for key, snippet, file in self._pairs()
            if key not in self.unreliable
        }
        # One column either way is a diff marker kept or lost, not a different nesting.
        if shifts and max(shifts) - min(shifts) > 1:
            listed = " and ".join(str(shift) for shift in sorted(shifts))
            raise FixDoesNotApply(
                f"The fix's lines are indented inconsistently with {path} (shifted by {listed}"
                " columns): placing its new lines would be a guess.",
                "ambiguous",
            )

    def added(self, seg_index: int, index: int) -> str:
        line = self.segments[seg_index][index]
        anchor = self._anchor(seg_index, index)
        if anchor is None or not line.text.strip():
            return line.text
        snippet_anchor, file_anchor = anchor
        if _indent(snippet_anchor) == _indent(file_anchor):
            return line.text
        if self.flattened:
            return self._render(self._bracket_width(seg_index, index), False) + line.text.lstrip()
        relative = _width(_indent(line.text)) - _width(_indent(snippet_anchor))
        width = max(0, _width(_indent(file_anchor)) + round(relative * self.scale))
        return self._render(width, "\t" in _indent(file_anchor)) + line.text.lstrip()

    def _bracket_width(self, seg_index: int, index: int) -> int:
        """Indentation for a flattened added line: the run's level, moved by open brackets."""
        segment = self.segments[seg_index]
        run_start = index
        while run_start > 0 and segment[run_start - 1].kind != " ":
            run_start -= 1
        run_end = index
        while run_end + 1 < len(segment) and segment[run_end + 1].kind != " ":
            run_end += 1
        width = self._run_base(seg_index, run_start, run_end)
        for other in range(run_start, index + 1):
            text = segment[other].text.strip()
            if segment[other].kind != "+" or not text:
                continue
            if text[0] in "}])":
                width = max(0, width - self.unit)
            if other == index:
                break
            if text[-1] in "{[(":
                width += self.unit
        return width

    def _run_base(self, seg_index: int, run_start: int, run_end: int) -> int:
        segment = self.segments[seg_index]
        for other in range(run_start, run_end + 1):
            if segment[other].kind == "-" and segment[other].text.strip():
                return _width(_indent(self.file_by_line[(seg_index, other)]))
        for other in range(run_start - 1, -1, -1):
            if segment[other].text.strip():
                before = self.file_by_line[(seg_index, other)]
                opens = before.rstrip().endswith(("{", "[", "("))
                return _width(_indent(before)) + (self.unit if opens else 0)
        for other in range(run_end + 1, len(segment)):
            if segment[other].text.strip():
                return _width(_indent(self.file_by_line[(seg_index, other)]))
        return 0

    def _anchor(self, seg_index: int, index: int) -> tuple[str, str] | None:
        segment = self.segments[seg_index]
        order = [*range(index - 1, -1, -1), *range(index + 1, len(segment))]
        for other in order:
            line = segment[other]
            if line.kind != "+" and line.text.strip() and (seg_index, other) not in self.unreliable:
                return line.text, self.file_by_line[(seg_index, other)]
        return None

    def _render(self, width: int, tabs: bool) -> str:
        if tabs or self.uses_tabs:
            return "\t" * (width // TAB_WIDTH) + " " * (width % TAB_WIDTH)
        return " " * width


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _width(indent: str) -> int:
    return sum(TAB_WIDTH if char == "\t" else 1 for char in indent)


def _gcd(widths: list[int]) -> int:
    result = 0
    for width in widths:
        result = gcd(result, width)
    return result


def _segment_at(lines: Sequence[str], wanted: Sequence[str], position: int) -> bool:
    if position < 0 or position + len(wanted) > len(lines):
        return False
    return all(lines[position + offset] == text for offset, text in enumerate(wanted))


def _find_segment(lines: Sequence[str], wanted: Sequence[str], cursor: int) -> int | None:
    for position in range(cursor, min(len(lines), cursor + MAX_ELIDED_LINES + 1)):
        if _segment_at(lines, wanted, position):
            return position
    return None


def _matched_prefix(lines: Sequence[str], wanted: Sequence[str], position: int) -> int:
    count = 0
    while (
        count < len(wanted)
        and position + count < len(lines)
        and lines[position + count] == wanted[count]
    ):
        count += 1
    return count


def _overlaps(starts: tuple[int, ...], end: int, claimed: Sequence[tuple[int, int]]) -> bool:
    start = starts[0]
    return any(start < other_end and other_start < end for other_start, other_end in claimed)


def _distance(starts: tuple[int, ...], end: int, reference: tuple[int, int]) -> int:
    """Lines between a match and the reference span (0 when they overlap)."""
    start = starts[0]
    ref_start, ref_end = reference
    if start < ref_end and ref_start < end:
        return 0
    return ref_start - end + 1 if end <= ref_start else start - ref_end + 1
