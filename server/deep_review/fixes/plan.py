"""Turn a parsed fix into checked, minimal edits of the files it touches: all hunks or none."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from deep_review.fixes.errors import FixAlreadyApplied, FixDoesNotApply
from deep_review.fixes.locate import BOM, HunkLocator, Placement, Replacement, loose
from deep_review.fixes.parse import FilePatch, Hunk, parse_patch
from deep_review.fixes.syntax import check_syntax
from deep_review.fixes.text import (
    Line,
    PositionEncoding,
    dominant_ending,
    line_offsets,
    position,
    split_lines,
)
from deep_review.model import Finding, FixStatus, Location

_GIT_PREFIXES = ("a/", "b/", "i/", "w/", "c/", "o/")


@dataclass(frozen=True)
class TextEdit:
    """Replace a range (0-based line and character, LSP style) with ``new_text``."""

    start_line: int
    start_char: int
    end_line: int
    end_char: int
    new_text: str


@dataclass(frozen=True)
class OffsetEdit:
    """Replace characters ``[start, end)`` of the original text with ``new_text``."""

    start: int
    end: int
    new_text: str


@dataclass
class FilePlan:
    """What a fix does to one file: ``old_text`` None when created, ``new_text`` None if deleted."""

    path: str
    old_text: str | None
    new_text: str | None
    edits: list[OffsetEdit] = field(default_factory=list)


@dataclass
class FixPlan:
    """A fix that applies: every touched file's new text and the edits that produce it."""

    status: FixStatus
    reason: str
    files: dict[str, FilePlan]

    @property
    def texts(self) -> dict[str, str]:
        """New texts of created and modified files."""
        return {path: f.new_text for path, f in self.files.items() if f.new_text is not None}

    @property
    def deleted(self) -> list[str]:
        return [path for path, f in self.files.items() if f.new_text is None]


@dataclass
class _Outcome:
    moved: list[str] = field(default_factory=list)
    loose: bool = False
    rehomed: list[str] = field(default_factory=list)
    pieces: bool = False


def plan_fix(files: Mapping[str, str], patch: str, *, hint: Location | None = None) -> FixPlan:
    """Check and compute a fix; raises ``FixDoesNotApply`` with the status and reason."""
    patches = parse_patch(patch)
    outcome = _Outcome()
    grouped = _group_by_file(patches, files, hint, outcome)
    _refuse_if_applied(files, grouped, hint)
    plans: dict[str, FilePlan] = {}
    for path, (file_patch, hunks) in grouped.items():
        if file_patch.is_rename:
            plans.update(_plan_rename(path, files, file_patch, hunks, hint, outcome))
            continue
        plans[path] = _plan_file(path, files.get(path), file_patch, hunks, hint, outcome)
    for plan in plans.values():
        if plan.new_text is not None:
            check_syntax(plan.path, plan.old_text, plan.new_text)
    return FixPlan(*_status(outcome), plans)


def _refuse_if_applied(
    files: Mapping[str, str],
    grouped: Mapping[str, tuple[FilePatch, list[Hunk]]],
    hint: Location | None,
) -> None:
    """Raise ``FixAlreadyApplied`` when every hunk's result is already where it would go.

    Checked before locating the hunks: a loosely matched or piece-by-piece hunk would
    otherwise find its old lines again inside its own result and apply twice.
    """
    where: list[str] = []
    for path, (file_patch, hunks) in grouped.items():
        if file_patch.is_rename or file_patch.is_deleted or file_patch.is_new:
            return
        text = files.get(path)
        if text is None:
            return
        lines = split_lines(text)
        for hunk in hunks:
            kinds = {line.kind for line in hunk.lines if line.text.strip()}
            if "+" not in kinds and " " not in kinds:
                return  # a bare removal leaves nothing to recognise
            old = [line.text for line in hunk.lines if line.kind != "+"]
            new = [line.text for line in hunk.lines if line.kind != "-"]
            if old == new:
                return  # only a line ending changes: the text cannot tell
            try:
                _, placement = _locate(path, lines, hunk.reversed(), hint, None, [])
            except FixDoesNotApply:
                return
            if _old_lines_stand_apart(lines, old, placement):
                return  # the fix's own starting point is there as it wrote it: apply it
            if placement.pieces or (placement.loose and _only_whitespace(hunk)):
                return
            if "+" not in kinds and placement.loose:
                return  # a removal's context matched only loosely: too weak to say
            where.append(f"{path} (its new lines are at line {placement.start + 1})")
    if where:
        raise FixAlreadyApplied(f"The fix is already applied to {'; '.join(where)}.")


def _old_lines_stand_apart(lines: list[Line], old: list[str], applied: Placement) -> bool:
    """Whether the hunk's old lines are in the file as written, other than inside its result.

    An insertion's old lines (its context) survive inside the applied result; found once and
    there, they prove nothing. Found elsewhere, or more than once (repetitive text, where
    content alone cannot tell before from after), the fix is applied as usual.
    """
    wanted = [text.rstrip() for text in old]
    contents = [line.content.rstrip() for line in lines]
    if not wanted:
        return False
    found = [
        start
        for start in range(len(contents) - len(wanted) + 1)
        if contents[start : start + len(wanted)] == wanted
    ]
    inside = [
        start for start in found if applied.start <= start and start + len(wanted) <= applied.end
    ]
    return len(found) > len(inside) or len(found) > 1


def _only_whitespace(hunk: Hunk) -> bool:
    """Whether the hunk changes nothing but whitespace (its loose match proves nothing)."""
    old = [loose(line.text) for line in hunk.lines if line.kind != "+"]
    new = [loose(line.text) for line in hunk.lines if line.kind != "-"]
    return old == new


def _plan_rename(
    target: str,
    files: Mapping[str, str],
    file_patch: FilePatch,
    hunks: list[Hunk],
    hint: Location | None,
    outcome: _Outcome,
) -> dict[str, FilePlan]:
    """The old file deleted and its (edited) text created at the new path."""
    source = _renamed_from(file_patch, files)
    edited = _plan_file(source, files.get(source), file_patch, hunks, hint, outcome)
    text = edited.new_text or ""
    old_text = edited.old_text or ""
    return {
        source: FilePlan(source, old_text, None, [OffsetEdit(0, len(old_text), "")]),
        target: FilePlan(target, None, text, [OffsetEdit(0, 0, text)]),
    }


def _status(outcome: _Outcome) -> tuple[FixStatus, str]:
    notes = []
    if outcome.loose:
        notes.append("ignoring whitespace differences")
    if outcome.pieces:
        notes.append("located piece by piece")
    if outcome.rehomed:
        notes.append("part of it in " + ", ".join(sorted(set(outcome.rehomed))))
    suffix = f" ({'; '.join(notes)})" if notes else ""
    if outcome.moved:
        return "applies-with-offset", f"Applies away from its @@ line numbers{suffix}: " + (
            "; ".join(outcome.moved)
        ) + "."
    return "applies", f"Applies cleanly{suffix}."


def _group_by_file(
    patches: list[FilePatch],
    files: Mapping[str, str],
    hint: Location | None,
    outcome: _Outcome,
) -> dict[str, tuple[FilePatch, list[Hunk]]]:
    grouped: dict[str, tuple[FilePatch, list[Hunk]]] = {}
    for file_patch in patches:
        if file_patch.named_path is None and not (file_patch.is_new or file_patch.is_deleted):
            target = _anonymous_target(files, hint)
            for hunk in file_patch.hunks:
                path = _home_of(hunk, target, files, hint)
                if path != target:
                    outcome.rehomed.append(path)
                grouped.setdefault(path, (file_patch, []))[1].append(hunk)
            continue
        if file_patch.is_rename:
            grouped[_rename_target(file_patch, files)] = (file_patch, list(file_patch.hunks))
            continue
        path = resolve_path(file_patch, files)
        if path in grouped:
            grouped[path][1].extend(file_patch.hunks)
        else:
            grouped[path] = (file_patch, list(file_patch.hunks))
    return grouped


def _rename_target(file_patch: FilePatch, files: Mapping[str, str]) -> str:
    target = path_candidates(file_patch.new_path or "")[0]
    if target in files:
        raise FixDoesNotApply(f"The fix renames a file to {target}, which already exists.", "stale")
    return target


def _renamed_from(file_patch: FilePatch, files: Mapping[str, str]) -> str:
    source = FilePatch(file_patch.old_path, file_patch.old_path)
    return resolve_path(source, files)


def _anonymous_target(files: Mapping[str, str], hint: Location | None) -> str:
    if hint is not None:
        return _check_safe(hint.path)
    if len(files) == 1:
        return next(iter(files))
    raise FixDoesNotApply(
        "The fix names no file and there is no finding location to say which file it is for.",
        "invalid",
    )


def _home_of(hunk: Hunk, target: str, files: Mapping[str, str], hint: Location | None) -> str:
    """The finding's file, or the one other file a header-less hunk matches when it does not."""
    if target not in files:
        return target
    try:
        _locate(target, split_lines(files[target]), hunk, hint, None, [])
        return target
    except FixDoesNotApply as not_here:
        if not_here.status != "stale":
            return target
    homes = []
    for path, text in files.items():
        if path == target:
            continue
        try:
            _locate(path, split_lines(text), hunk, None, None, [])
        except FixDoesNotApply:
            continue
        homes.append(path)
    return homes[0] if len(homes) == 1 else target


def _check_safe(path: str) -> str:
    cleaned = path.replace("\\", "/")
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    parts = PurePosixPath(cleaned).parts
    if cleaned.startswith("/") or ".." in parts or not parts or _is_drive(cleaned):
        raise FixDoesNotApply(
            f"The fix names {path!r}, which is outside the repository.", "invalid"
        )
    # Git's own files are not the project: a write to .git/config or .git/hooks runs code.
    if any(part.lower() == ".git" for part in parts):
        raise FixDoesNotApply(
            f"The fix names {path!r}, inside the repository's .git folder; refusing to touch it.",
            "invalid",
        )
    return cleaned


def _is_drive(path: str) -> bool:
    """``C:/...``: absolute on Windows even though it does not start with a slash."""
    return len(path) >= 2 and path[1] == ":" and path[0].isalpha()


def path_candidates(name: str) -> list[str]:
    """The repository paths a diff's file name may mean (with and without git's a/ b/)."""
    cleaned = _check_safe(name)
    stripped = cleaned[2:] if cleaned.startswith(_GIT_PREFIXES) and len(cleaned) > 2 else None
    return [stripped, cleaned] if stripped else [cleaned]


def resolve_path(file_patch: FilePatch, files: Mapping[str, str]) -> str:
    """The key in ``files`` a file patch targets (its own name when the file is absent)."""
    name = file_patch.named_path
    if name is None:
        raise FixDoesNotApply("The fix names no file.", "invalid")
    candidates = path_candidates(name)
    if not file_patch.is_new:
        # Prefer the literal name, then git's prefix stripped; plain `diff -u old new` output
        # may name a file that only exists under its old name.
        candidates.reverse()
        if file_patch.old_path not in (None, "/dev/null", name):
            candidates += reversed(path_candidates(file_patch.old_path or ""))
    for candidate in candidates:
        if candidate in files:
            return candidate
    return path_candidates(name)[0]


def _locate(
    path: str,
    lines: list[Line],
    hunk: Hunk,
    hint: Location | None,
    expected: int | None,
    claimed: list[tuple[int, int]],
) -> tuple[HunkLocator, Placement]:
    locator = HunkLocator(path, [line.content for line in lines], hunk)
    reference = None
    if hint is not None and hint.path == path:
        reference = (hint.start_line - 1, max(hint.end_line, hint.start_line))
    return locator, locator.locate(expected, reference, claimed)


def _plan_file(
    path: str,
    text: str | None,
    file_patch: FilePatch,
    hunks: list[Hunk],
    hint: Location | None,
    outcome: _Outcome,
) -> FilePlan:
    if file_patch.is_new:
        return _plan_new_file(path, text, hunks)
    if text is None:
        raise FixDoesNotApply(f"The fix changes {path}, which does not exist.", "stale")
    lines = split_lines(text)
    replacements: list[tuple[Replacement, Hunk]] = []
    claimed: list[tuple[int, int]] = []
    offset = 0
    for hunk in hunks:
        expected = _expected_line(hunk, offset)
        try:
            locator, placement = _locate(path, lines, hunk, hint, expected, claimed)
        except FixDoesNotApply as failure:
            raise _already_applied(path, lines, hunk, hint) or failure from None
        if hunk.old_start is not None and expected is not None:
            offset += placement.start - expected
        if placement.moved and expected is not None:
            outcome.moved.append(f"{path} line {placement.start + 1} instead of {expected + 1}")
        outcome.loose = outcome.loose or placement.loose
        outcome.pieces = outcome.pieces or placement.pieces
        claimed.append((placement.start, placement.end))
        replacements.extend((r, hunk) for r in locator.replacements(placement))
    if file_patch.is_deleted:
        return FilePlan(path, text, None, [OffsetEdit(0, len(text), "")])
    edits = _offset_edits(text, lines, replacements)
    return FilePlan(path, text, _apply(text, edits), edits)


def _already_applied(
    path: str, lines: list[Line], hunk: Hunk, hint: Location | None
) -> FixDoesNotApply | None:
    """A clearer refusal when the hunk does not match because it was applied already."""
    undo = hunk.reversed()
    if not any(line.kind == "-" for line in undo.lines):
        return None  # a pure removal leaves nothing to recognise
    try:
        _, placement = _locate(path, lines, undo, hint, None, [])
    except FixDoesNotApply:
        return None
    return FixDoesNotApply(
        f"The fix is already applied to {path} (its new lines are at line {placement.start + 1}).",
        "stale",
    )


def _expected_line(hunk: Hunk, offset: int) -> int | None:
    """The 0-based line the @@ header puts the hunk at, shifted like earlier hunks were."""
    if hunk.old_start is None:
        return None
    has_old = any(line.kind != "+" for line in hunk.lines)
    # A hunk with no old lines inserts *after* line old_start.
    base = hunk.old_start - 1 if has_old else hunk.old_start
    return max(base, 0) + offset


def _plan_new_file(path: str, text: str | None, hunks: list[Hunk]) -> FilePlan:
    if text:
        raise FixDoesNotApply(f"The fix creates {path}, which already exists.", "stale")
    added = [line.text for hunk in hunks for line in hunk.lines if line.kind == "+"]
    ends_bare = any(hunk.new_ends_without_newline for hunk in hunks)
    new_text = "\n".join(added) + ("" if ends_bare or not added else "\n")
    return FilePlan(path, None, new_text, [OffsetEdit(0, 0, new_text)])


def _offset_edits(
    text: str, lines: list[Line], replacements: list[tuple[Replacement, Hunk]]
) -> list[OffsetEdit]:
    eol = dominant_ending(lines) if "\r" in text else "\n"
    offsets = line_offsets(lines)
    ordered = sorted(replacements, key=lambda pair: (pair[0].start, pair[0].end))
    edits: list[OffsetEdit] = []
    for (previous, _), (current, _) in itertools.pairwise(ordered):
        if current.start < previous.end:
            raise FixDoesNotApply("The fix's hunks change the same lines twice.", "invalid")
    for replacement, hunk in ordered:
        start, end, new_text = _region(lines, offsets, replacement, hunk, eol)
        edit = _minimal(text, start, end, new_text)
        if edit is not None:
            edits.append(edit)
    return edits


def _region(
    lines: list[Line], offsets: list[int], replacement: Replacement, hunk: Hunk, eol: str
) -> tuple[int, int, str]:
    """Character range and text for a line replacement, keeping the final-newline state."""
    start, end = offsets[replacement.start], offsets[replacement.end]
    new_lines = list(replacement.lines)
    new_text = "".join(line + eol for line in new_lines)
    at_eof = replacement.end == len(lines)
    if not at_eof:
        return start, end, new_text
    file_ends_bare = bool(lines) and lines[-1].ending == ""
    if hunk.new_ends_without_newline:
        ends_bare = True
    elif hunk.old_ends_without_newline:
        ends_bare = False
    else:
        ends_bare = file_ends_bare
    if not new_lines:
        if ends_bare and not file_ends_bare:
            return start, end, new_text
        if ends_bare and replacement.start > 0:
            start -= len(lines[replacement.start - 1].ending)
        return start, end, ""
    if replacement.start == replacement.end == len(lines) and file_ends_bare:
        new_text = eol + new_text  # the old last line needs an ending before new lines
    if ends_bare:
        new_text = new_text[: -len(eol)]
    return start, end, new_text


def _minimal(text: str, start: int, end: int, new_text: str) -> OffsetEdit | None:
    """Trim what the replacement leaves unchanged at both ends, never splitting a CRLF."""
    if start == 0 and text.startswith(BOM) and not new_text.startswith(BOM):
        new_text = BOM + new_text  # the byte-order mark is the file's, not the first line's
    old = text[start:end]
    if old == new_text:
        return None
    limit = min(len(old), len(new_text))
    prefix = 0
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    if prefix and old[prefix - 1] == "\r":
        prefix -= 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new_text[-1 - suffix]:
        suffix += 1
    while suffix and (
        _splits_crlf(old, len(old) - suffix) or _splits_crlf(new_text, len(new_text) - suffix)
    ):
        suffix -= 1
    return OffsetEdit(start + prefix, end - suffix, new_text[prefix : len(new_text) - suffix])


def _splits_crlf(text: str, index: int) -> bool:
    return 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n"


def _apply(text: str, edits: list[OffsetEdit]) -> str:
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end :]
    return text


def apply_patch(
    files: Mapping[str, str], patch: str, *, hint: Location | None = None
) -> dict[str, str]:
    """New texts of the files the fix creates or changes; raises ``FixDoesNotApply``."""
    return plan_fix(files, patch, hint=hint).texts


def patch_edits(
    files: Mapping[str, str],
    patch: str,
    *,
    hint: Location | None = None,
    encoding: PositionEncoding = "utf-16",
) -> dict[str, list[TextEdit]]:
    """Minimal per-file edits, positions in ``encoding`` code units (UTF-16 for LSP)."""
    plan = plan_fix(files, patch, hint=hint)
    result: dict[str, list[TextEdit]] = {}
    for path, file_plan in plan.files.items():
        original = file_plan.old_text or ""
        edits = []
        for edit in file_plan.edits:
            start = position(original, edit.start, encoding)
            end = position(original, edit.end, encoding)
            edits.append(TextEdit(*start, *end, edit.new_text))
        result[path] = edits
    return result


def check_fix(
    patch: str, read_text: Callable[[str], str | None], hint: Location
) -> tuple[FixStatus, str]:
    """Whether a finding's fix applies to the files ``read_text`` returns, and why (not).

    ``hint`` is the finding's location; pass the finding itself to let header-less hunks land
    in its related locations' files too.
    """
    try:
        files = _read_named_files(patch, read_text, hint)
        return _status_of(plan_fix(files, patch, hint=hint))
    except FixDoesNotApply as failure:
        return failure.status, failure.reason


def _status_of(plan: FixPlan) -> tuple[FixStatus, str]:
    return plan.status, plan.reason


def _read_named_files(
    patch: str, read_text: Callable[[str], str | None], hint: Location
) -> dict[str, str]:
    files = {}
    for name in fix_paths(patch, hint):
        text = read_text(name)
        if text is not None:
            files[name] = text
    return files


def fix_paths(patch: str, hint: Location | None = None) -> list[str]:
    """Every repository path the fix may touch: the ones it names, the finding's, related ones.

    Read these (those that exist) into the ``files`` mapping for ``apply_patch``/``patch_edits``;
    raises ``FixDoesNotApply`` (invalid) when the fix cannot be parsed or names an unsafe path.
    """
    names: set[str] = set()
    if hint is not None:
        names.add(_check_safe(hint.path))
    if isinstance(hint, Finding):  # a header-less hunk may belong to a related location
        names.update(_check_safe(related.path) for related in hint.related)
    for file_patch in parse_patch(patch):
        for name in (file_patch.old_path, file_patch.new_path):
            if name is not None and name != "/dev/null":
                names.update(path_candidates(name))
    return sorted(names)
