"""Small builders shared by the change tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.gitrepo import GIT_ENV, GitRepo


def feature_repo(repo: GitRepo) -> GitRepo:
    """``main`` with one commit, then branch ``feature`` checked out."""
    repo.write("app.py", "def greet(name):\n    return 'hi ' + name\n")
    repo.write("README.md", "# demo\n")
    repo.commit("initial")
    repo.branch("feature")
    return repo


def existing(root: Path) -> GitRepo:
    """A GitRepo handle on a repository that already exists (no ``git init``)."""
    handle = GitRepo.__new__(GitRepo)
    handle.root = root
    return handle


def clone(source: GitRepo, target: Path, *options: str) -> GitRepo:
    """``git clone`` of ``source``; with options (e.g. ``--depth``) over file:// as git needs."""
    url = f"file://{source.root}" if options else str(source.root)
    subprocess.run(
        ["git", "clone", "-q", *options, url, str(target)],
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )
    return existing(target)
