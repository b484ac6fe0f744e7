"""A confined, read-only view of the reviewed tree: the only way reviewers' tools touch files.

Every path is resolved inside the repository root. Refused: absolute paths, ``..`` escapes,
symlinks whose target resolves outside the root (every component is checked), anything inside
``.git``, secret-bearing files (``.env``, private keys), files over the read cap and binary files.
With ``ref`` set the files come from git objects (``git ls-tree`` / ``git cat-file``), with the
same rules applied to symlink blobs (mode 120000).
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from deep_review.change.exclusions import SECRETS, secret_reason
from deep_review.change.globs import translate_glob
from deep_review.errors import DeepReviewError

DEFAULT_MAX_BYTES = 512 * 1024
BINARY_SNIFF_BYTES = 8 * 1024
_MAX_SYMLINK_HOPS = 40
# Earlier reviews and other agents' output live here: a reviewer must not see them.
STORE_FOLDER = ".deep-review"

# Files whose whole purpose is to hold credentials: one list for the whole product.
SECRET_FILE_GLOBS: tuple[str, ...] = SECRETS


class SandboxError(DeepReviewError):
    """A path the sandbox refuses to read (the reason is fit to show to a model)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def git_env() -> dict[str, str]:
    """The environment for read-only git: no pager, no prompts, no optional lock files."""
    env = dict(os.environ)
    env.update(
        {
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_PAGER": "cat",
            "PAGER": "cat",
            "GIT_TERMINAL_PROMPT": "0",
            "LC_ALL": "C.UTF-8",
        }
    )
    return env


def git_argv(*args: str) -> list[str]:
    """``git`` with the options every read-only call uses."""
    return ["git", "--no-pager", "-c", "core.quotepath=false", "-c", "color.ui=false", *args]


def run_git(root: Path, *args: str, timeout: float = 60.0) -> bytes:
    """Runs a read-only git command in ``root``; its stdout, or ``SandboxError`` on failure."""
    try:
        done = subprocess.run(
            git_argv(*args),
            cwd=root,
            env=git_env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxError(f"git {args[0]} took longer than {timeout:.0f}s") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SandboxError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def is_secret_file(path: str) -> bool:
    """Whether ``path`` names a file that exists to hold credentials (never read or sent)."""
    return secret_reason(path) is not None


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """A regex for a gitignore-style glob: ``**`` spans directories, ``*`` does not."""
    glob = glob.strip().lstrip("/") if glob.strip() != "/" else ""
    while glob.startswith("./"):
        glob = glob[2:]
    pattern = translate_glob(glob)
    if glob.endswith("/"):
        pattern += ".*"
    return re.compile(pattern + "(?:/.*)?" if pattern else ".*")


def glob_matcher(glob: str | None) -> re.Pattern[str] | None:
    """None for "everything"; a glob without ``/`` matches a name at any depth (like ripgrep)."""
    if glob is None or not glob.strip() or glob.strip() in ("*", "**", "**/*"):
        return None
    glob = glob.strip()
    if "/" not in glob.rstrip("/"):
        glob = "**/" + glob
    return glob_to_regex(glob)


@dataclass(frozen=True)
class _TreeEntry:
    mode: str
    kind: str
    sha: str


class RepoSandbox:
    """Read-only, confined access to the files of the reviewed tree (working tree or ``ref``)."""

    def __init__(
        self,
        root: Path,
        *,
        ref: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_secret_files: bool = False,
    ) -> None:
        self.root = Path(root)
        self.real_root = Path(os.path.realpath(self.root))
        self.ref = ref
        self.max_bytes = max_bytes
        self.allow_secret_files = allow_secret_files

    # -- paths ---------------------------------------------------------------------------

    def normalize(self, path: str) -> str:
        """The repository-relative POSIX form of ``path``; ``SandboxError`` if it leaves."""
        if not isinstance(path, str) or not path.strip():
            raise SandboxError("empty path: give a repository-relative path like src/app.py")
        if "\x00" in path:
            raise SandboxError("path contains a NUL byte")
        raw = path.strip().replace("\\", "/")
        if raw.startswith("/") or re.match(r"^[A-Za-z]:/", raw) or raw.startswith("~"):
            raise SandboxError(
                f"absolute path refused: {path!r}; paths are relative to the repository root"
            )
        normal = posixpath.normpath(raw)
        if normal == ".." or normal.startswith("../"):
            raise SandboxError(f"path escapes the repository: {path!r}")
        if normal == ".":
            return ""
        if any(part.lower() == ".git" for part in normal.split("/")):
            raise SandboxError(f"git internals are off limits: {path!r}")
        if normal.split("/")[0] == STORE_FOLDER:
            raise SandboxError(
                f"Deep Review's own store is off limits (reviewers work independently): {path!r}"
            )
        return normal

    def resolve(self, path: str) -> str:
        """The path of the file ``path`` leads to, following (and checking) in-repo symlinks."""
        normal = self.normalize(path)
        if self.ref is not None:
            return self._resolve_in_tree(normal)
        current = self.real_root
        for part in normal.split("/") if normal else []:
            candidate = current / part
            if candidate.is_symlink():
                target = Path(os.path.realpath(candidate))
                self._check_inside(target, path)
                current = target
            else:
                current = candidate
        real = Path(os.path.realpath(current))
        self._check_inside(real, path)
        relative = real.relative_to(self.real_root).as_posix()
        return "" if relative == "." else relative

    def _check_inside(self, real: Path, original: str) -> None:
        try:
            relative = real.relative_to(self.real_root)
        except ValueError:
            raise SandboxError(f"symlink leads outside the repository: {original!r}") from None
        if any(part.lower() == ".git" for part in relative.parts):
            raise SandboxError(f"symlink leads into git internals: {original!r}")

    # -- reading -------------------------------------------------------------------------

    def read(self, path: str) -> str:
        """The text of a file (UTF-8, invalid bytes replaced); ``SandboxError`` when refused."""
        normal = self.resolve(path)
        if not normal:
            raise SandboxError("that is the repository root, not a file; use list_files")
        if not self.allow_secret_files and is_secret_file(normal):
            raise SandboxError(f"secret-bearing file withheld: {path!r}")
        data = self._read_tree_bytes(normal) if self.ref is not None else self._read_disk(normal)
        if b"\x00" in data[:BINARY_SNIFF_BYTES]:
            raise SandboxError(f"binary file refused: {path!r}")
        return data.decode("utf-8", errors="replace")

    def read_text(self, path: str) -> str | None:
        """The file's text, or None when absent, binary or refused (a reconcile TextSource)."""
        try:
            return self.read(path)
        except SandboxError:
            return None

    def exists(self, path: str) -> bool:
        """Whether ``path`` is a readable location (file or directory) inside the sandbox."""
        try:
            normal = self.resolve(path)
        except SandboxError:
            return False
        if self.ref is not None:
            return normal in self._tree or normal in self._tree_dirs
        return (self.real_root / normal).exists()

    def _read_disk(self, normal: str) -> bytes:
        full = self.real_root / normal
        if full.is_dir():
            raise SandboxError(f"{normal!r} is a directory; use list_files")
        if not full.is_file():
            raise SandboxError(f"no such file: {normal!r}")
        size = full.stat().st_size
        if size > self.max_bytes:
            raise SandboxError(
                f"file too large to read: {normal!r} is {size} bytes (cap {self.max_bytes})"
            )
        with open(full, "rb") as handle:
            return handle.read(self.max_bytes + 1)

    # -- git tree (ref) ------------------------------------------------------------------

    @cached_property
    def _tree(self) -> dict[str, _TreeEntry]:
        assert self.ref is not None
        out = run_git(self.root, "ls-tree", "-r", "-z", "--full-tree", self.ref)
        entries: dict[str, _TreeEntry] = {}
        for record in out.decode("utf-8", "replace").split("\0"):
            if not record:
                continue
            meta, _, name = record.partition("\t")
            mode, kind, sha = meta.split()
            entries[name] = _TreeEntry(mode, kind, sha)
        return entries

    @cached_property
    def _tree_dirs(self) -> set[str]:
        dirs: set[str] = {""}
        for name in self._tree:
            parent = posixpath.dirname(name)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        return dirs

    def _resolve_in_tree(self, normal: str) -> str:
        """Follows symlink blobs inside the tree, refusing any that lead outside or into .git."""
        parts = normal.split("/") if normal else []
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            candidate = "/".join([*resolved, part])
            entry = self._tree.get(candidate)
            if entry is not None and entry.mode == "120000":
                hops += 1
                if hops > _MAX_SYMLINK_HOPS:
                    raise SandboxError(f"too many levels of symlinks: {normal!r}")
                target = self._blob(entry.sha).decode("utf-8", "replace")
                if target.startswith("/"):
                    raise SandboxError(f"symlink leads outside the repository: {normal!r}")
                joined = posixpath.normpath(
                    posixpath.join(*resolved, target) if resolved else target
                )
                if joined == ".." or joined.startswith("../"):
                    raise SandboxError(f"symlink leads outside the repository: {normal!r}")
                if any(p.lower() == ".git" for p in joined.split("/")):
                    raise SandboxError(f"symlink leads into git internals: {normal!r}")
                parts = [p for p in joined.split("/") if p and p != "."] + parts
                resolved = []
            else:
                resolved.append(part)
        return "/".join(resolved)

    def _blob(self, sha: str) -> bytes:
        return run_git(self.root, "cat-file", "blob", sha)

    def _read_tree_bytes(self, normal: str) -> bytes:
        entry = self._tree.get(normal)
        if entry is None:
            if normal in self._tree_dirs:
                raise SandboxError(f"{normal!r} is a directory; use list_files")
            raise SandboxError(f"no such file at {self.ref}: {normal!r}")
        if entry.kind == "commit":
            raise SandboxError(f"{normal!r} is a submodule, not a file")
        size = int(run_git(self.root, "cat-file", "-s", entry.sha).strip() or b"0")
        if size > self.max_bytes:
            raise SandboxError(
                f"file too large to read: {normal!r} is {size} bytes (cap {self.max_bytes})"
            )
        return self._blob(entry.sha)

    # -- listing -------------------------------------------------------------------------

    def list_files(self, glob: str | None = None) -> list[str]:
        """Files of the tree (tracked + untracked-not-ignored for the working tree), sorted."""
        if self.ref is not None:
            names = [n for n, e in self._tree.items() if e.kind == "blob"]
        else:
            out = run_git(self.root, "ls-files", "-co", "--exclude-standard", "-z")
            names = [n for n in out.decode("utf-8", "replace").split("\0") if n]
            # Tracked files deleted from the working tree and submodule directories are not files.
            names = [n for n in names if (self.root / n).is_file() or (self.root / n).is_symlink()]
        names = [n for n in names if n.split("/")[0] != STORE_FOLDER]
        matcher = glob_matcher(glob)
        if matcher is not None:
            names = [n for n in names if matcher.fullmatch(n)]
        return sorted(set(names))
