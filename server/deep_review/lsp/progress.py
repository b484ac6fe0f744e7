"""Per-reviewer progress: ``$/progress`` for the editor's spinner and a status summary."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from deep_review.events import (
    ReviewerFailed,
    ReviewerFinished,
    ReviewerRetrying,
    ReviewerStarted,
    ReviewEvent,
    StageStarted,
    TokensUsed,
    ToolCalled,
)

if TYPE_CHECKING:
    from deep_review.lsp.core import DeepReviewServer

TITLE = "Deep Review"
CREATE_WAIT_S = 5.0


@dataclass
class ReviewerProgress:
    """How one reviewer is doing right now."""

    name: str
    state: str = "running"
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    tool_calls: int = 0
    findings: int = 0
    output_tokens: int = 0
    error: str | None = None

    @property
    def elapsed_s(self) -> float:
        return round((self.finished or time.monotonic()) - self.started, 1)

    def label(self) -> str:
        """``claude: 3 tools, 12s`` / ``codex: done, 4 findings`` / ``gemini: failed``."""
        if self.state == "done":
            return f"{self.name}: done, {self.findings} findings"
        if self.state == "failed":
            return f"{self.name}: failed"
        if self.state == "retrying":
            return f"{self.name}: retrying"
        return f"{self.name}: {self.tool_calls} tools, {self.elapsed_s:.0f}s"

    def as_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "name": self.name,
            "state": self.state,
            "toolCalls": self.tool_calls,
            "elapsedS": self.elapsed_s,
            "findings": self.findings,
        }
        if self.error:
            status["error"] = self.error
        return status


class ReviewProgress:
    """Tracks a run's reviewers and reports them as work-done progress when the client can."""

    def __init__(self, ls: DeepReviewServer, on_cancel: Callable[[], None]) -> None:
        self._ls = ls
        self._on_cancel = on_cancel
        self.token: str | None = None
        self.stage = "change"
        self.reviewers: dict[str, ReviewerProgress] = {}

    async def begin(self) -> None:
        """Create a cancellable progress token (only when the client supports it) and begin."""
        if not self._ls.supports_progress:
            return
        token = f"deep-review/{uuid.uuid4()}"
        try:
            await asyncio.wait_for(self._ls.work_done_progress.create_async(token), CREATE_WAIT_S)
        except Exception as error:  # refused or unanswered: review without a progress bar
            self._ls.log(f"Progress unavailable: {error}", types.MessageType.Warning)
            return
        self.token = token
        self._ls.work_done_progress.tokens[token].add_done_callback(self._cancelled_by_client)
        self._ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=TITLE, cancellable=True, message="collecting the change", percentage=0
            ),
        )

    def _cancelled_by_client(self, future: Any) -> None:
        if future.cancelled():
            self._on_cancel()

    def update(self, event: ReviewEvent) -> None:
        """Fold one engine event into the per-reviewer table and report it."""
        if isinstance(event, StageStarted):
            self.stage = event.stage
        elif isinstance(event, ReviewerStarted):
            self.reviewers[event.reviewer] = ReviewerProgress(event.reviewer)
        elif isinstance(event, ToolCalled):
            self._reviewer(event.reviewer).tool_calls = event.total_calls
        elif isinstance(event, TokensUsed):
            self._reviewer(event.reviewer).output_tokens += event.output_tokens
        elif isinstance(event, ReviewerRetrying):
            self._reviewer(event.reviewer).state = "retrying"
        elif isinstance(event, ReviewerFinished):
            reviewer = self._reviewer(event.reviewer)
            reviewer.state, reviewer.finished = "done", time.monotonic()
            reviewer.findings = len(event.review.findings)
        elif isinstance(event, ReviewerFailed):
            reviewer = self._reviewer(event.reviewer)
            reviewer.state, reviewer.finished = "failed", time.monotonic()
            reviewer.error = event.error
        else:
            return
        self.report()

    def _reviewer(self, name: str) -> ReviewerProgress:
        if name not in self.reviewers:
            self.reviewers[name] = ReviewerProgress(name)
        reviewer = self.reviewers[name]
        if reviewer.state == "retrying":
            reviewer.state = "running"
        return reviewer

    def message(self) -> str:
        """One line: the stage, or each reviewer's status."""
        if self.stage in ("panel",) and self.reviewers:
            return " · ".join(reviewer.label() for reviewer in self.reviewers.values())
        stage_labels = {
            "change": "collecting the change",
            "panel": "starting reviewers",
            "reconcile": "reconciling findings",
            "verify": "verifying findings",
            "report": "writing the report",
            "store": "saving the review",
        }
        return stage_labels.get(self.stage, self.stage)

    def percentage(self) -> int:
        if self.stage in ("reconcile", "verify", "report", "store"):
            return 90
        if not self.reviewers:
            return 0
        done = sum(1 for r in self.reviewers.values() if r.state in ("done", "failed"))
        return int(80 * done / len(self.reviewers))

    def report(self) -> None:
        """Send the current state as ``$/progress`` report and ``deepReview/status``."""
        if self.token is not None:
            self._ls.work_done_progress.report(
                self.token,
                types.WorkDoneProgressReport(
                    message=self.message(), percentage=self.percentage(), cancellable=True
                ),
            )
        self._ls.send_status(state="running", stage=self.stage, reviewers=self.statuses())

    def statuses(self) -> list[dict[str, Any]]:
        return [reviewer.as_status() for reviewer in self.reviewers.values()]

    def end(self, message: str) -> None:
        """Close the progress bar (always called, whatever happened)."""
        if self.token is None:
            return
        self._ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self._ls.work_done_progress.tokens.pop(self.token, None)
        self.token = None
