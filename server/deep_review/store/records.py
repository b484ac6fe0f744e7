"""The store's own file shapes (dismissals) and schema version, below both store and dismissals."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from deep_review.errors import DeepReviewError

SCHEMA_VERSION = 1


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
