"""Offline analyzers as panel members: ``ruff`` and any ``sarif-command`` (semgrep, ...)."""

from __future__ import annotations

import time

from deep_review.change.model import Change
from deep_review.config import ANALYZER_PROVIDERS, ReviewerConfig
from deep_review.events import EventSink, ReviewerFailed, ReviewerFinished, ReviewerStarted
from deep_review.model import AgentReview
from deep_review.panel.analyzers.common import failed_review
from deep_review.panel.analyzers.ruff import run_ruff
from deep_review.panel.analyzers.sarif import run_sarif_command
from deep_review.panel.sandbox import RepoSandbox

__all__ = ["ANALYZER_PROVIDERS", "run_analyzer"]


async def run_analyzer(
    reviewer: ReviewerConfig, change: Change, sandbox: RepoSandbox, *, on_event: EventSink
) -> AgentReview:
    """Runs one offline analyzer over the change; never raises (failures are in the review)."""
    on_event(ReviewerStarted(reviewer=reviewer.name, model=reviewer.model or reviewer.provider))
    started = time.monotonic()
    try:
        if reviewer.provider == "ruff":
            review = await run_ruff(reviewer, change, sandbox, on_event=on_event)
        elif reviewer.provider == "sarif-command":
            review = await run_sarif_command(reviewer, change, sandbox, on_event=on_event)
        else:
            review = failed_review(
                reviewer, f"{reviewer.provider!r} is not an offline analyzer", started
            )
    except Exception as error:  # an analyzer bug must not take the panel down
        review = failed_review(
            reviewer, f"{reviewer.name} crashed: {type(error).__name__}: {error}", started
        )
    if review.status == "completed":
        on_event(ReviewerFinished(reviewer=reviewer.name, review=review))
    else:
        on_event(ReviewerFailed(reviewer=reviewer.name, error=review.error or "", review=review))
    return review
