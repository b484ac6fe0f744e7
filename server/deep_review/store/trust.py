"""What the store trusts: only files this machine's deep-review wrote — never a branch's files.

A reviewed branch can commit anything under ``.deep-review/``, for example a future-dated review
whose "fix" the user would then apply. So every file the store writes is sealed: an HMAC over
its path and bytes, with a key kept in the repository's git folder (which no branch can write),
stored under ``.deep-review/.seals/``. On reading, a file that git tracks, has no seal,
or whose seal does not match is ignored, with a notice saying why.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from deep_review.change.git import try_git
from deep_review.store.atomic import WriteFailed, atomic_write_text, ensure_folder, explain_os_error

log = logging.getLogger(__name__)

SEALS_DIR = ".seals"
KEY_FILE = "store.key"
MAX_TRUSTED_BYTES = 64 * 1024 * 1024  # no review is this big; a planted file may be


class StoreTrust:
    """Seals the files a store writes and checks them when it reads them back."""

    def __init__(self, repo_root: Path, store_root: Path) -> None:
        self.repo_root = repo_root
        self.store_root = store_root
        self.seals_root = store_root / SEALS_DIR
        self._key: bytes | None = None
        self._tracked: frozenset[str] | None = None
        self.ignored: dict[Path, str] = {}
        """Every file ignored so far, with the reason (each is also logged once)."""

    # -- key -----------------------------------------------------------------------------------

    def key_path(self) -> Path:
        """Where the sealing key lives: the git folder when there is one, else the user's."""
        common = try_git(self.repo_root, "rev-parse", "--git-common-dir")
        if common:
            return (self.repo_root / common).resolve() / "deep-review" / KEY_FILE
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(state) / "deep-review" / KEY_FILE

    def key(self) -> bytes:
        """The sealing key, created (private to the user) on first use."""
        if self._key is None:
            self._key = _read_or_create_key(self.key_path())
        return self._key

    def _existing_key(self) -> bytes | None:
        """The sealing key when there is one: reading never creates it (nor needs .git writable)."""
        if self._key is None:
            try:
                key = self.key_path().read_bytes()
            except OSError:
                return None
            self._key = key if len(key) >= 32 else None
        return self._key

    # -- sealing -------------------------------------------------------------------------------

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.store_root).as_posix()

    def _seal_path(self, path: Path) -> Path:
        # Named by a hash of the relative path: one flat folder, and no name taken from a file
        # (a reviewer called "../x" is already a safe file name; its seal never needs one).
        name = hashlib.sha256(self._relative(path).encode("utf-8")).hexdigest()[:40]
        return self.seals_root / f"{name}.mac"

    def _digest(self, key: bytes, path: Path, data: bytes) -> str:
        material = self._relative(path).encode("utf-8") + b"\0" + data
        return hmac.new(key, material, hashlib.sha256).hexdigest()

    def seal(self, path: Path, data: bytes) -> None:
        """Record that the store wrote ``data`` at ``path``."""
        atomic_write_text(self._seal_path(path), self._digest(self.key(), path, data) + "\n")

    def forget(self, path: Path) -> None:
        """Drop the seal of a file the store removed."""
        self._seal_path(path).unlink(missing_ok=True)

    # -- checking ------------------------------------------------------------------------------

    def tracked(self) -> frozenset[str]:
        """Store files git tracks (repository-relative POSIX paths), read once per store."""
        if self._tracked is None:
            listed = try_git(self.repo_root, "ls-files", "-z", "--", self.store_root.name)
            self._tracked = frozenset(p for p in (listed or "").split("\0") if p)
        return self._tracked

    def distrust(self, path: Path, data: bytes, *, require_seal: bool = True) -> str | None:
        """Why ``path`` (holding ``data``) must not be trusted; None when the store wrote it.

        ``require_seal=False`` accepts any untracked file (for files a user may have kept from
        an older deep-review, such as dismissals: no branch can plant an untracked file).
        """
        if f"{self.store_root.name}/{self._relative(path)}" in self.tracked():
            return (
                "it is committed to git, and a committed file can come from any branch;"
                " deep-review trusts only the files it wrote on this machine"
            )
        if not require_seal:
            return None
        try:
            recorded = self._seal_path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return "deep-review did not write it on this machine (it has no seal)"
        key = self._existing_key()
        if key is None:
            return "deep-review did not write it on this machine (there is no store key yet)"
        if not hmac.compare_digest(recorded, self._digest(key, path, data)):
            return "it changed after deep-review wrote it (its seal does not match)"
        return None

    def read(self, path: Path, *, require_seal: bool = True) -> bytes | None:
        """The bytes of a store file the store itself wrote; None (with a notice) otherwise."""
        try:
            if path.stat().st_size > MAX_TRUSTED_BYTES:
                self._ignore(path, f"it is larger than {MAX_TRUSTED_BYTES} bytes")
                return None
            data = path.read_bytes()
        except OSError as error:
            self._ignore(path, f"unreadable ({error.strerror or error})")
            return None
        reason = self.distrust(path, data, require_seal=require_seal)
        if reason is not None:
            self._ignore(path, reason)
            return None
        return data

    def _ignore(self, path: Path, reason: str) -> None:
        if path not in self.ignored:
            self.ignored[path] = reason
            log.warning("ignoring %s: %s", path, reason)


def _read_or_create_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError as error:
        raise WriteFailed(explain_os_error("read the store key", path, error)) from error
    if len(key) >= 32:
        return key
    ensure_folder(path.parent)
    fresh = secrets.token_bytes(32)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(fresh)
        if key:  # a damaged key: replace it (what it sealed can no longer be trusted anyway)
            os.replace(temp, path)
            return fresh
        try:
            os.link(temp, path)  # fails when another process created the key first
        except FileExistsError:
            return path.read_bytes()
        return fresh
    except OSError as error:
        raise WriteFailed(explain_os_error("create the store key", path, error)) from error
    finally:
        temp.unlink(missing_ok=True)
