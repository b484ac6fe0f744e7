"""``.deep-review/``: saved reviews and reports, raw agent reviews, the cache, dismissals."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from deep_review.errors import DeepReviewError
from deep_review.model import AgentReview, Finding, Review
from deep_review.store.atomic import atomic_write_text
from deep_review.store.fingerprint import finding_fingerprint

log = logging.getLogger(__name__)

STORE_DIR = ".deep-review"
SCHEMA_VERSION = 1
DEFAULT_FORMATS = ("json", "md", "html")
# Reviews are worth keeping (and committing, if the team wants); cache and raw runs are not.
GITIGNORE = (
    "# Written by deep-review: reviews/ and dismissals.json are yours to keep.\ncache/\nagents/\n"
)


class StoreOutsideRepository(DeepReviewError):
    """``.deep-review/`` (or a folder in it) leads outside the repository."""


class StoreVersionError(DeepReviewError):
    """A stored file was written by a newer deep-review."""


class Dismissal(BaseModel):
    fingerprint: str
    finding_id: str = ""
    title: str = ""
    path: str = ""
    reason: str = ""
    dismissed_at: datetime
    # Added for rounds: enough of the finding to know it again when reworded.
    body: str = ""
    evidence: str = ""
    start_line: int = 0
    end_line: int = 0
    severity: str = ""
    head_sha: str = ""


class Dismissals(BaseModel):
    schema_version: int = SCHEMA_VERSION
    dismissals: list[Dismissal] = Field(default_factory=list)


def cache_key(base_sha: str, head_sha: str, diff_hash: str) -> str:
    """The cache file name for one reviewed state: base, head and the exact diff."""
    return hashlib.sha256(f"{base_sha}\0{head_sha}\0{diff_hash}".encode()).hexdigest()[:40]


def _stamp(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else moment.strftime("%Y%m%d-%H%M%S")


class ReviewStore:
    """The review store of one repository (``<repo_root>/.deep-review``)."""

    def __init__(self, repo_root: Path) -> None:
        self.repo_root = repo_root
        self.root = repo_root / STORE_DIR
        self.reviews_dir = self.root / "reviews"
        self.agents_dir = self.root / "agents"
        self.cache_dir = self.root / "cache"
        self.dismissals_path = self.root / "dismissals.json"

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
        self.root.mkdir(parents=True, exist_ok=True)
        self.check_location()

    def check_location(self) -> None:
        """Raise ``StoreOutsideRepository`` when a store folder is a link out of the repository."""
        for folder in (self.root, self.reviews_dir, self.agents_dir, self.cache_dir):
            self._check_inside(folder)
        gitignore = self.root / ".gitignore"
        if not gitignore.exists():
            atomic_write_text(gitignore, GITIGNORE)

    # -- reviews -------------------------------------------------------------------------------

    def save_review(
        self, review: Review, formats: Iterable[str] = DEFAULT_FORMATS
    ) -> dict[str, Path]:
        """Write the review (always as JSON) and its reports; cache it by base/head/diff."""
        # Imported here: the report package itself uses the store's helpers.
        from deep_review.report.build import review_stem
        from deep_review.report.files import write_at_stem

        self._ensure_root()
        wanted = ["json", *(fmt for fmt in formats if fmt != "json")]
        paths = write_at_stem(review, self.reviews_dir / review_stem(review), wanted)
        if review.header.head_sha and review.header.diff_hash:
            self.cache_review(review)
        return paths

    def _review_files(self) -> list[Path]:
        if not self.reviews_dir.is_dir():
            return []
        # Names start with YYYYMMDD-HHMMSS, so name order is time order.
        return sorted(self.reviews_dir.glob("*.json"), key=lambda p: (p.name, p.stat().st_mtime))

    def reviews(self) -> list[Review]:
        """Every readable saved review, oldest first (corrupt files skipped with a warning)."""
        loaded = (self._load_review(path) for path in self._review_files())
        return [review for review in loaded if review is not None]

    def latest_review(self, branch: str | None = None) -> Review | None:
        """The newest readable saved review (of ``branch`` when given), or None."""
        for path in reversed(self._review_files()):
            review = self._load_review(path)
            if review is not None and (branch is None or review.header.branch == branch):
                return review
        return None

    def latest_paths(self) -> dict[str, Path]:
        """The report files of the newest readable review, by format."""
        from deep_review.report.files import SUFFIXES

        for path in reversed(self._review_files()):
            if self._load_review(path) is None:
                continue
            stem = path.with_suffix("")
            return {
                fmt: stem.parent / f"{stem.name}{suffix}"
                for fmt, suffix in SUFFIXES.items()
                if (stem.parent / f"{stem.name}{suffix}").is_file()
            }
        return {}

    def next_round_number(self, branch: str | None) -> int:
        """One more than the highest round saved for this branch (1 for a first review)."""
        rounds = [r.header.round for r in self.reviews() if r.header.branch == branch]
        return max(rounds, default=0) + 1

    def _load_review(self, path: Path) -> Review | None:
        data = self._load_json(path)
        if data is None:
            return None
        try:
            return Review.model_validate(data)
        except ValidationError as error:
            log.warning("skipping %s: not a valid review (%s)", path, error.error_count())
            return None

    def _load_json(self, path: Path) -> Any | None:
        """Parsed JSON, or None (with a warning) when unreadable; newer schema → error."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            log.warning("skipping %s: unreadable (%s)", path, error)
            return None
        version = data.get("schema_version", 1) if isinstance(data, dict) else 1
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} was written by a newer deep-review (schema {version}, this one reads "
                f"{SCHEMA_VERSION}): upgrade deep-review to read it"
            )
        return data

    # -- raw agent reviews ---------------------------------------------------------------------

    def save_agent_reviews(
        self, agent_reviews: Sequence[AgentReview], stamp: datetime | str
    ) -> list[Path]:
        """Keep each reviewer's own review under ``agents/<stamp>/<reviewer>.json``."""
        self._ensure_root()
        folder = self.agents_dir / _stamp(stamp)
        return [
            atomic_write_text(
                folder / f"{_safe_name(agent.reviewer)}.json", agent.model_dump_json(indent=2)
            )
            for agent in agent_reviews
        ]

    def agent_reviews(self, stamp: datetime | str) -> list[AgentReview]:
        """The raw agent reviews saved under one stamp (corrupt files skipped)."""
        folder = self.agents_dir / _stamp(stamp)
        found: list[AgentReview] = []
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            data = self._load_json(path)
            try:
                found.append(AgentReview.model_validate(data))
            except ValidationError:
                log.warning("skipping %s: not a valid agent review", path)
        return found

    # -- cache ---------------------------------------------------------------------------------

    def cache_review(self, review: Review) -> Path:
        """Remember the review for its exact base, head and diff."""
        self._ensure_root()
        header = review.header
        key = cache_key(header.base_sha, header.head_sha, header.diff_hash)
        return atomic_write_text(self.cache_dir / f"{key}.json", review.model_dump_json(indent=2))

    def cached_review(self, base_sha: str, head_sha: str, diff_hash: str) -> Review | None:
        """The review of exactly this state, or None."""
        path = self.cache_dir / f"{cache_key(base_sha, head_sha, diff_hash)}.json"
        if not path.is_file():
            return None
        review = self._load_review(path)
        if review is None:
            return None
        header = review.header
        if (header.base_sha, header.head_sha, header.diff_hash) != (base_sha, head_sha, diff_hash):
            return None
        return review

    # -- dismissals ----------------------------------------------------------------------------

    def _dismissals(self, *, preserve_corrupt: bool = False) -> Dismissals:
        """The dismissals file (read under the store lock; a corrupt one is set aside)."""
        from deep_review.store.dismissals import as_dismissals_model, read_dismissals

        return as_dismissals_model(read_dismissals(self).dismissals)

    def dismiss(self, finding: Finding, reason: str = "") -> Dismissal:
        """Remember that the user dismissed this finding, across line shifts and rounds."""
        from deep_review.store.dismissals import add_dismissal

        return add_dismissal(self, finding, reason)[0]

    def undismiss(self, finding: Finding) -> bool:
        """Forget a dismissal; True when there was one."""
        from deep_review.store.dismissals import remove_dismissal

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


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return cleaned or "reviewer"
