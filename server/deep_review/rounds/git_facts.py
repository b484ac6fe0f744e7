"""Gather ``RoundFacts`` from real git: the one impure part of the rounds package."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from deep_review.change.collect import _read_blobs, decode_text
from deep_review.change.git import run_git, try_git
from deep_review.change.model import Change
from deep_review.rounds.facts import CommitFacts, FileFacts, RoundFacts
from deep_review.rounds.mapping import parse_zero_context_hunks

_COMMIT_MARK = "\0DEEPREVIEWCOMMIT\0"


def _show(root: Path, ref: str, path: str) -> str | None:
    done = try_git(root, "cat-file", "-e", f"{ref}:{path}")
    if done is None:
        return None
    data = run_git(root, "show", f"{ref}:{path}")
    return decode_text(data)[0]


def _current_text(root: Path, change: Change, path: str) -> str | None:
    changed = change.file(path)
    if changed is not None and changed.text is not None:
        return changed.text
    if change.include_uncommitted:
        target = root / path
        if not target.is_file() or target.is_symlink():
            return None
        return decode_text(target.read_bytes())[0]
    return _show(root, change.head_sha, path)


def _renamed_to(root: Path, prior_head: str, change: Change, path: str) -> str | None:
    """The path a file was renamed to since the prior head, or None."""
    args = ["diff", "--name-status", "-M", "-z", prior_head]
    if not change.include_uncommitted:
        args.append(change.head_sha)
    out = try_git(root, *args, "--")
    if not out:
        return None
    fields = out.split("\0")
    index = 0
    while index < len(fields):
        status = fields[index]
        if status.startswith(("R", "C")) and index + 2 < len(fields):
            if fields[index + 1] == path and status.startswith("R"):
                return fields[index + 2]
            index += 3
        else:
            index += 2
    return None


def _file_facts(root: Path, prior_head: str, change: Change, path: str) -> FileFacts:
    old_text = _show(root, prior_head, path)
    current_path: str | None = path
    new_text = _current_text(root, change, path)
    if new_text is None:
        current_path = _renamed_to(root, prior_head, change, path)
        new_text = _current_text(root, change, current_path) if current_path else None
    if current_path is None or new_text is None:
        return FileFacts(path, None, old_text, None)
    args = ["diff", "-U0", "--no-color", "--no-ext-diff", "-M", prior_head]
    if not change.include_uncommitted:
        args.append(change.head_sha)
    patch = try_git(root, *args, "--", path, current_path) or ""
    return FileFacts(path, current_path, old_text, new_text, tuple(parse_zero_context_hunks(patch)))


def _parse_log(text: str) -> tuple[CommitFacts, ...]:
    commits = []
    for chunk in text.split(_COMMIT_MARK)[1:]:
        sha, subject, body, patch = [*chunk.split("\0", 3), "", "", ""][:4]
        removed: dict[str, list[str]] = {}
        added: dict[str, list[str]] = {}
        deleted: set[str] = set()
        old_path = path = ""
        for line in patch.splitlines():
            if line.startswith("--- "):
                old_path = line[6:] if line.startswith("--- a/") else ""
            elif line.startswith("+++ "):
                path = line[6:] if line.startswith("+++ b/") else old_path
                if line.startswith("+++ /dev/null"):
                    deleted.add(old_path)
            elif line.startswith("-"):
                removed.setdefault(old_path or path, []).append(line[1:])
            elif line.startswith("+"):
                added.setdefault(path, []).append(line[1:])
        commits.append(
            CommitFacts(
                sha=sha.strip(),
                subject=subject.strip(),
                body=body.strip(),
                removed={k: tuple(v) for k, v in removed.items()},
                added={k: tuple(v) for k, v in added.items()},
                deleted_paths=frozenset(deleted),
            )
        )
    return tuple(commits)


def gather_facts(root: Path, prior_head: str, change: Change, paths: Iterable[str]) -> RoundFacts:
    """The facts for the prior findings' ``paths`` between ``prior_head`` and the reviewed tree."""
    known = bool(prior_head) and try_git(root, "cat-file", "-e", f"{prior_head}^{{commit}}") == ""
    if not known:
        files = {
            path: FileFacts(path, path, None, _current_text(root, change, path))
            for path in dict.fromkeys(paths)
        }
        return RoundFacts(prior_head, change.head_sha, files, (), prior_head_known=False)
    files = {path: _file_facts(root, prior_head, change, path) for path in dict.fromkeys(paths)}
    log = try_git(
        root,
        "log",
        "--reverse",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--format=%x00DEEPREVIEWCOMMIT%x00%H%x00%s%x00%b%x00",
        f"{prior_head}..{change.head_sha}",
    )
    return RoundFacts(prior_head, change.head_sha, files, _parse_log(log or ""))


def prior_texts(root: Path, prior_head: str, paths: Iterable[str]) -> dict[str, str]:
    """The texts of ``paths`` at the prior round's head, read in one batch (absent: left out)."""
    wanted = set(paths)
    listing = try_git(root, "ls-tree", "-r", "-z", "--full-tree", prior_head) if wanted else None
    blobs: dict[str, str] = {}
    for entry in (listing or "").split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if path in wanted and len(parts) == 3 and parts[1] == "blob":
            blobs[path] = parts[2]
    contents = _read_blobs(root, sorted(set(blobs.values())))
    return {
        path: decode_text(contents[blob])[0] for path, blob in blobs.items() if blob in contents
    }
