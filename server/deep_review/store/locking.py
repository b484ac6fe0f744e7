"""One writer at a time in ``.deep-review/``: an advisory file lock (CLI and editor at once)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# In cache/, which the store's .gitignore already leaves out of the user's git status.
LOCK_PATH = ("cache", ".store.lock")


@contextmanager
def store_lock(store_root: Path) -> Iterator[None]:
    """Hold the store's exclusive lock (blocking) for a read-modify-write.

    ``flock`` locks belong to the open file, so two threads of one process exclude each other as
    two processes do. Not re-entrant: take it once per operation.
    """
    lock = store_root.joinpath(*LOCK_PATH)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
