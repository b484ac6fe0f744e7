"""``deep-review apply ID``: apply a finding's fix from the latest review to the working tree."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path

from deep_review.change import find_repo_root
from deep_review.errors import DeepReviewError, NoReviewFound
from deep_review.fixes.errors import FixAlreadyApplied, FixDoesNotApply
from deep_review.fixes.plan import FixPlan, fix_paths, plan_fix
from deep_review.fixes.text import split_lines
from deep_review.model import ReconciledFinding, Review
from deep_review.store import ReviewStore


class UnknownFinding(DeepReviewError):
    """The ID names no finding of the latest review."""


def apply_command(args: argparse.Namespace) -> int:
    """Apply (or with --dry-run, show) one finding's suggested fix; 1 when it does not apply."""
    root = find_repo_root(Path(args.repo))
    review = load_latest_review(root)
    finding = _find(review, args.finding_id)
    if not finding.fix:
        print(f"deep-review: {finding.id} has no suggested fix.", file=sys.stderr)
        return 1
    try:
        files = read_worktree_files(root, finding)
        plan = plan_fix(files, finding.fix, hint=finding)
    except FixAlreadyApplied as applied:
        print(f"{finding.id}: {applied.reason} Nothing was changed.")
        return 0
    except FixDoesNotApply as failure:
        print(
            f"deep-review: the fix for {finding.id} does not apply: {failure.reason}",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        sys.stdout.write(preview(plan))
        print(f"Dry run of {finding.id}: {plan.reason} Nothing was changed.", file=sys.stderr)
        return 0
    try:
        write_plan(root, plan)
    except FixDoesNotApply as failure:
        print(f"deep-review: the fix for {finding.id}: {failure.reason}", file=sys.stderr)
        return 1
    touched = ", ".join(plan.files)
    print(f"Applied the fix for {finding.id} to {touched}. {plan.reason}")
    return 0


def load_latest_review(root: Path) -> Review:
    """The newest saved review of the repository."""
    review = ReviewStore(root).latest_review()
    if review is None:
        raise NoReviewFound(_no_review_message(root))
    return review


def _no_review_message(root: Path) -> str:
    return f"No saved review in {root}; run `deep-review review` first."


def _find(review: Review, finding_id: str) -> ReconciledFinding:
    finding = review.finding(finding_id)
    if finding is not None:
        return finding
    ids = [f.id for f in [*review.findings, *review.appendix_findings]]
    available = ", ".join(ids) if ids else "none"
    raise UnknownFinding(
        f"The latest review has no finding {finding_id}; available IDs: {available}."
    )


def read_worktree_files(root: Path, finding: ReconciledFinding) -> dict[str, str]:
    """The working-tree texts the fix may touch: its named files, the finding's and related."""
    files: dict[str, str] = {}
    for name in fix_paths(finding.fix or "", finding):
        text = _read_text(root, name)
        if text is not None:
            files[name] = text
    return files


def _inside(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise FixDoesNotApply(f"The fix names {name}, which is outside the repository.", "invalid")
    return target


def _read_text(root: Path, name: str) -> str | None:
    path = _inside(root, name)
    if not path.is_file():
        return None
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise FixDoesNotApply(f"{name} is not UTF-8 text.", "invalid") from None


def preview(plan: FixPlan) -> str:
    """The unified diff of what applying the plan would change."""
    chunks = []
    for path, file_plan in plan.files.items():
        old = _lines(file_plan.old_text)
        new = _lines(file_plan.new_text)
        before = f"a/{path}" if file_plan.old_text is not None else "/dev/null"
        after = f"b/{path}" if file_plan.new_text is not None else "/dev/null"
        for line in difflib.unified_diff(old, new, before, after):
            chunks.append(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            )
    return "".join(chunks)


def _lines(text: str | None) -> list[str]:
    return [line.content + line.ending for line in split_lines(text or "")]


def write_plan(root: Path, plan: FixPlan) -> None:
    """Write every file of the plan: all temp files first, then renames, so none is half-written."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in plan.texts.items():
            staged.append((_stage(_inside(root, path), text), _inside(root, path)))
    except BaseException:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    changed = [
        path
        for path, file_plan in plan.files.items()
        if _current_text(_inside(root, path)) != file_plan.old_text
    ]
    if changed:
        # Compare and swap: an editor (or anything) wrote since the fix was checked.
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise FixDoesNotApply(
            f"{', '.join(changed)} changed while the fix was being applied; nothing was written"
            " (run the command again).",
            "stale",
        )
    for temp, target in staged:
        os.replace(temp, target)
    for path in plan.deleted:
        _inside(root, path).unlink(missing_ok=True)
    for path, text in plan.texts.items():
        if _current_text(_inside(root, path)) != text:
            raise DeepReviewError(f"{path} does not hold the fixed text after writing it.")


def _current_text(path: Path) -> str | None:
    """The file's text now (None when absent), read the way the fix was planned on."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return "\0unreadable"


def _stage(target: Path, text: str) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o644
        os.chmod(temp, mode)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp
