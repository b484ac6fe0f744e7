"""Why a fix cannot be applied, stated for the user."""

from __future__ import annotations

from deep_review.errors import DeepReviewError
from deep_review.model import FixStatus


class FixDoesNotApply(DeepReviewError):
    """The fix cannot be applied; ``status`` says how (stale, ambiguous, invalid)."""

    exit_code = 1

    def __init__(self, reason: str, status: FixStatus) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status: FixStatus = status


class FixAlreadyApplied(FixDoesNotApply):
    """The fix's result is already in the files: applying it again would change nothing."""

    exit_code = 0

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "stale")
