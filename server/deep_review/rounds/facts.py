"""What git says happened since the prior round: the facts the pure classification reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from deep_review.rounds.mapping import LineHunk


@dataclass(frozen=True)
class FileFacts:
    """One file a prior finding points at: its text then and now, and the diff between."""

    path: str
    current_path: str | None
    """Where the file is now (a rename follows it); None when it was deleted."""
    old_text: str | None
    new_text: str | None
    hunks: tuple[LineHunk, ...] = ()


@dataclass(frozen=True)
class CommitFacts:
    """One commit since the prior round: its message and the lines it removed and added."""

    sha: str
    subject: str
    body: str = ""
    removed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    added: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    deleted_paths: frozenset[str] = frozenset()

    @property
    def message(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass(frozen=True)
class RoundFacts:
    """The git facts between the prior round's head and the reviewed tree."""

    prior_head: str
    head: str
    files: Mapping[str, FileFacts] = field(default_factory=dict)
    commits: tuple[CommitFacts, ...] = ()
    prior_head_known: bool = True
    """False when the prior head is gone from the repository (gc'd after a rebase)."""

    def file(self, path: str) -> FileFacts | None:
        return self.files.get(path)
