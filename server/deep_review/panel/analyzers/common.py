"""What the analyzers share: edits → unified diff, evidence, failed reviews, changed lines."""

from __future__ import annotations

import difflib
import io
import tarfile
import tempfile
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio

from deep_review.change.model import Change, ChangedFile
from deep_review.config import ReviewerConfig
from deep_review.model import AgentReview, AgentStats
from deep_review.panel.redact import split_lines
from deep_review.panel.sandbox import RepoSandbox, run_git


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` (character offsets) with ``content``."""

    start: int
    end: int
    content: str


def line_starts(text: str) -> list[int]:
    """Character offset of the start of every line (plus one past the end)."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def offset_of(starts: list[int], text: str, row: int, column: int) -> int:
    """The character offset of 1-based ``row``/``column`` (clamped to the text)."""
    if row > len(starts):
        return len(text)
    if row < 1:
        return 0
    return min(starts[row - 1] + max(column, 1) - 1, len(text))


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str | None:
    """``text`` with non-overlapping edits applied; None when edits overlap."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[str] = []
    cursor = 0
    for edit in ordered:
        if edit.start < cursor or edit.end < edit.start:
            return None
        out.append(text[cursor : edit.start])
        out.append(edit.content)
        cursor = edit.end
    out.append(text[cursor:])
    return "".join(out)


def unified_diff(path: str, old: str, new: str) -> str | None:
    """A ``git apply``-able unified diff turning ``old`` into ``new`` (None when equal)."""
    if old == new:
        return None
    lines = difflib.unified_diff(
        split_lines(old),
        split_lines(new),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=3,
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def evidence(text: str, start_line: int, end_line: int) -> str:
    """The lines ``start_line..end_line`` of ``text``, verbatim."""
    lines = [line.rstrip("\r\n") for line in split_lines(text)]
    return "\n".join(lines[start_line - 1 : end_line])


def on_changed_lines(changed: ChangedFile, start_line: int, end_line: int) -> bool:
    """Whether the span touches a line the change adds or modifies."""
    lines = changed.changed_lines()
    return any(line in lines for line in range(start_line, max(start_line, end_line) + 1))


def reviewable_files(change: Change, suffixes: tuple[str, ...] | None = None) -> list[ChangedFile]:
    """Changed files an analyzer can check: present in the reviewed tree, text, not excluded."""
    files = [
        f
        for f in change.reviewed_files
        if f.status != "deleted" and f.text is not None and not f.is_binary and not f.is_symlink
    ]
    if suffixes is not None:
        files = [f for f in files if f.path.endswith(suffixes)]
    return files


def failed_review(
    reviewer: ReviewerConfig,
    error: str,
    started: float,
    *,
    model: str = "",
    tool_calls: dict[str, int] | None = None,
    raw_output: str | None = None,
) -> AgentReview:
    """An analyzer review that failed, with the reason stated for the user."""
    return AgentReview(
        reviewer=reviewer.name,
        provider=reviewer.provider,
        model=model or reviewer.model,
        status="failed",
        error=error,
        raw_output=raw_output,
        stats=AgentStats(duration_s=time.monotonic() - started, tool_calls=dict(tool_calls or {})),
    )


def _on_disk_matches(changed: list[ChangedFile], root: Path) -> bool:
    for file in changed:
        try:
            if (root / file.path).read_bytes().decode("utf-8", "replace") != file.text:
                return False
        except OSError:
            return False
    return True


def _export_tree(root: Path, ref: str, target: Path) -> None:
    """The files of ``ref`` written under ``target`` (``git archive``; the repo is not touched)."""
    archive = run_git(root, "archive", "--format=tar", ref, timeout=300)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


@asynccontextmanager
async def reviewed_tree(change: Change, sandbox: RepoSandbox) -> AsyncIterator[Path]:
    """A directory holding the reviewed tree, for tools that read files themselves.

    The working tree itself when it is what is reviewed (or matches the reviewed commit for
    every changed file); otherwise a temporary export of the reviewed commit.
    """
    root = sandbox.real_root
    ref = sandbox.ref
    files = reviewable_files(change)
    if ref is None or await anyio.to_thread.run_sync(_on_disk_matches, files, root):
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="deep-review-tree-") as folder:
        target = Path(folder)
        await anyio.to_thread.run_sync(_export_tree, sandbox.root, ref, target)
        yield Path(folder).resolve()
