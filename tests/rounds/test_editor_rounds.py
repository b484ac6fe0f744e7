"""Round 2 in the editor: what a diagnostic, the status line and a hover say about round 1."""

from __future__ import annotations

from datetime import UTC, datetime

from lsprotocol import types

from deep_review.change import collect_change
from deep_review.model import (
    PriorFinding,
    PriorLink,
    ReconciledFinding,
    Review,
    ReviewHeader,
    RoundInfo,
)
from deep_review.store import ReviewStore
from tests.lsp.editor import editor_session
from tests.lsp.project import feature_project, findings
from tests.support.gitrepo import GitRepo


def _prior(finding_id: str, title: str, status: str, current: str | None) -> PriorFinding:
    return PriorFinding.model_validate(
        {
            "round": 1,
            "finding_id": finding_id,
            "title": title,
            "severity": "suggestion" if finding_id.startswith("S") else "important",
            "path": "app.py",
            "start_line": 5,
            "end_line": 5,
            "status": status,
            "evidence": f"{status}: checked against the code",
            "current_id": current,
        }
    )


def save_two_rounds(repo: GitRepo) -> None:
    """Round 1 (an older head) and round 2 of the branch as it stands, both saved."""
    change = collect_change(repo.root)
    store = ReviewStore(repo.root)
    shell, _leak, fstring, emoji = findings()
    first = Review(
        header=ReviewHeader(
            branch=change.branch,
            base_sha=change.base_sha,
            head_sha="1" * 40,
            round=1,
            date=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        ),
        findings=[
            fstring.model_copy(update={"id": "S5"}),
            ReconciledFinding(
                id="I1",
                path="app.py",
                start_line=9,
                end_line=9,
                severity="important",
                category="gap",
                title="Reads the whole file",
                evidence="data = open(path).read()",
            ),
        ],
    )
    store.save_review(first)
    carried = fstring.model_copy(
        update={"prior": PriorLink(round=1, finding_id="S5", relation="unaddressed")}
    )
    second = Review(
        header=ReviewHeader(
            branch=change.branch,
            base_ref=change.base_ref,
            base_sha=change.base_sha,
            head_sha=change.head_sha,
            diff_hash=change.diff_hash,
            round=2,
            date=datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
        ),
        findings=[shell, carried, emoji],
        rounds=RoundInfo(
            number=2,
            prior_round=1,
            prior_head_sha="1" * 40,
            prior_findings=[
                _prior("I1", "Reads the whole file", "addressed", None),
                _prior("S5", "Use an f-string", "unaddressed", "S1"),
            ],
            new_ids=["C1", "S2"],
        ),
    )
    store.save_review(second)


async def test_round_2_diagnostics_status_and_hover_tell_the_findings_story(
    repo: GitRepo,
) -> None:
    project = feature_project(repo)
    save_two_rounds(project)
    async with editor_session(project.root) as editor:
        await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status))
        app = {str(d.code): d for d in editor.diagnostics("app.py")}
        # Round 1's addressed I1 is gone; its unaddressed S5 says so.
        assert sorted(app) == ["C1", "S1"]
        assert app["S1"].message == "Use an f-string (gemini) — round 1 S5, unaddressed"
        assert app["C1"].message == "Shell injection through run() (claude, codex)"
        assert editor.status[-1]["round"] == "round 2: 1 addressed, 1 open, 2 new"

        hover = await editor.hover("app.py", 4)
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        text = hover.contents.value
        history = text[text.index("**History**") :]
        lines = [line for line in history.splitlines() if line.startswith("- ")]
        assert lines[0].startswith("- round 1 (1111111): first raised as S5 (suggestion)")
        assert "round 2" in lines[1] and "round 1 S5 unaddressed" in lines[1]


async def test_dismissing_from_the_editor_records_the_reason_for_later_rounds(
    repo: GitRepo,
) -> None:
    project = feature_project(repo)
    save_two_rounds(project)
    async with editor_session(project.root) as editor:
        await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status))
        answer = await editor.command(
            "deepReview.dismiss", {"findingId": "S1", "reason": "house style allows it"}
        )
        assert answer == {"dismissed": "S1"}
        await editor.wait_for(
            lambda: "S1" not in {str(d.code) for d in editor.diagnostics("app.py")}
        )
    [dismissal] = ReviewStore(project.root).dismissals()
    assert (dismissal.finding_id, dismissal.reason) == ("S1", "house style allows it")
    assert dismissal.evidence == "return 'hi ' + name"  # enough to know it again, reworded
