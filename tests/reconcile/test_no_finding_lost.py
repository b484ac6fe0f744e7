"""Reproductions: analyzer and reviewer findings that reconciliation used to lose."""

from __future__ import annotations

import asyncio

from deep_review.cli import main
from tests.hostile.scenario import latest_review
from tests.support.gitrepo import GitRepo

NEW_MODULE = (
    "import sys\nimport os\n\n\ndef f():\n    return 1\n\n\n\n\n\n\ndef g():\n"
    "    import json\n    return 2\n"
)


async def test_every_ruff_finding_on_a_new_file_survives(repo: GitRepo) -> None:
    # F401 x3 and I001 on one new file were merged into the single I001 ("same place").
    repo.write("a.py", "x = 1\n")
    repo.commit("start")
    repo.branch("feature")
    repo.write("new.py", NEW_MODULE)
    repo.commit("add new.py")
    code = await asyncio.to_thread(main, ["review", "--repo", str(repo.root), "--no-cache"])
    assert code == 3  # only the offline analyzer reviewed it, and it says so
    review = latest_review(repo.root)
    titles = sorted(f.title for f in [*review.findings, *review.appendix_findings])
    assert titles == [
        "F401: `json` imported but unused",
        "F401: `os` imported but unused",
        "F401: `sys` imported but unused",
        "I001: Import block is un-sorted or un-formatted",
    ]
    assert [entry.source for entry in review.trail] == ["ruff:S1", "ruff:S2", "ruff:S3", "ruff:S4"]
    assert not any(entry.outcome.startswith("dropped") for entry in review.trail)


async def test_a_review_of_nothing_locatable_is_unchecked_not_approved() -> None:
    from datetime import UTC, datetime

    from deep_review.config import ReconcileConfig
    from deep_review.model import AgentReview
    from deep_review.reconcile import reconcile
    from tests.reconcile import scenario

    elsewhere = {
        "path": "src/other_repo/handler.go",
        "start_line": 360,
        "end_line": 366,
        "severity": "critical",
        "category": "regression",
        "title": "Race on the session map",
        "evidence": "sessions[id] = s",
    }
    unquoted = {**elsewhere, "path": "app/store.py", "start_line": 900, "end_line": 901}
    reviews = [
        AgentReview.model_validate({"reviewer": "claude", "findings": [elsewhere, unquoted]})
    ]
    review = await reconcile(
        reviews,
        scenario.change(),
        scenario.source(),
        config=ReconcileConfig(),
        date=datetime(2026, 12, 3, tzinfo=UTC),
    )
    assert review.unchecked
    assert "none of the 2 findings" in review.unchecked_reason
    assert review.header.verdict == "Needs changes"
    assert any("could not be checked against the code" in n for n in review.notices)
    assert [e.outcome.split(":")[0] for e in review.trail] == [
        "dropped",
        review.appendix_findings[0].id,
    ]
