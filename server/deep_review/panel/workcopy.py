"""A throwaway copy of the reviewed tree for ``run_command``: commands may write, the repo stays.

Allowed commands (``pytest -x``, ``go test ./...``) write caches, bytecode and whatever a test
writes. They run in a temporary directory populated with the reviewed version of the tree, so
the user's working tree is never touched. The copy is made on first use, shared by later
commands of the same Toolbox (they may build on each other's artefacts) and removed by
``aclose()``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import anyio

from deep_review.change.exclusions import secret_reason
from deep_review.panel.sandbox import (
    STORE_FOLDER,
    RepoSandbox,
    SandboxError,
    git_argv,
    git_env,
)

COPY_PREFIX = "deep-review-run-"
_CHECKOUT_TIMEOUT_S = 300.0


class WorkCopy:
    """The lazily made temporary copy of ``sandbox``'s tree where commands run."""

    def __init__(self, sandbox: RepoSandbox) -> None:
        self.sandbox = sandbox
        self._holder: Path | None = None
        self._lock = anyio.Lock()

    @property
    def root(self) -> Path | None:
        """The copy's root directory, once it has been made."""
        return None if self._holder is None else _tree_of(self._holder)

    async def ensure(self) -> Path:
        """The copy's root, made on the first call."""
        async with self._lock:
            if self._holder is None:
                holder = Path(tempfile.mkdtemp(prefix=COPY_PREFIX))
                try:
                    await anyio.to_thread.run_sync(self._populate, holder)
                except BaseException:
                    shutil.rmtree(holder, ignore_errors=True)
                    raise
                self._holder = holder
            return _tree_of(self._holder)

    async def aclose(self) -> None:
        """Removes the copy and everything commands wrote into it."""
        async with self._lock:
            holder, self._holder = self._holder, None
        if holder is not None:
            await anyio.to_thread.run_sync(_remove_tree, holder)

    def relative_output(self, text: str) -> str:
        """Command output with the copy's absolute root spelled as repo-relative paths."""
        root = self.root
        if root is None:
            return text
        for spelling in sorted({str(root), os.path.realpath(root)}, key=len, reverse=True):
            text = text.replace(spelling + os.sep, "").replace(spelling, ".")
        return text

    # -- populating ----------------------------------------------------------------------

    def _populate(self, holder: Path) -> None:
        tree = _tree_of(holder)
        tree.mkdir()
        if self.sandbox.ref is None:
            self._copy_working_tree(tree)
        else:
            self._checkout_ref(holder, tree, self.sandbox.ref)

    def _copy_working_tree(self, tree: Path) -> None:
        """Tracked and untracked-not-ignored files, uncommitted edits included."""
        source = self.sandbox.real_root
        for name in self.sandbox.list_files():
            if secret_reason(name) is not None:
                continue
            origin = source / name
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_symlink():
                link = _in_repo_link(origin, source, target)
                if link is not None:
                    os.symlink(link, target)
            elif origin.is_file():
                shutil.copy2(origin, target, follow_symlinks=False)

    def _checkout_ref(self, holder: Path, tree: Path, ref: str) -> None:
        """The committed tree of ``ref``, through a private index (the repo's is untouched)."""
        env = git_env()
        env["GIT_INDEX_FILE"] = str(holder / "index")
        root = self.sandbox.root
        _git(root, env, "read-tree", ref)
        listed = _git(root, env, "ls-files", "-z").decode("utf-8", "surrogateescape")
        names = [n for n in listed.split("\0") if n and secret_reason(n) is None]
        names = [n for n in names if n.split("/")[0] != STORE_FOLDER]
        if names:
            _git(root, env, "checkout-index", f"--prefix={tree}/", "-z", "--stdin", stdin=names)
        (holder / "index").unlink(missing_ok=True)
        for name in names:
            checked_out = tree / name
            if checked_out.is_symlink() and _in_repo_link(checked_out, tree, checked_out) is None:
                checked_out.unlink()


def _tree_of(holder: Path) -> Path:
    """Where the tree lives inside the holder directory (the index sits beside it)."""
    return holder / "tree"


def _in_repo_link(link: Path, root: Path, placed_at: Path) -> str | None:
    """The target to recreate ``link`` at ``placed_at`` with, if it stays inside ``root``."""
    target = os.readlink(link)
    resolved = Path(os.path.realpath(link.parent / target))
    real_root = Path(os.path.realpath(root))
    if resolved != real_root and real_root not in resolved.parents:
        return None
    if not os.path.isabs(target):
        return target
    # An absolute link into the repo would lead back to the real tree: point it into the copy.
    inside = resolved.relative_to(real_root).as_posix()
    copy_root = placed_at.parents[len(Path(link.relative_to(root)).parts) - 1]
    return os.path.relpath(copy_root / inside, placed_at.parent)


def _git(root: Path, env: dict[str, str], *args: str, stdin: list[str] | None = None) -> bytes:
    """One git call for the checkout (``stdin``: names, NUL-separated); raises ``SandboxError``."""
    data = b"".join(n.encode("utf-8", "surrogateescape") + b"\0" for n in stdin or [])
    done = subprocess.run(
        git_argv(*args),
        cwd=root,
        env=env,
        input=data,
        capture_output=True,
        timeout=_CHECKOUT_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SandboxError(
            f"could not copy the reviewed tree (git {args[0]}): {message[-1] if message else '?'}"
        )
    return done.stdout


def _remove_tree(holder: Path) -> None:
    """Deletes ``holder`` even when a command left read-only directories in it."""
    for directory, subdirs, _ in os.walk(holder):
        for name in subdirs:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)
    shutil.rmtree(holder, ignore_errors=True)
