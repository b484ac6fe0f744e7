"""Keep ``.deep-review/`` out of ``git status`` through ``info/exclude`` — never ``.gitignore``.

``info/exclude`` is the repository's private ignore file: it is not committed, so the user's
``.gitignore`` stays theirs. ``git rev-parse --git-path`` finds it in linked worktrees too,
where ``.git`` is a file pointing at the real git folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from deep_review.change.git import try_git
from deep_review.store.atomic import WriteFailed, atomic_write_text

log = logging.getLogger(__name__)

COMMENT = "# deep-review's own files (reviews, cache); added by deep-review"


def exclude_from_git(repo_root: Path, folder_name: str) -> bool:
    """Add ``/<folder_name>/`` to the repository's ``info/exclude``; True when it was added."""
    answer = try_git(repo_root, "rev-parse", "--show-toplevel", "--git-path", "info/exclude")
    lines = (answer or "").splitlines()
    if len(lines) != 2 or Path(lines[0]).resolve() != repo_root.resolve():
        return False  # not the top of a git work tree: nothing of ours to keep clean
    exclude = (repo_root / lines[1]).resolve()
    pattern = f"/{folder_name}/"
    try:
        current = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        log.warning("could not read %s to exclude %s: %s", exclude, pattern, error)
        return False
    if any(
        line.strip() in (pattern, f"{folder_name}/", folder_name) for line in current.split("\n")
    ):
        return False
    separator = "" if not current or current.endswith("\n") else "\n"
    try:
        atomic_write_text(exclude, f"{current}{separator}{COMMENT}\n{pattern}\n")
    except WriteFailed as error:
        # git status noise is not worth failing a review over; say so and carry on.
        log.warning("could not exclude %s from git: %s", pattern, error.message)
        return False
    return True
