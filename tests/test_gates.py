"""`deep-review review` exit codes: what a CI script sees for each kind of review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deep_review.cli.review import (
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_NOT_CHECKED,
    EXIT_OK,
    gate,
)
from deep_review.model import AgentReview, ReconciledFinding, Review, ReviewHeader


def agent(name: str, provider: str, status: str = "completed") -> AgentReview:
    return AgentReview.model_validate({"reviewer": name, "provider": provider, "status": status})


def review(*agents: AgentReview, severities: tuple[str, ...] = ()) -> Review:
    findings = [
        ReconciledFinding.model_validate(
            {
                "id": f"X{n}", "path": "a.py", "start_line": 1, "end_line": 1,
                "severity": severity, "category": "gap", "title": f"finding {n}",
            }
        )
        for n, severity in enumerate(severities, 1)
    ]  # fmt: skip
    header = ReviewHeader(date=datetime(2026, 12, 1, tzinfo=UTC))
    return Review(header=header, agent_reviews=list(agents), findings=findings)


def code(subject: Review, **options: Any) -> int:
    options = {"fail_on": None, "require_all": False, "analyzers_only_by_choice": False, **options}
    return gate(subject, **options)[0]


CLAUDE_OK = agent("claude", "anthropic")
CLAUDE_FAILED = agent("claude", "anthropic", "failed")
RUFF = agent("ruff", "ruff")


def test_a_model_reviewed_change_with_no_blocking_finding_exits_0() -> None:
    assert code(review(CLAUDE_OK, RUFF, severities=("suggestion",)), fail_on="important") == EXIT_OK


def test_findings_at_or_above_fail_on_exit_1() -> None:
    assert code(review(CLAUDE_OK, severities=("important",)), fail_on="important") == EXIT_FINDINGS


@pytest.mark.parametrize("fail_on", [None, "critical", "suggestion"])
def test_no_model_reviewer_completed_exits_3_whatever_fail_on_says(fail_on: str | None) -> None:
    assert code(review(CLAUDE_FAILED, RUFF), fail_on=fail_on) == EXIT_NOT_CHECKED


def test_exit_3_wins_over_findings_from_the_analyzers() -> None:
    subject = review(CLAUDE_FAILED, RUFF, severities=("critical",))
    assert code(subject, fail_on="critical") == EXIT_NOT_CHECKED


def test_an_analyzers_only_panel_exits_3_unless_asked_for_by_name() -> None:
    assert code(review(RUFF)) == EXIT_NOT_CHECKED
    assert code(review(RUFF), analyzers_only_by_choice=True) == EXIT_OK


def test_require_all_exits_4_when_one_reviewer_did_not_complete() -> None:
    subject = review(CLAUDE_OK, agent("gpt", "openai", "timed-out"), RUFF)
    assert code(subject) == EXIT_OK
    exit_code, reason = gate(
        subject, fail_on=None, require_all=True, analyzers_only_by_choice=False
    )
    assert exit_code == EXIT_INCOMPLETE
    assert reason == "--require-all: 1 of 3 reviewers did not complete: gpt (timed-out)"


def test_fail_on_fails_a_review_that_could_not_be_checked_against_the_code() -> None:
    # `unchecked` is the reconciler's flag on Review (set by reconcile when nothing could be
    # grounded); model_copy sets it here whether or not this branch's Review declares it.
    subject = review(CLAUDE_OK).model_copy(
        update={"unchecked": True, "unchecked_reason": "no reviewer covered any file"}
    )
    exit_code, reason = gate(
        subject, fail_on="critical", require_all=False, analyzers_only_by_choice=False
    )
    assert exit_code == EXIT_NOT_CHECKED
    assert reason is not None and "no reviewer covered any file" in reason
    assert code(subject) == EXIT_OK  # without a gate, the verdict says it; the exit code is 0
