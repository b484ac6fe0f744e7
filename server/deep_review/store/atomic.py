"""Atomic file writes (a reader never sees half a report), with failures stated for the user."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from deep_review.errors import DeepReviewError


class WriteFailed(DeepReviewError):
    """A file or folder could not be written: a full disk, a file in the way, no permission."""


def explain_os_error(action: str, path: Path, error: OSError) -> str:
    """One sentence a user can act on, for an ``OSError`` met while writing ``path``."""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"could not {action} {path}: no space left on the device (or quota exceeded);"
            " nothing partial was left behind — free some space and run again"
        )
    if error.errno == errno.EFBIG:
        return f"could not {action} {path}: the file is larger than this system allows"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"could not {action} {path}: permission denied"
    if error.errno == errno.EROFS:
        return f"could not {action} {path}: the file system is read-only"
    reason = error.strerror or type(error).__name__
    return f"could not {action} {path}: {reason}"


def ensure_folder(folder: Path) -> Path:
    """``folder`` created (with its parents); a file in the way is a clear error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        blocker = _file_in_the_way(folder)
        raise WriteFailed(
            f"{blocker} is a file, not a folder: deep-review keeps its reviews there;"
            " move the file away and run again"
        ) from error
    except OSError as error:
        raise WriteFailed(explain_os_error("create the folder", folder, error)) from error
    return folder


def _file_in_the_way(folder: Path) -> Path:
    """The first component of ``folder`` that exists and is not a folder."""
    for candidate in [*reversed(folder.parents), folder]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return folder


def _write_temp(path: Path, data: bytes) -> str:
    """A fully written, flushed temp file beside ``path`` (0644); its name."""
    ensure_folder(path.parent)
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise WriteFailed(explain_os_error("write", path, error)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp_name, 0o644)  # mkstemp makes 0600; reports are meant to be shared
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        raise WriteFailed(explain_os_error("write", path, error)) from error
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return temp_name


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temp file beside ``path``, then rename it over ``path``."""
    temp_name = _write_temp(path, data)
    try:
        os.replace(temp_name, path)
    except OSError as error:
        Path(temp_name).unlink(missing_ok=True)
        if path.is_dir():
            raise WriteFailed(
                f"{path} is a folder, not a file: move it away and run again"
            ) from error
        raise WriteFailed(explain_os_error("write", path, error)) from error
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` line ends) atomically to ``path``."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def create_exclusive_bytes(path: Path, data: bytes) -> bool:
    """Write ``path`` complete and at once unless it exists; False when the name was taken.

    The content is written to a temp file first and then hard-linked to its name: linking
    fails when the name exists, so two writers can never both claim it, and a reader sees
    either no file or the whole file.
    """
    temp_name = _write_temp(path, data)
    try:
        os.link(temp_name, path)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise WriteFailed(explain_os_error("write", path, error)) from error
        return _create_exclusive_without_links(path, data)
    finally:
        Path(temp_name).unlink(missing_ok=True)
    return True


def _create_exclusive_without_links(path: Path, data: bytes) -> bool:
    # File systems without hard links (FAT, some network shares): claim the name with
    # O_EXCL and write in place; a reader may briefly see a partial file and skip it.
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    except OSError as error:
        raise WriteFailed(explain_os_error("write", path, error)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise WriteFailed(explain_os_error("write", path, error)) from error
    return True
