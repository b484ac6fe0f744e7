"""Parse the diffs reviewers write: git/unified diffs and header-less snippets, sloppy or not."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from deep_review.fixes.errors import FixDoesNotApply

LineKind = Literal[" ", "-", "+"]

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_BARE_HUNK_HEADER = re.compile(r"^@@(?:\s.*)?$")
_ATTEMPTED_NUMBERS = re.compile(r"^@@\s*[-+]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")
_DIFF_FENCE_LANGS = {"", "diff", "patch", "udiff", "git"}
# Lines reviewers write for "unchanged lines here": a bare ellipsis, or one in a comment.
_ELISIONS = {"...", "…", "// ...", "# ...", "/* ... */", "<!-- ... -->", "-- ...", "; ..."}
_METADATA_PREFIXES = (
    "index ",
    "new file mode",
    "deleted file mode",
    "old mode",
    "new mode",
    "similarity index",
    "dissimilarity index",
    "rename from",
    "rename to",
    "copy from",
    "copy to",
)
_NO_NEWLINE = "\\ No newline at end of file"


@dataclass(frozen=True)
class HunkLine:
    """One diff line: ``kind`` is context (space), removed (-) or added (+)."""

    kind: LineKind
    text: str


@dataclass
class Hunk:
    """A run of diff lines; ``segments`` are split where the author elided unchanged lines."""

    old_start: int | None = None
    segments: list[list[HunkLine]] = field(default_factory=lambda: [[]])
    old_ends_without_newline: bool = False
    new_ends_without_newline: bool = False
    counted_lines: int = 0

    def reversed(self) -> Hunk:
        """The hunk undone: added lines become removed ones and vice versa."""
        flip: dict[LineKind, LineKind] = {" ": " ", "-": "+", "+": "-"}
        segments = [[HunkLine(flip[line.kind], line.text) for line in s] for s in self.segments]
        return Hunk(None, segments)

    @property
    def lines(self) -> list[HunkLine]:
        return [line for segment in self.segments for line in segment]

    @property
    def changes_something(self) -> bool:
        return any(line.kind != " " for line in self.lines)

    def add(self, line: HunkLine) -> None:
        self.segments[-1].append(line)

    def elide(self) -> None:
        if self.segments[-1]:
            self.segments.append([])

    def tidy(self) -> None:
        """Drop blank context at the edges (separators, not content) and empty segments.

        A numbered hunk keeps every line its counts covered: those are the file's lines.
        """
        segments = [segment for segment in self.segments if segment]
        if segments and self.old_start is None:
            while segments[0] and _is_blank_context(segments[0][0]):
                segments[0].pop(0)
        if segments:
            while (
                segments[-1]
                and _is_blank_context(segments[-1][-1])
                and (self.old_start is None or len(self.lines) > self.counted_lines)
            ):
                segments[-1].pop()
        self.segments = [segment for segment in segments if segment] or [[]]


@dataclass
class FilePatch:
    """The hunks for one file; paths are None for a header-less snippet."""

    old_path: str | None = None
    new_path: str | None = None
    hunks: list[Hunk] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.old_path == "/dev/null"

    @property
    def is_deleted(self) -> bool:
        return self.new_path == "/dev/null"

    renamed: bool = False

    @property
    def is_rename(self) -> bool:
        """A git rename (``rename from``/``to``): the old file's text moves to the new path."""
        return self.renamed and not self.is_new and not self.is_deleted

    @property
    def named_path(self) -> str | None:
        """The path this patch names (the new one, unless the file is deleted)."""
        for path in (self.new_path, self.old_path):
            if path is not None and path != "/dev/null":
                return path
        return None


def _is_blank_context(line: HunkLine) -> bool:
    return line.kind == " " and not line.text.strip()


def _invalid(reason: str) -> FixDoesNotApply:
    return FixDoesNotApply(reason, "invalid")


def parse_patch(text: str) -> list[FilePatch]:
    """Parse a fix into file patches; raises ``FixDoesNotApply`` (invalid) when it cannot."""
    if not text.strip():
        raise _invalid("The fix is empty.")
    patches: list[FilePatch] = []
    for block in _diff_blocks(text):
        patches.extend(_parse_block(block))
    patches = _merge_headerless(patches)
    for patch in patches:
        for hunk in patch.hunks:
            hunk.tidy()
        patch.hunks = [hunk for hunk in patch.hunks if hunk.lines or _is_whole(patch)]
    patches = [patch for patch in patches if patch.hunks or _is_whole(patch)]
    hunks = [hunk for patch in patches if not _is_whole(patch) for hunk in patch.hunks]
    if not any(hunk.changes_something for hunk in hunks) and not any(map(_is_whole, patches)):
        if not any(line[:1] in ("+", "-") for line in text.splitlines()):
            raise _invalid("The fix describes the change in words; there is no diff to apply.")
        raise _invalid("The fix has no added or removed lines, so there is nothing to apply.")
    if not all(hunk.changes_something for hunk in hunks):
        # Applying the rest would apply part of the fix: refuse instead.
        raise _invalid(
            "Part of the fix has no added or removed lines (code to write by hand?), "
            "so it cannot be applied as an edit."
        )
    return patches


def _is_whole(patch: FilePatch) -> bool:
    return patch.is_new or patch.is_deleted or patch.is_rename


def _diff_blocks(text: str) -> list[list[str]]:
    """The diff-bearing blocks: fenced diff blocks when there are fences, else the whole text."""
    lines = [line.rstrip("\r") for line in text.replace("\r\n", "\n").split("\n")]
    fences = [index for index, line in enumerate(lines) if _FENCE.match(line)]
    if not fences:
        return [lines]
    if len(fences) == 1:  # a stray marker (say, a closing fence pasted without its opening)
        marker = _FENCE.match(lines[fences[0]])
        language = marker.group(2).lower() if marker else ""
        if language not in _DIFF_FENCE_LANGS:
            raise _not_a_diff(language)
        return [lines[: fences[0]] + lines[fences[0] + 1 :]]
    blocks: list[list[str]] = []
    current: list[str] | None = None
    keep = False
    fence = language = ""
    for line in lines:
        match = _FENCE.match(line)
        if current is None:
            if match:
                fence, language = match.group(1), match.group(2).lower()
                current, keep = [], language in _DIFF_FENCE_LANGS
            continue
        if match and line.strip().startswith(fence[0] * 3) and not match.group(2):
            if not keep:
                raise _not_a_diff(language)
            blocks.append(current)
            current = None
            continue
        current.append(line)
    if current is not None and keep:  # an unclosed fence still holds the diff
        blocks.append(current)
    if current is not None and not keep:
        raise _not_a_diff(language)
    return blocks


def _not_a_diff(language: str) -> FixDoesNotApply:
    kind = f"a {language} code block" if language else "a code block"
    return _invalid(f"Part of the fix is {kind}, not a diff, so it cannot be applied as an edit.")


def _looks_structured(lines: list[str]) -> bool:
    for index, line in enumerate(lines):
        if line.startswith("diff --git ") or _HUNK_HEADER.match(line):
            return True
        if (
            line.startswith("--- ")
            and index + 1 < len(lines)
            and lines[index + 1].startswith("+++ ")
        ):
            return True
    return False


def _parse_block(lines: list[str]) -> list[FilePatch]:
    if _looks_structured(lines):
        return _parse_unified(lines)
    return [_parse_snippet(lines)]


def _parse_snippet(lines: list[str]) -> FilePatch:
    """A header-less snippet: prefixed lines, unprefixed lines as context, bare ``@@`` splits."""
    prefixed = _context_has_prefix_column(lines)
    patch = FilePatch(hunks=[Hunk()])
    for line in lines:
        if _BARE_HUNK_HEADER.match(line):
            if _ATTEMPTED_NUMBERS.match(line):
                raise _invalid(f"The fix has a malformed hunk header: {line!r}.")
            patch.hunks.append(Hunk())
            continue
        _add_hunk_line(patch.hunks[-1], line, context_prefix=prefixed)
    return patch


def _context_has_prefix_column(lines: list[str]) -> bool:
    """Whether context lines start with diff's space column, or were written bare.

    Reviewers often paste context lines without the leading space; reading their first space
    as the prefix would then skew their indentation by one against the +/- lines. Pick the
    reading under which all lines share the coarser indentation step.
    """
    with_prefix: list[int] = []
    bare: list[int] = []
    for line in lines:
        if not line.strip() or line.startswith("@@"):
            continue
        if line[0] in "+-":
            width = indent_width(line[1:])
            with_prefix.append(width)
            bare.append(width)
        else:
            width = indent_width(line)
            bare.append(width)
            with_prefix.append(width - 1 if line[0] == " " else width)
    return _step(with_prefix) >= _step(bare)


def indent_width(text: str, tab: int = 4) -> int:
    """Columns of leading whitespace, a tab counting ``tab`` columns."""
    width = 0
    for char in text:
        if char == " ":
            width += 1
        elif char == "\t":
            width += tab
        else:
            break
    return width


def _step(widths: list[int]) -> int:
    return math.gcd(*widths) if widths else 0


def _add_hunk_line(hunk: Hunk, line: str, *, context_prefix: bool = True) -> None:
    if line.startswith(_NO_NEWLINE[:2]) and "newline" in line.lower():
        _mark_no_newline(hunk)
        return
    if line.startswith("-"):
        hunk.add(HunkLine("-", line[1:]))
        return
    if line.startswith("+"):
        hunk.add(HunkLine("+", line[1:]))
        return
    text = line[1:] if context_prefix and line[:1] == " " else line
    # With @@ line numbers the hunk is literal (a line may really be `...`); without, an
    # ellipsis is the author's "unchanged lines here".
    if hunk.old_start is None and text.strip() in _ELISIONS:
        hunk.elide()
        return
    hunk.add(HunkLine(" ", text))


def _mark_no_newline(hunk: Hunk) -> None:
    last = hunk.segments[-1][-1] if hunk.segments[-1] else None
    if last is None:
        return
    if last.kind in (" ", "-"):
        hunk.old_ends_without_newline = True
    if last.kind in (" ", "+"):
        hunk.new_ends_without_newline = True


def _strip_path(raw: str) -> str:
    path = raw.split("\t", 1)[0].strip()
    if len(path) >= 2 and path[0] == path[-1] == '"':
        path = path[1:-1]
    return path


def _git_paths(line: str) -> tuple[str, str] | None:
    match = re.match(r"^diff --git (\S+) (\S+)$", line)
    return (match.group(1), match.group(2)) if match else None


class _UnifiedParser:
    """Walks a structured diff line by line, tolerating wrong counts and missing prefixes."""

    def __init__(self) -> None:
        self.patches: list[FilePatch] = []
        self.current: FilePatch | None = None
        self.hunk: Hunk | None = None
        self.old_left = 0
        self.new_left = 0

    def file(self) -> FilePatch:
        if self.current is None:
            self.current = FilePatch()
            self.patches.append(self.current)
        return self.current

    def start_file(self, old_path: str | None, new_path: str | None) -> None:
        self.current = FilePatch(old_path, new_path)
        self.patches.append(self.current)
        self.hunk = None

    def feed(self, lines: list[str]) -> list[FilePatch]:
        for index, line in enumerate(lines):
            following = [*lines[index + 1 : index + 3], "", ""]
            self.line(line, following[0], following[1])
        return self.patches

    def line(self, line: str, following: str, after: str) -> None:
        counting = self.hunk is not None and (self.old_left > 0 or self.new_left > 0)
        if counting and _starts_next_section(line, following, after):
            counting = False  # the counts promised more lines than the hunk has
        if counting and self.hunk is not None:
            self.counted(line)
            return
        if self.header(line, following):
            return
        if line.startswith(("rename from ", "rename to ")) and self.current is not None:
            self.current.renamed = True
            return
        if self.hunk is not None and not _is_metadata(line):
            _add_hunk_line(self.hunk, line)

    def counted(self, line: str) -> None:
        assert self.hunk is not None
        kind = line[:1]
        if line.startswith("\\"):
            _mark_no_newline(self.hunk)
            return
        _add_hunk_line(self.hunk, line)
        self.hunk.counted_lines = len(self.hunk.lines)
        if kind != "+":
            self.old_left -= 1
        if kind != "-":
            self.new_left -= 1

    def header(self, line: str, following: str) -> bool:
        paths = _git_paths(line)
        if paths is not None:
            self.start_file(paths[0], paths[1])
            return True
        if line.startswith("--- ") and following.startswith("+++ "):
            old_path = _strip_path(line[4:])
            current = self.current
            if current is not None and not current.hunks and self.hunk is None:
                current.old_path = old_path
            else:
                self.start_file(old_path, None)
            return True
        if line.startswith("+++ ") and self.current is not None and self.hunk is None:
            self.current.new_path = _strip_path(line[4:])
            return True
        if line.startswith("@@"):
            self.start_hunk(line)
            return True
        if line.startswith("Binary files ") or line.startswith("GIT binary patch"):
            raise _invalid("The fix changes a binary file, which cannot be applied as text.")
        return False

    def start_hunk(self, line: str) -> None:
        match = _HUNK_HEADER.match(line)
        if match is None and not _BARE_HUNK_HEADER.match(line):
            raise _invalid(f"The fix has a malformed hunk header: {line!r}.")
        self.hunk = Hunk()
        self.file().hunks.append(self.hunk)
        self.old_left = self.new_left = 0
        if match is not None:
            self.hunk.old_start = int(match.group(1))
            self.old_left = int(match.group(2)) if match.group(2) is not None else 1
            self.new_left = int(match.group(4)) if match.group(4) is not None else 1


def _starts_next_section(line: str, following: str, after: str) -> bool:
    """Whether a line inside a counted hunk is really the next file's or hunk's header."""
    if line.startswith(("diff --git ", "@@")):
        return True
    # A removed "-- x" line followed by an added "++ y" line looks like a file header too;
    # only a hunk header right after makes it one.
    return line.startswith("--- ") and following.startswith("+++ ") and after.startswith("@@")


def _is_metadata(line: str) -> bool:
    return line.startswith(_METADATA_PREFIXES)


def _parse_unified(lines: list[str]) -> list[FilePatch]:
    patches = _UnifiedParser().feed(lines)
    for patch in patches:
        if patch.old_path is None and patch.new_path is not None:
            patch.old_path = patch.new_path
        if patch.new_path is None and patch.old_path is not None:
            patch.new_path = patch.old_path
    return patches


def _merge_headerless(patches: list[FilePatch]) -> list[FilePatch]:
    """Header-less blocks (one per fenced block) become one patch with several hunks."""
    named = [patch for patch in patches if patch.named_path is not None or _is_whole(patch)]
    anonymous = [patch for patch in patches if patch not in named]
    if not anonymous:
        return named
    merged = FilePatch(hunks=[hunk for patch in anonymous for hunk in patch.hunks])
    return [*named, merged]
