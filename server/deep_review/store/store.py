"""``.deep-review/``: saved reviews and reports, raw agent reviews, the cache, dismissals."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from deep_review.errors import DeepReviewError
from deep_review.model import AgentReview, Finding, Review
from deep_review.store.atomic import (
    WriteFailed,
    atomic_write_bytes,
    create_exclusive_bytes,
    ensure_folder,
)
from deep_review.store.dismissals import (
    add_dismissal,
    as_dismissals_model,
    read_dismissals,
    remove_dismissal,
)
from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.gitexclude import exclude_from_git
from deep_review.store.names import SUFFIXES, ReportRenderer, review_json, review_stem
from deep_review.store.records import SCHEMA_VERSION as SCHEMA_VERSION
from deep_review.store.records import Dismissal as Dismissal
from deep_review.store.records import Dismissals as Dismissals
from deep_review.store.records import StoreVersionError as StoreVersionError
from deep_review.store.trust import StoreTrust

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)

STORE_DIR = ".deep-review"
# Nothing in the store is meant for commits: a committed review is untrusted (see trust.py).
# ``info/exclude`` keeps the folder out of ``git status``; this file does where .git is not ours.
GITIGNORE = "# Written by deep-review: its files are local to this clone, never committed.\n*\n"
# Two reviews of one branch in the same second: the second is saved as ``<stem>+2``.
SEQUENCE_MARK = "+"
_SEQUENCE = re.compile(r"\+(\d+)$")
_CACHE_KEY = re.compile(r"^[0-9a-f]{16,128}$")
# Deeper JSON than this is not a review; Python's parser would hit its recursion limit.
MAX_JSON_DEPTH = 200


class StoreOutsideRepository(DeepReviewError):
    """``.deep-review/`` (or a folder in it) leads outside the repository."""


def _no_reports(review: Review) -> dict[str, str]:
    return {}


def cache_key(base_sha: str, head_sha: str, diff_hash: str) -> str:
    """The cache file name for one reviewed state: base, head and the exact diff."""
    return hashlib.sha256(f"{base_sha}\0{head_sha}\0{diff_hash}".encode()).hexdigest()[:40]


def _stamp(moment: datetime | str) -> str:
    """``YYYYMMDD-HHMMSS`` (plus ``-ffffff`` microseconds when not zero: runs never collide)."""
    if isinstance(moment, str):
        return moment
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{moment.microsecond:06d}" if moment.microsecond else stamp


def _review_order(path: Path) -> tuple[str, int, str]:
    """Time order of saved reviews: the stamp, then the same-second sequence number."""
    match = _SEQUENCE.search(path.stem)
    return (path.name[:15], int(match.group(1)) if match else 1, path.name)


class ReviewStore:
    """The review store of one repository (``<repo_root>/.deep-review``).

    Everything it reads back is checked first (``trust.StoreTrust``): files it did not write on
    this machine — committed ones, planted ones, edited ones — are ignored with a notice.
    """

    def __init__(self, repo_root: Path) -> None:
        self.repo_root = repo_root
        self.root = repo_root / STORE_DIR
        self.reviews_dir = self.root / "reviews"
        self.agents_dir = self.root / "agents"
        self.cache_dir = self.root / "cache"
        self.dismissals_path = self.root / "dismissals.json"
        self.trust = StoreTrust(repo_root, self.root)
        self._excluded = False

    @property
    def ignored(self) -> dict[Path, str]:
        """Store files ignored because the store did not write them, with the reason."""
        return self.trust.ignored

    # -- layout --------------------------------------------------------------------------------

    def _check_inside(self, folder: Path) -> None:
        """Refuse a store folder that a (committed) symlink points outside the repository."""
        if not folder.is_symlink() and not folder.exists():
            return
        target = folder.resolve()
        if not target.is_relative_to(self.repo_root.resolve()):
            raise StoreOutsideRepository(
                f"{folder} is a link to {target}, outside the repository; refusing to write"
                " reviews there (remove the link or make it a folder)."
            )

    def _ensure_root(self) -> None:
        self._check_inside(self.root)
        ensure_folder(self.root)
        self.check_location()

    def check_location(self) -> None:
        """Check, before any model call, that reviews can be saved here; prepare the folder.

        Raises ``StoreOutsideRepository`` when a store folder is a link out of the repository
        and ``WriteFailed`` when a file stands where a store folder belongs.
        """
        for folder in (self.root, self.reviews_dir, self.agents_dir, self.cache_dir):
            self._check_inside(folder)
            if folder.exists() and not folder.is_dir():
                raise WriteFailed(
                    f"{folder} is a file, not a folder: deep-review keeps its reviews there;"
                    " move the file away and run again"
                )
        ensure_folder(self.root)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            atomic_write_bytes(gitignore, GITIGNORE.encode())
        if not self._excluded:
            exclude_from_git(self.repo_root, STORE_DIR)
            self._excluded = True

    # -- trusted reading and sealed writing ----------------------------------------------------

    def _write_sealed(self, path: Path, text: str) -> Path:
        data = text.encode("utf-8")
        atomic_write_bytes(path, data)
        self.trust.seal(path, data)
        return path

    def _load_json(self, path: Path, *, require_seal: bool = True) -> Any | None:
        """Parsed JSON of a file the store wrote, or None (with a warning); newer schema → error."""
        data = self.trust.read(path, require_seal=require_seal)
        if data is None:
            return None
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            reason = "nested too deeply" if isinstance(error, RecursionError) else error
            log.warning("skipping %s: unreadable (%s)", path, reason)
            return None
        if _depth_exceeds(parsed, MAX_JSON_DEPTH):
            log.warning("skipping %s: unreadable (nested too deeply)", path)
            return None
        version = parsed.get("schema_version", 1) if isinstance(parsed, dict) else 1
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} was written by a newer deep-review (schema {version}, this one reads "
                f"{SCHEMA_VERSION}): upgrade deep-review to read it"
            )
        return parsed

    def _load_model(self, path: Path, model: type[ModelT]) -> ModelT | None:
        data = self._load_json(path)
        if data is None:
            return None
        try:
            return model.model_validate(data)
        except (ValidationError, RecursionError) as error:
            count = error.error_count() if isinstance(error, ValidationError) else "too deep"
            log.warning("skipping %s: not a valid %s (%s)", path, _label(model), count)
            return None

    # -- reviews -------------------------------------------------------------------------------

    def save_review(
        self, review: Review, render_reports: ReportRenderer | None = None
    ) -> dict[str, Path]:
        """Write the review (always as JSON) and its reports; cache it by base/head/diff.

        Saving the same review again (same date and subject) rewrites its files; a different
        review made in the same second gets its own name (``<stem>+2``), never overwriting.
        """
        self._ensure_root()
        ensure_folder(self.reviews_dir)
        # Every text is rendered before any file is written.
        reports = {fmt: text for fmt, text in (render_reports or _no_reports)(review).items()}
        others = [fmt for fmt in reports if fmt != "json"]
        texts = {"json": review_json(review), **{fmt: reports[fmt] for fmt in others}}
        stem = self._claim_stem(review, texts["json"].encode("utf-8"))
        paths = {"json": stem.with_name(f"{stem.name}.json")}
        for fmt in others:
            paths[fmt] = self._write_sealed(
                stem.with_name(f"{stem.name}{SUFFIXES[fmt]}"), texts[fmt]
            )
        if review.header.head_sha and review.header.diff_hash:
            self.cache_review(review)
        return paths

    def stem_of(self, review: Review) -> Path:
        """Where this review is (or would be) saved: ``reviews/<stem>``, without a suffix."""
        base = review_stem(review)
        for sequence in range(1, 1000):
            stem = self.reviews_dir / _sequenced(base, sequence)
            path = stem.with_name(f"{stem.name}.json")
            if not (path.exists() or path.is_symlink()) or self._holds(path, review):
                return stem
        return self.reviews_dir / base

    def _claim_stem(self, review: Review, data: bytes) -> Path:
        """Write the review's JSON under a name no other review holds; its stem."""
        base = review_stem(review)
        for sequence in range(1, 1000):
            stem = self.reviews_dir / _sequenced(base, sequence)
            path = stem.with_name(f"{stem.name}.json")
            if path.exists() or path.is_symlink():
                if self._holds(path, review):
                    atomic_write_bytes(path, data)
                    self.trust.seal(path, data)
                    return stem
                continue
            if create_exclusive_bytes(path, data):
                self.trust.seal(path, data)
                return stem
        raise WriteFailed(f"{self.reviews_dir}: too many reviews saved under {base}")

    def _holds(self, path: Path, review: Review) -> bool:
        """Whether ``path`` is this same review saved earlier (same date and subject)."""
        saved = self._load_model(path, Review)
        if saved is None:
            return False
        mine, theirs = review.header, saved.header
        return (mine.date, mine.branch, mine.pr_number) == (
            theirs.date,
            theirs.branch,
            theirs.pr_number,
        )

    def _review_files(self) -> list[Path]:
        if not self.reviews_dir.is_dir():
            return []
        return sorted(self.reviews_dir.glob("*.json"), key=_review_order)

    def reviews(self) -> list[Review]:
        """Every trusted saved review, oldest first (others skipped with a warning)."""
        loaded = (self._load_model(path, Review) for path in self._review_files())
        return [review for review in loaded if review is not None]

    def latest_review(self, branch: str | None = None) -> Review | None:
        """The newest trusted saved review (of ``branch`` when given), or None."""
        for path in reversed(self._review_files()):
            review = self._load_model(path, Review)
            if review is not None and (branch is None or review.header.branch == branch):
                return review
        return None

    def latest_paths(self) -> dict[str, Path]:
        """The report files of the newest trusted review, by format (only files it wrote)."""
        for path in reversed(self._review_files()):
            if self._load_model(path, Review) is None:
                continue
            stem = path.with_suffix("")
            found = {
                fmt: stem.with_name(f"{stem.name}{suffix}") for fmt, suffix in SUFFIXES.items()
            }
            return {
                fmt: report
                for fmt, report in found.items()
                if report.is_file() and self.trust.read(report) is not None
            }
        return {}

    def next_round_number(self, branch: str | None) -> int:
        """One more than the highest round saved for this branch (1 for a first review)."""
        rounds = [r.header.round for r in self.reviews() if r.header.branch == branch]
        return max(rounds, default=0) + 1

    # -- raw agent reviews ---------------------------------------------------------------------

    def save_agent_reviews(
        self, agent_reviews: Sequence[AgentReview], stamp: datetime | str
    ) -> list[Path]:
        """Keep each reviewer's own review under ``agents/<stamp>/<reviewer>.json``."""
        self._ensure_root()
        folder = self.agents_dir / _stamp(stamp)
        return [
            self._write_sealed(
                folder / f"{_safe_name(agent.reviewer)}.json", agent.model_dump_json(indent=2)
            )
            for agent in agent_reviews
        ]

    def agent_reviews(self, stamp: datetime | str) -> list[AgentReview]:
        """The raw agent reviews saved under one stamp (untrusted or corrupt files skipped)."""
        folder = self.agents_dir / _stamp(stamp)
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
        loaded = (self._load_model(path, AgentReview) for path in paths)
        return [agent for agent in loaded if agent is not None]

    # -- cache ---------------------------------------------------------------------------------

    def cache_review(self, review: Review) -> Path:
        """Remember the review as the last one of its exact base, head and diff."""
        self._ensure_root()
        header = review.header
        key = cache_key(header.base_sha, header.head_sha, header.diff_hash)
        return self._write_sealed(self.cache_dir / f"{key}.json", review.model_dump_json(indent=2))

    def cached_review(self, base_sha: str, head_sha: str, diff_hash: str) -> Review | None:
        """The last review saved of exactly this state (whatever panel made it), or None.

        For showing what was last said about a state; a new review run uses the panel-aware
        ``reconciled_review(key)`` instead, so it never stands in for a different panel.
        """
        path = self.cache_dir / f"{cache_key(base_sha, head_sha, diff_hash)}.json"
        if not path.is_file():
            return None
        review = self._load_model(path, Review)
        if review is None:
            return None
        header = review.header
        if (header.base_sha, header.head_sha, header.diff_hash) != (base_sha, head_sha, diff_hash):
            return None
        return review

    def _keyed_path(self, kind: str, key: str) -> Path:
        if not _CACHE_KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.cache_dir / kind / f"{key}.json"

    def cache_agent_review(self, key: str, agent: AgentReview) -> Path:
        """Remember one reviewer's completed review under its key (the change and its settings)."""
        self._ensure_root()
        return self._write_sealed(self._keyed_path("agents", key), agent.model_dump_json(indent=2))

    def cached_agent_review(self, key: str) -> AgentReview | None:
        """The reviewer's review saved under ``key``, or None."""
        path = self._keyed_path("agents", key)
        return self._load_model(path, AgentReview) if path.is_file() else None

    def cache_reconciled(self, key: str, review: Review) -> Path:
        """Remember the reconciled review of one panel under its key."""
        self._ensure_root()
        return self._write_sealed(
            self._keyed_path("reviews", key), review.model_dump_json(indent=2)
        )

    def reconciled_review(self, key: str) -> Review | None:
        """The reconciled review saved under ``key`` (same change, panel and lead), or None."""
        path = self._keyed_path("reviews", key)
        return self._load_model(path, Review) if path.is_file() else None

    # -- dismissals ----------------------------------------------------------------------------

    def _dismissals(self, *, preserve_corrupt: bool = False) -> Dismissals:
        """The dismissals file (read under the store lock; a corrupt one is set aside)."""
        return as_dismissals_model(read_dismissals(self).dismissals)

    def dismiss(self, finding: Finding, reason: str = "") -> Dismissal:
        """Remember that the user dismissed this finding, across line shifts and rounds."""
        return add_dismissal(self, finding, reason)[0]

    def undismiss(self, finding: Finding) -> bool:
        """Forget a dismissal; True when there was one."""
        return remove_dismissal(self, finding_fingerprint(finding)) is not None

    def dismissals(self) -> list[Dismissal]:
        """Every recorded dismissal."""
        return list(self._dismissals().dismissals)

    def dismissed_fingerprints(self) -> set[str]:
        """Fingerprints of every dismissed finding."""
        return {d.fingerprint for d in self._dismissals().dismissals}

    def is_dismissed(self, finding: Finding) -> bool:
        """Whether the user dismissed this finding (in this or an earlier round)."""
        return finding_fingerprint(finding) in self.dismissed_fingerprints()


def _sequenced(base: str, sequence: int) -> str:
    return base if sequence == 1 else f"{base}{SEQUENCE_MARK}{sequence}"


def _label(model: type[BaseModel]) -> str:
    return "review" if model is Review else "agent review" if model is AgentReview else "file"


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iteratively: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return cleaned or "reviewer"
