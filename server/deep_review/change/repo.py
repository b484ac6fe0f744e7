"""The repository around a folder: its root, branch, remote and ``owner/name``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from deep_review.change.git import GitFailed, git_text, try_git
from deep_review.errors import DeepReviewError, NotAGitRepository


def find_repo_root(start: Path) -> Path:
    """The top folder of the git working tree containing ``start``."""
    start = Path(start).expanduser()
    if not start.exists():
        raise NotAGitRepository(f"{start} does not exist.")
    folder = start if start.is_dir() else start.parent
    try:
        inside = git_text(folder, "rev-parse", "--is-inside-work-tree")
    except GitFailed as error:
        if "not a git repository" in error.stderr:
            raise NotAGitRepository(f"{folder.resolve()} is not inside a git repository.") from None
        if "dubious ownership" in error.stderr:
            raise NotAGitRepository(
                f"git refuses the repository at {folder.resolve()} because another user owns "
                "it; if you trust it, run `git config --global --add safe.directory <path>`."
            ) from None
        raise NotAGitRepository(
            f"git cannot open the repository at {folder.resolve()}: {error.first_line}"
        ) from None
    if inside != "true":
        raise NotAGitRepository(
            f"{folder.resolve()} is inside a git directory without a working tree; "
            "run deep-review from a checkout."
        )
    return Path(git_text(folder, "rev-parse", "--show-toplevel")).resolve()


@dataclass(frozen=True)
class HeadState:
    """Where HEAD points: a commit, and the branch unless HEAD is detached."""

    sha: str
    branch: str | None

    @property
    def detached(self) -> bool:
        return self.branch is None


def read_head(root: Path) -> HeadState:
    """HEAD's commit and branch; a precise error for a repository with no commits yet."""
    sha = try_git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if not sha:
        branch = try_git(root, "symbolic-ref", "--short", "-q", "HEAD") or "the current branch"
        raise DeepReviewError(
            f"The repository at {root} has no commits yet on {branch}; commit once so there "
            "is a base to review against."
        )
    return HeadState(sha=sha, branch=try_git(root, "symbolic-ref", "--short", "-q", "HEAD") or None)


def upstream_of(root: Path, branch: str | None) -> str | None:
    """The branch's upstream as a short name such as ``origin/main``, if configured."""
    if branch is None:
        return None
    return try_git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", f"{branch}@{{u}}")


def remote_url(root: Path, branch: str | None) -> str | None:
    """The URL of the branch's remote (else ``origin``, else the first), without credentials."""
    names = (try_git(root, "remote") or "").split()
    if not names:
        return None
    preferred = try_git(root, "config", "--get", f"branch.{branch}.remote") if branch else None
    if preferred not in names:
        preferred = "origin" if "origin" in names else names[0]
    url = try_git(root, "remote", "get-url", preferred or names[0])
    return strip_credentials(url) if url else None


def strip_credentials(url: str) -> str:
    """The URL without a ``user:token@`` part (tokens must never reach logs or reports)."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None and not (parts.username and parts.scheme.startswith("http")):
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    keep_user = parts.username if parts.scheme == "ssh" and parts.password is None else None
    netloc = f"{keep_user}@{host}" if keep_user else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")


def repo_slug(url: str | None) -> str | None:
    """``owner/name`` (GitLab: ``group/sub/name``) for a GitHub or GitLab remote URL."""
    if not url:
        return None
    if "://" in url:
        parts = urlsplit(url)
        host, path = parts.hostname or "", parts.path
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match.group("host"), match.group("path")
    host = host.lower()
    if "github" not in host and "gitlab" not in host:
        return None
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) < 2:
        return None
    if "github" in host:
        segments = segments[:2]
    return "/".join(segments)
