"""Collecting the change under review: base, commits, files, exclusions, diff hash."""

from __future__ import annotations

import hashlib
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from deep_review.change.base import ResolvedBase, resolve_base
from deep_review.change.commits import list_commits
from deep_review.change.exclusions import header_reason, path_reason, secret_reason, size_reason
from deep_review.change.git import git_env, git_text, run_git, run_git_lenient, try_git
from deep_review.change.hunks import parse_hunks
from deep_review.change.model import Change, ChangedFile, FileStatus
from deep_review.change.rawdiff import RawEntry, parse_diff_output
from deep_review.change.repo import find_repo_root, read_head, remote_url, repo_slug
from deep_review.config import ChangeConfig
from deep_review.model import ExcludedFile

_DIFF_ARGS = (
    "-z",
    "--raw",
    "--numstat",
    "-p",
    "--find-renames",
    "--find-copies",
    "--no-abbrev",
    "--full-index",
    "--unified=3",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--submodule=short",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
_STATUS: dict[str, FileStatus] = {
    "A": "added",
    "M": "modified",
    "D": "deleted",
    "R": "renamed",
    "C": "copied",
    "T": "type-changed",
}
_SYMLINK, _SUBMODULE, _NO_MODE = "120000", "160000", "000000"


# Deep Review's own store is never part of what is reviewed, committed or not.
_PATHSPEC = (".", ":(exclude).deep-review")


def collect_change(
    start: Path,
    *,
    base: str | None = None,
    include_uncommitted: bool = True,
    config: ChangeConfig | None = None,
    base_source: str = "--base",
) -> Change:
    """What would be reviewed: commits ``base..HEAD`` plus, by default, uncommitted work."""
    config = config or ChangeConfig()
    root = find_repo_root(start)
    head = read_head(root)
    resolved = resolve_base(root, head, explicit=base, explicit_source=base_source)
    if include_uncommitted:
        output, skipped = _worktree_diff(root, resolved.sha)
    else:
        output = run_git(root, "diff", *_DIFF_ARGS, resolved.sha, head.sha, "--", *_PATHSPEC)
        skipped = []
    entries = parse_diff_output(output)
    del output
    files = _build_files(root, entries, config, include_uncommitted)
    url = remote_url(root, head.branch)
    change = Change(
        repo_root=str(root),
        base_ref=resolved.ref,
        base_sha=resolved.sha,
        base_resolution=resolved.description,
        head_sha=head.sha,
        branch=head.branch,
        detached=head.detached,
        include_uncommitted=include_uncommitted,
        commits=list_commits(root, resolved.sha, head.sha),
        files=files,
        excluded=[ExcludedFile(path=f.path, reason=f.excluded) for f in files if f.excluded],
        remote_url=url,
        repo_slug=repo_slug(url),
        notes=_notes(resolved, files, include_uncommitted, skipped),
    )
    change.diff_hash = compute_diff_hash(change)
    return change


def compute_diff_hash(change: Change) -> str:
    """sha256 over the base commit and the reviewed diff text: the review cache key."""
    digest = hashlib.sha256(change.base_sha.encode("ascii"))
    digest.update(b"\0")
    digest.update(change.diff_text().encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _worktree_diff(root: Path, base_sha: str) -> tuple[bytes, list[str]]:
    # Mark untracked-not-ignored files intent-to-add in a throwaway copy of the index, then
    # diff the base against the working tree: the user's real index is never touched and no
    # file content (secrets included) is written into the object store.
    real_index = root / git_text(root, "rev-parse", "--git-path", "index")
    with tempfile.TemporaryDirectory(prefix="deep-review-index-") as folder:
        temp_index = Path(folder) / "index"
        if real_index.is_file():
            shutil.copyfile(real_index, temp_index)
        env = git_env({"GIT_INDEX_FILE": str(temp_index)})
        # No exclude pathspec here: git < 2.40 fails `add` when it names an ignored folder
        # (a .gitignored .deep-review/); the diff below leaves the store out instead.
        _, skipped = run_git_lenient(
            root, "add", "--intent-to-add", "--all", "--ignore-errors", "--", ".", env=env
        )
        try_git(root, "update-index", "-q", "--refresh", env=env)
        return run_git(root, "diff", *_DIFF_ARGS, base_sha, "--", *_PATHSPEC, env=env), skipped


def _build_files(
    root: Path, entries: list[RawEntry], config: ChangeConfig, from_worktree: bool
) -> list[ChangedFile]:
    if from_worktree:
        sizes = {e.path: _worktree_size(root, e.path) for e in entries if _has_content(e)}
    else:
        blob_sizes = _blob_sizes(root, (e.new_blob for e in entries if _has_content(e)))
        sizes = {e.path: blob_sizes.get(e.new_blob, 0) for e in entries}
    files: list[ChangedFile] = []
    wanted: list[tuple[str, ChangedFile]] = []
    for entry in entries:
        changed = _changed_file(entry, config, sizes.get(entry.path, 0))
        files.append(changed)
        if changed.excluded is None and _has_content(entry) and not changed.is_binary:
            wanted.append((entry.new_blob, changed))
    _fill_texts(root, wanted, config, from_worktree)
    return sorted(files, key=lambda f: f.path)


def _has_content(entry: RawEntry) -> bool:
    return entry.status != "D" and entry.new_mode not in (_SYMLINK, _SUBMODULE, _NO_MODE)


def _worktree_size(root: Path, path: str) -> int:
    try:
        return (root / path).lstat().st_size
    except OSError:
        return 0


def _changed_file(entry: RawEntry, config: ChangeConfig, size: int) -> ChangedFile:
    modes = {entry.old_mode, entry.new_mode}
    changed = ChangedFile(
        path=entry.path,
        old_path=entry.old_path,
        status=_status(entry),
        similarity=entry.similarity,
        old_mode=None if entry.old_mode == _NO_MODE else entry.old_mode,
        new_mode=None if entry.new_mode == _NO_MODE else entry.new_mode,
        is_binary=entry.is_binary,
        is_symlink=(entry.new_mode if entry.status != "D" else entry.old_mode) == _SYMLINK,
        is_submodule=_SUBMODULE in modes,
        size_bytes=size,
        added=entry.added or 0,
        removed=entry.removed or 0,
    )
    reason = _exclusion(entry, config, size)
    if reason is not None:
        changed.excluded = reason
        return changed
    changed.patch = entry.patch.decode("utf-8", "replace")
    if not entry.is_binary:
        changed.hunks = parse_hunks(changed.patch)
    return changed


def _status(entry: RawEntry) -> FileStatus:
    letter = entry.status
    if letter == "M" and entry.old_mode != entry.new_mode and _content_unchanged(entry):
        return "mode-changed"
    return _STATUS.get(letter, "modified")


def _content_unchanged(entry: RawEntry) -> bool:
    if entry.old_blob == entry.new_blob:
        return True
    # In the working tree git reports no blob id; a content change always brings a hunk.
    return b"\n@@ " not in entry.patch and b"\nBinary files " not in entry.patch


def _exclusion(entry: RawEntry, config: ChangeConfig, size: int) -> str | None:
    secret = secret_reason(entry.path)
    if secret is not None:
        return secret
    if entry.is_binary:
        return "binary file"
    by_path = path_reason(entry.path, config)
    if by_path is not None:
        return by_path
    if _has_content(entry):
        return size_reason(size, config)
    return None


def _blob_sizes(root: Path, blobs: Iterable[str]) -> dict[str, int]:
    unique = sorted(set(blobs))
    if not unique:
        return {}
    request = "".join(f"{blob}\n" for blob in unique).encode("ascii")
    output = run_git(root, "cat-file", "--batch-check", input_bytes=request)
    sizes: dict[str, int] = {}
    for line in output.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes


def _fill_texts(
    root: Path, wanted: list[tuple[str, ChangedFile]], config: ChangeConfig, from_worktree: bool
) -> None:
    blobs = {} if from_worktree else _read_blobs(root, sorted({blob for blob, _ in wanted}))
    for blob, changed in wanted:
        data = _read_worktree(root, changed.path) if from_worktree else blobs.get(blob)
        if data is None:
            continue
        text, not_utf8 = decode_text(data)
        generated = header_reason(changed.path, text, config)
        if generated is not None:
            changed.excluded, changed.patch, changed.hunks = generated, "", []
            continue
        changed.text, changed.not_utf8, changed.crlf = text, not_utf8, "\r\n" in text


def decode_text(data: bytes) -> tuple[str, bool]:
    """UTF-8 text, else decoded with replacement characters and flagged as not UTF-8."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), True


def _read_worktree(root: Path, path: str) -> bytes | None:
    target = root / path
    try:
        info = target.lstat()
    except OSError:
        return None
    # Only regular files: a symlink could point outside the repository.
    if not stat.S_ISREG(info.st_mode):
        return None
    try:
        return target.read_bytes()
    except OSError:
        return None


def _read_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    if not blobs:
        return {}
    request = "".join(f"{blob}\n" for blob in blobs).encode("ascii")
    output = run_git(root, "cat-file", "--batch", input_bytes=request)
    contents: dict[str, bytes] = {}
    position = 0
    while position < len(output):
        header_end = output.index(b"\n", position)
        parts = output[position:header_end].decode("ascii").split()
        position = header_end + 1
        if len(parts) != 3:
            continue
        size = int(parts[2])
        contents[parts[0]] = output[position : position + size]
        position += size + 1
    return contents


def _notes(
    resolved: ResolvedBase, files: list[ChangedFile], include_uncommitted: bool, skipped: list[str]
) -> list[str]:
    notes = list(resolved.notes)
    notes += [f"Untracked path left out (git: {reason})" for reason in skipped]
    if not include_uncommitted:
        notes.append("Committed changes only: staged, unstaged and untracked files are left out.")
    if not files:
        notes.append("Nothing changed between the base and the reviewed tree.")
    return notes
