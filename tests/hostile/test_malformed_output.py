"""Reviewers that submit garbage: the review completes, the good reviewer's work is kept."""

from __future__ import annotations

from typing import Any

import pytest

from deep_review.cli import main
from deep_review.model import AgentReview
from deep_review.panel.runner import MAX_FIELD_CHARS, MAX_FINDINGS_PER_REVIEWER
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, latest_review, project, submit
from tests.support.gitrepo import GitRepo


def repeated(step: dict[str, Any]) -> list[dict[str, Any]]:
    """The same bad submission on every repair turn the agent allows (and one more)."""
    return [step, step, step]


def by_name(reviews: list[AgentReview]) -> dict[str, AgentReview]:
    return {review.reviewer: review for review in reviews}


@pytest.fixture
def reviewed(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The project reviewed by one sound reviewer and four that submit malformed reviews."""
    project(repo)
    flood = [finding(title=f"Nit {i}", severity="suggestion") for i in range(10_000)]
    transcripts = {
        "sound": [submit(finding())],
        "stringy": repeated({"submit": {"summary": "s", "findings": "none, all good"}}),
        "mistyped": repeated(submit(finding(start_line="five", severity="urgent"), {"path": 3})),
        "flood": [submit(*flood, finding(title="The one that matters"))],
        "verbose": [submit(finding(title="Verbose", body="x" * 5_000_000))],
    }
    with ScriptedModelServer(transcripts) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(repo, server, *transcripts)
        assert main(["review", "--repo", str(repo.root), "--format", "md", "--format", "json"]) == 0
    return repo


def test_invalid_submissions_fail_only_their_reviewer_and_say_what_was_wrong(
    reviewed: GitRepo,
) -> None:
    review = latest_review(reviewed.root)
    agents = by_name(review.agent_reviews)
    assert agents["sound"].status == "completed"
    assert agents["stringy"].status == "failed"
    assert "submitted an invalid review" in (agents["stringy"].error or "")
    assert "findings" in (agents["stringy"].error or "")
    assert agents["mistyped"].status == "failed"
    assert "start_line" in (agents["mistyped"].error or "")
    assert "Shell injection through run()" in [f.title for f in review.findings]
    markdown = next((reviewed.root / ".deep-review" / "reviews").glob("*.md")).read_text()
    assert "submitted an invalid review" in markdown


def test_a_flood_of_findings_is_cut_to_the_most_severe_and_said_so(reviewed: GitRepo) -> None:
    flood = by_name(latest_review(reviewed.root).agent_reviews)["flood"]
    assert flood.status == "completed"
    assert len(flood.findings) == MAX_FINDINGS_PER_REVIEWER
    assert flood.findings[-1].title == "The one that matters"  # critical outranks the nits
    assert f"submitted 10001 findings; only the {MAX_FINDINGS_PER_REVIEWER}" in (flood.error or "")


def test_a_megabyte_body_is_shortened_everywhere_it_is_stored(reviewed: GitRepo) -> None:
    verbose = by_name(latest_review(reviewed.root).agent_reviews)["verbose"]
    assert len(verbose.findings[0].body) < MAX_FIELD_CHARS + 100
    assert "more characters cut" in verbose.findings[0].body
    assert "shortened" in (verbose.error or "")
    for stored in (reviewed.root / ".deep-review").rglob("*"):
        assert not stored.is_file() or stored.stat().st_size < 2_000_000, stored
