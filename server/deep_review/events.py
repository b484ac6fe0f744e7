"""Progress events: one stream from the engine to whoever shows progress (CLI, language server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from deep_review.model import AgentReview, Review


class ReviewerStarted(BaseModel):
    kind: Literal["reviewer-started"] = "reviewer-started"
    reviewer: str
    model: str = ""


class ToolCalled(BaseModel):
    kind: Literal["tool-called"] = "tool-called"
    reviewer: str
    tool: str
    total_calls: int
    refused: bool = False


class TokensUsed(BaseModel):
    kind: Literal["tokens-used"] = "tokens-used"
    reviewer: str
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


class ReviewerRetrying(BaseModel):
    kind: Literal["reviewer-retrying"] = "reviewer-retrying"
    reviewer: str
    reason: str
    delay_s: float


class ReviewerFinished(BaseModel):
    kind: Literal["reviewer-finished"] = "reviewer-finished"
    reviewer: str
    review: AgentReview


class ReviewerFailed(BaseModel):
    kind: Literal["reviewer-failed"] = "reviewer-failed"
    reviewer: str
    error: str
    review: AgentReview | None = None


class StageStarted(BaseModel):
    kind: Literal["stage-started"] = "stage-started"
    stage: Literal["change", "panel", "reconcile", "verify", "report", "store"]
    detail: str = ""


class Notice(BaseModel):
    kind: Literal["notice"] = "notice"
    text: str


class ReviewCompleted(BaseModel):
    kind: Literal["review-completed"] = "review-completed"
    review: Review


ReviewEvent = Annotated[
    ReviewerStarted
    | ToolCalled
    | TokensUsed
    | ReviewerRetrying
    | ReviewerFinished
    | ReviewerFailed
    | StageStarted
    | Notice
    | ReviewCompleted,
    Field(discriminator="kind"),
]

EventSink = Callable[[ReviewEvent], None]
"""Receives events synchronously, on the event loop; must not block."""


def ignore_events(_event: ReviewEvent) -> None:
    """An event sink that drops everything."""
