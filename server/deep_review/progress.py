"""The state of a running review, folded from the engine's events; shown by the CLI and the LSP."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from deep_review.events import (
    Notice,
    ReviewerFailed,
    ReviewerFinished,
    ReviewerRetrying,
    ReviewerStarted,
    ReviewEvent,
    StageStarted,
    TokensUsed,
    ToolCalled,
)
from deep_review.wording import plural


def retry_detail(event: ReviewerRetrying) -> str:
    """``retrying in 2.0s: connection refused`` (the reason, or that none was given)."""
    return f"retrying in {event.delay_s:.1f}s: {event.reason or 'no reason given'}"


@dataclass
class ReviewerProgress:
    """How one reviewer is doing right now."""

    name: str
    model: str = ""
    state: str = "running"  # running | retrying | done | failed
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    findings: int = 0
    error: str | None = None
    detail: str = ""

    @property
    def elapsed_s(self) -> float:
        return round((self.finished or time.monotonic()) - self.started, 1)

    def label(self) -> str:
        """``claude: 3 tools, 12s`` / ``codex: done, 4 findings`` / ``gemini: failed``."""
        if self.state == "done":
            return f"{self.name}: done, {plural(self.findings, 'finding')}"
        if self.state == "failed":
            return f"{self.name}: failed"
        if self.state == "retrying":
            return f"{self.name}: retrying"
        return f"{self.name}: {plural(self.tool_calls, 'tool call')}, {self.elapsed_s:.0f}s"

    def as_status(self) -> dict[str, Any]:
        """The reviewer as the ``deepReview/status`` notification carries it."""
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


@dataclass
class PanelProgress:
    """Every reviewer's progress and the current stage."""

    stage: str = "change"
    stage_detail: str = ""
    reviewers: dict[str, ReviewerProgress] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def apply(self, event: ReviewEvent) -> bool:
        """Fold one event in; False when the event says nothing about progress."""
        if isinstance(event, StageStarted):
            self.stage, self.stage_detail = event.stage, event.detail
            if event.stage in ("report", "store"):
                self._finish_running()
        elif isinstance(event, Notice):
            self.notices.append(event.text)
        elif isinstance(event, ReviewerStarted):
            self.reviewers[event.reviewer] = ReviewerProgress(event.reviewer, event.model)
        elif isinstance(event, ToolCalled):
            self.reviewer(event.reviewer).tool_calls = event.total_calls
        elif isinstance(event, TokensUsed):  # running totals, not increments
            reviewer = self.reviewer(event.reviewer)
            reviewer.input_tokens, reviewer.output_tokens = event.input_tokens, event.output_tokens
        elif isinstance(event, ReviewerRetrying):
            reviewer = self.reviewer(event.reviewer)
            reviewer.state = "retrying"
            reviewer.detail = retry_detail(event)
        elif isinstance(event, ReviewerFinished):
            reviewer = self.reviewer(event.reviewer)
            reviewer.state, reviewer.finished, reviewer.detail = "done", time.monotonic(), ""
            reviewer.findings = len(event.review.findings)
        elif isinstance(event, ReviewerFailed):
            reviewer = self.reviewer(event.reviewer)
            reviewer.state, reviewer.finished = "failed", time.monotonic()
            reviewer.error = reviewer.detail = event.error
        else:
            return False
        return True

    def _finish_running(self) -> None:
        # The lead's seats announce a start but no finish: once the review is being saved,
        # nothing is running any more.
        now = time.monotonic()
        for reviewer in self.reviewers.values():
            if reviewer.state in ("running", "retrying"):
                reviewer.state, reviewer.finished, reviewer.detail = "done", now, ""

    def reviewer(self, name: str) -> ReviewerProgress:
        """The named reviewer's row (created if an event arrives before its start)."""
        if name not in self.reviewers:
            self.reviewers[name] = ReviewerProgress(name)
        reviewer = self.reviewers[name]
        if reviewer.state == "retrying":
            reviewer.state, reviewer.detail = "running", ""
        return reviewer
