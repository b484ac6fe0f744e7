"""The commits ``base..HEAD``, parsed from NUL-separated ``git log`` output."""

from __future__ import annotations

from pathlib import Path

from deep_review.change.git import run_git
from deep_review.model import CommitInfo

_FIELDS = 4
_FORMAT = "--format=%H%x00%an <%ae>%x00%s%x00%b"


def list_commits(root: Path, base_sha: str, head_sha: str) -> list[CommitInfo]:
    """Commits reachable from HEAD and not from the base, oldest first."""
    if base_sha == head_sha:
        return []
    output = run_git(root, "log", "-z", "--reverse", _FORMAT, f"{base_sha}..{head_sha}", "--")
    text = output.decode("utf-8", "replace")
    if not text:
        return []
    # -z puts a NUL between commits too; no field (subject, body) can contain a NUL.
    fields = text.split("\0")
    while len(fields) % _FIELDS and fields and fields[-1] == "":
        fields.pop()
    commits: list[CommitInfo] = []
    for start in range(0, len(fields) - _FIELDS + 1, _FIELDS):
        sha, author, subject, body = fields[start : start + _FIELDS]
        commits.append(
            CommitInfo(sha=sha.strip(), author=author, subject=subject, body=body.strip("\n"))
        )
    return commits
