"""``dismissals.json`` under the store lock: safe with two writers, never loses a corrupt file."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from deep_review.model import Finding
from deep_review.store.atomic import atomic_write_text
from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.locking import store_lock
from deep_review.store.records import SCHEMA_VERSION, Dismissal, Dismissals, StoreVersionError
from deep_review.store.trust import StoreTrust


class ReviewStore(Protocol):
    """What dismissals need of the store (``store.ReviewStore``): its folder, file and seals."""

    root: Path
    dismissals_path: Path
    trust: StoreTrust

    def _ensure_root(self) -> None: ...


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DismissalsRead:
    """The dismissals, and where an unreadable file was set aside (None when it was fine)."""

    dismissals: list[Dismissal]
    set_aside: Path | None = None

    @property
    def problem(self) -> str | None:
        """What the user must be told when the file was unreadable."""
        if self.set_aside is None:
            return None
        return (
            f"dismissals.json was unreadable; it was kept as {self.set_aside.name} and no"
            " dismissals were applied (fix or merge it back by hand)"
        )


def _set_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    aside = path.with_name(f"dismissals.corrupt-{stamp}.json")
    os.replace(path, aside)
    log.warning("moved the unreadable dismissals file to %s", aside)
    return aside


def _read_unlocked(store: ReviewStore) -> DismissalsRead:
    path = store.dismissals_path
    if not path.is_file():
        return DismissalsRead([])
    try:
        raw = path.read_bytes()
    except OSError:
        return DismissalsRead([], _set_aside(path))
    distrusted = store.trust.distrust(path, raw, require_seal=False)
    if distrusted is not None:
        # A committed dismissals file could silence findings on any branch: never applied.
        log.warning("ignoring %s: %s", path, distrusted)
        return DismissalsRead([])
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return DismissalsRead([], _set_aside(path))
    version = data.get("schema_version", 1) if isinstance(data, dict) else 1
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} was written by a newer deep-review (schema {version}): upgrade to read it"
        )
    try:
        return DismissalsRead(list(Dismissals.model_validate(data).dismissals))
    except ValidationError:
        return DismissalsRead([], _set_aside(path))


def _write_unlocked(store: ReviewStore, dismissals: list[Dismissal]) -> None:
    atomic_write_text(
        store.dismissals_path, Dismissals(dismissals=dismissals).model_dump_json(indent=2)
    )


def read_dismissals(store: ReviewStore) -> DismissalsRead:
    """Every dismissal (a corrupt file is set aside under the lock, and said so)."""
    if not store.dismissals_path.is_file():
        return DismissalsRead([])
    with store_lock(store.root):
        return _read_unlocked(store)


def make_dismissal(finding: Finding, reason: str, head_sha: str = "") -> Dismissal:
    """The record of one dismissal: enough of the finding to know it again when reworded."""
    return Dismissal(
        fingerprint=finding_fingerprint(finding),
        finding_id=str(getattr(finding, "id", "")),
        title=finding.title,
        path=finding.path,
        reason=reason,
        dismissed_at=datetime.now(UTC),
        body=finding.body,
        evidence=finding.evidence,
        start_line=finding.start_line,
        end_line=finding.end_line,
        severity=finding.severity,
        head_sha=head_sha,
    )


def add_dismissal(
    store: ReviewStore, finding: Finding, reason: str = "", head_sha: str = ""
) -> tuple[Dismissal, DismissalsRead]:
    """Record a dismissal (replacing one of the same fingerprint), atomically under the lock."""
    store._ensure_root()
    dismissal = make_dismissal(finding, reason, head_sha)
    with store_lock(store.root):
        current = _read_unlocked(store)
        kept = [d for d in current.dismissals if d.fingerprint != dismissal.fingerprint]
        _write_unlocked(store, [*kept, dismissal])
    return dismissal, current


def remove_dismissal(store: ReviewStore, key: str) -> Dismissal | None:
    """Forget the dismissal whose fingerprint or finding ID is ``key`` (newest first)."""
    if not store.dismissals_path.is_file():
        return None
    with store_lock(store.root):
        current = _read_unlocked(store)
        wanted = key.strip()
        for dismissal in reversed(current.dismissals):
            if dismissal.fingerprint == wanted or dismissal.finding_id.upper() == wanted.upper():
                _write_unlocked(store, [d for d in current.dismissals if d is not dismissal])
                return dismissal
    return None


def as_dismissals_model(dismissals: list[Dismissal]) -> Dismissals:
    """The file's model around a list (for callers of the older ReviewStore API)."""
    return Dismissals(dismissals=dismissals)
