"""What a person watching a review sees: per-reviewer rows folded from the event stream."""

from __future__ import annotations

import io

from deep_review.events import (
    Notice,
    ReviewerFailed,
    ReviewerFinished,
    ReviewerRetrying,
    ReviewerStarted,
    StageStarted,
    TokensUsed,
    ToolCalled,
)
from deep_review.model import AgentReview, Finding
from deep_review.progress import PanelProgress
from deep_review.terminal import TerminalProgress


def finding() -> Finding:
    return Finding(
        path="a.py", start_line=1, end_line=1, severity="important", category="gap", title="t"
    )


def test_events_fold_into_one_row_per_reviewer() -> None:
    progress = PanelProgress()
    progress.apply(StageStarted(stage="panel"))
    progress.apply(ReviewerStarted(reviewer="claude", model="claude-x"))
    progress.apply(ReviewerStarted(reviewer="codex", model="gpt-x"))
    progress.apply(ToolCalled(reviewer="claude", tool="read_file", total_calls=3))
    progress.apply(TokensUsed(reviewer="claude", input_tokens=900, output_tokens=40))
    progress.apply(TokensUsed(reviewer="claude", input_tokens=1500, output_tokens=90))
    progress.apply(ReviewerRetrying(reviewer="codex", reason="429", delay_s=2.0))
    retrying = progress.reviewers["codex"].label()
    progress.apply(ToolCalled(reviewer="codex", tool="grep", total_calls=1))
    review = AgentReview(reviewer="claude", findings=[finding(), finding()])
    progress.apply(ReviewerFinished(reviewer="claude", review=review))
    progress.apply(ReviewerFailed(reviewer="codex", error="401: the key was refused"))

    claude, codex = progress.reviewers["claude"], progress.reviewers["codex"]
    assert (claude.state, claude.tool_calls, claude.findings) == ("done", 3, 2)
    assert (claude.input_tokens, claude.output_tokens) == (1500, 90)  # totals, not a sum
    assert retrying == "codex: retrying"
    assert codex.state == "failed" and codex.error == "401: the key was refused"
    assert claude.label() == "claude: done, 2 findings"
    assert codex.as_status()["error"] == "401: the key was refused"
    assert progress.stage == "panel"


def test_rows_still_running_when_the_review_is_saved_are_finished() -> None:
    progress = PanelProgress()
    progress.apply(ReviewerStarted(reviewer="claude-lead", model="claude-x"))
    progress.apply(StageStarted(stage="reconcile"))
    assert progress.reviewers["claude-lead"].state == "running"

    progress.apply(StageStarted(stage="store"))

    assert progress.reviewers["claude-lead"].state == "done"


def test_without_a_terminal_progress_is_plain_lines() -> None:
    stream = io.StringIO()
    with TerminalProgress(stream) as show:
        show(StageStarted(stage="panel", detail="2 reviewers"))
        show(ReviewerStarted(reviewer="ruff"))
        show(Notice(text="No model reviewers ran."))
        show(ReviewerFailed(reviewer="ruff", error="ruff is not installed"))

    assert stream.getvalue().splitlines() == [
        "deep-review: stage: panel — 2 reviewers",
        "deep-review: ruff: started (analyzer)",
        "deep-review: No model reviewers ran.",
        "deep-review: ruff: failed — ruff is not installed",
    ]
