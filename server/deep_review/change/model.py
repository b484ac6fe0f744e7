"""What is reviewed: the change between the base and the reviewed tree, as data."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from deep_review.model import CommitInfo, ExcludedFile

FileStatus = Literal[
    "added", "modified", "deleted", "renamed", "copied", "mode-changed", "type-changed"
]


class Hunk(BaseModel):
    """One ``@@`` hunk; line numbers as in the unified diff."""

    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    section: str = ""
    text: str = Field(description="The hunk as unified-diff text, starting with its @@ line.")
    added_lines: list[int] = Field(
        default_factory=list, description="Line numbers in the new file that the hunk adds."
    )


class ChangedFile(BaseModel):
    path: str = Field(description="Repository-relative POSIX path in the reviewed tree.")
    old_path: str | None = None
    status: FileStatus
    similarity: int | None = Field(default=None, description="Renames and copies, in percent.")
    old_mode: str | None = None
    new_mode: str | None = None
    is_binary: bool = False
    is_symlink: bool = False
    is_submodule: bool = False
    size_bytes: int = 0
    added: int = 0
    removed: int = 0
    hunks: list[Hunk] = Field(default_factory=list)
    patch: str = Field(default="", description="This file's unified diff.")
    text: str | None = Field(
        default=None, description="The reviewed version's text (None: deleted, binary, excluded)."
    )
    not_utf8: bool = Field(default=False, description="Decoded with replacement characters.")
    crlf: bool = False
    excluded: str | None = Field(default=None, description="Why it is left out of the review.")

    def changed_lines(self) -> set[int]:
        """New-file line numbers this change adds or modifies."""
        return {line for hunk in self.hunks for line in hunk.added_lines}


class Change(BaseModel):
    repo_root: str
    base_ref: str
    base_sha: str
    base_resolution: str = Field(default="", description="How the base was found.")
    head_sha: str
    branch: str | None = None
    detached: bool = False
    include_uncommitted: bool = True
    commits: list[CommitInfo] = Field(default_factory=list)
    files: list[ChangedFile] = Field(default_factory=list)
    excluded: list[ExcludedFile] = Field(default_factory=list)
    remote_url: str | None = None
    repo_slug: str | None = Field(default=None, description="owner/name for GitHub/GitLab remotes.")
    diff_hash: str = ""
    notes: list[str] = Field(default_factory=list)

    def file(self, path: str) -> ChangedFile | None:
        for changed in self.files:
            if changed.path == path:
                return changed
        return None

    @property
    def reviewed_files(self) -> list[ChangedFile]:
        return [f for f in self.files if f.excluded is None]

    def diff_text(self) -> str:
        """The unified diff of every reviewed file, in path order."""
        return "".join(f.patch for f in self.reviewed_files)
