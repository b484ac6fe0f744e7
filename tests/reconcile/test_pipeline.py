"""The reconciled review a user reads: findings, notes, retro, summaries (no lead model)."""

from __future__ import annotations

from datetime import UTC, datetime

from deep_review.config import ReconcileConfig
from deep_review.model import AgentReview, Review
from deep_review.reconcile import NOT_VERIFIED_NOTICE, reconcile
from tests.reconcile import scenario


async def _review(
    reviews: list[AgentReview] | None = None, config: ReconcileConfig | None = None
) -> Review:
    return await reconcile(
        reviews if reviews is not None else scenario.panel(),
        scenario.change(),
        scenario.source(),
        config=config or ReconcileConfig(),
        date=datetime(2026, 5, 12, 21, 39, tzinfo=UTC),
    )


async def test_one_finding_per_problem_numbered_by_severity_with_every_agent() -> None:
    review = await _review()

    assert [(f.id, f.location_label) for f in review.findings] == [
        ("C1", "app/store.py:10"),
        ("I1", "app/store.py:14-16"),
    ]
    injection = review.findings[0]
    assert injection.agents == ["claude", "gpt"]
    assert injection.original_severities == {"claude": "critical", "gpt": "important"}
    assert injection.consensus == 2
    assert review.findings[1].consensus == 1
    assert injection.confidence > review.findings[1].confidence


async def test_the_fix_that_applies_wins_and_every_finding_has_a_fix_status() -> None:
    review = await _review()

    injection = review.findings[0]
    assert injection.fix == scenario.SQLI_FIX  # gpt's applies; claude's is stale
    assert injection.fix_status == "applies"
    leak = review.findings[1]
    assert leak.fix is None
    assert leak.fix_status is None
    assert leak.fix_status_reason == "No fix was suggested."


async def test_without_a_lead_the_review_says_claims_were_not_verified() -> None:
    review = await _review()

    assert review.model_verified is False
    assert NOT_VERIFIED_NOTICE in review.notices
    assert all(f.verification.status == "unverified" for f in review.findings)


async def test_verdict_and_executive_summary_follow_the_findings() -> None:
    review = await _review()

    assert review.header.verdict == "Do not merge"
    assert "C1" in review.header.verdict_reason
    assert review.executive_summary.endswith(
        "Structure: 1 Critical, 1 Important, 0 Suggestions, 2 design observations."
    )
    assert "gemini did not" in review.executive_summary
    assert "1 dropped as not matching the code" in review.executive_summary


async def test_no_findings_means_approve() -> None:
    quiet = [AgentReview(reviewer="claude", summary="Looks fine.")]
    review = await _review(quiet)

    assert review.findings == []
    assert review.header.verdict == "Approve"


async def test_no_completed_reviewer_never_approves() -> None:
    failed = [AgentReview(reviewer="claude", status="timed-out", error="deadline")]
    review = await _review(failed)

    assert review.header.verdict == "Needs changes"
    assert "No reviewer completed: nothing was reviewed." in review.notices
    assert review.retro[0].status == "timed-out"
    assert review.retro[0].error == "deadline"


async def test_reconciliation_notes_explain_every_merge_and_drop() -> None:
    review = await _review()

    kinds = [(n.kind, n.finding_id) for n in review.reconciliation_notes]
    assert ("drop", None) in kinds
    assert ("merge", "C1") in kinds
    merge = next(n for n in review.reconciliation_notes if n.kind == "merge")
    assert merge.text.startswith("claude's C1 and gpt's I1 were merged as C1")
    assert "severities differed" in merge.text
    drop = next(n for n in review.reconciliation_notes if n.kind == "drop")
    assert drop.agents == ["gpt"]
    assert "`app/cache.py` does not exist in the reviewed tree" in drop.text


async def test_retro_has_a_column_per_agent_including_the_failed_one() -> None:
    review = await _review()
    claude, gpt, gemini = review.retro

    assert claude.duration_s == 61.5
    assert claude.findings_by_severity == {"critical": 1, "important": 1}
    assert claude.tool_calls == {"read_file": 4, "grep": 2}
    assert (claude.design_concerns, claude.design_strengths) == (1, 1)
    assert claude.unique_insights == ["I1 `dump` never closes its file handle"]
    assert claude.false_positives == []
    assert gpt.false_positives == [
        'I2 "Cache never expires": `app/cache.py` does not exist in the reviewed tree'
    ]
    assert gpt.dropped == gpt.false_positives
    assert gpt.unique_insights == []
    assert (gpt.files_reviewed, gpt.files_total) == (2, 2)
    assert claude.coverage_misses == ["README.md"]
    assert gemini.status == "failed"
    assert gemini.error == "HTTP 500 after retries"
    assert gemini.narrative == "gemini failed: HTTP 500 after retries."
    assert "Only claude found I1" in claude.narrative


async def test_summaries_merge_what_agents_said_with_attribution() -> None:
    review = await _review()

    strengths = [o for o in review.design_observations if o.kind == "strength"]
    assert len(strengths) == 1
    assert strengths[0].agents == ["claude", "gpt"]
    concern = next(o for o in review.design_observations if o.kind == "concern")
    assert (concern.scope, concern.agents) == ("future", ["claude"])
    assert review.design_observations[0].kind == "concern"  # concerns come first
    assert review.testing_assessment == [
        "No test covers `dump`.",
        "No test for keys with quotes in them.",
    ]
    assert review.documentation_assessment == "README describes the store briefly."
    by_path = {c.path: c for c in review.coverage}
    assert by_path["README.md"].reviewed_by == ["gpt"]
    assert by_path["README.md"].missed_by == ["claude"]


async def test_change_level_sections() -> None:
    review = await _review()

    assert review.acknowledged_limitations == ["app/store.py:9: TODO cache hot keys"]
    assert review.commit_structure.startswith("Single commit `cccccccc` Change the store.")
    assert review.header.date == datetime(2026, 5, 12, 21, 39, tzinfo=UTC)
    assert [r.name for r in review.header.reviewers] == ["claude", "gpt", "gemini"]
    assert len(review.agent_reviews) == 3


async def test_process_notes_learn_from_drops() -> None:
    review = await _review()

    assert review.process_notes.skill_improvements == [
        "Open a file before citing it: 1 finding(s) (gpt) cited paths that are not in the"
        " reviewed tree."
    ]


async def test_same_inputs_give_the_same_review() -> None:
    first = await _review()
    second = await _review()

    assert first.model_dump_json() == second.model_dump_json()


async def test_minimum_severity_moves_findings_to_the_appendix_not_away() -> None:
    review = await _review(config=ReconcileConfig(min_severity="critical"))

    assert [f.id for f in review.findings] == ["C1"]
    assert [f.id for f in review.appendix_findings] == ["I1"]
    assert review.finding("i1") is not None
    note = next(n for n in review.reconciliation_notes if n.kind == "appendix")
    assert "below the minimum severity reported (critical)" in note.text
    assert note.finding_id == "I1"


async def test_suggestion_limit_keeps_the_most_confident() -> None:
    reviews = [
        AgentReview.model_validate(
            {
                "reviewer": name,
                "findings": [
                    scenario.finding(
                        path="app/store.py",
                        start_line=14,
                        end_line=14,
                        severity="suggestion",
                        title="Open the dump file with an explicit utf-8 encoding",
                        body="The platform encoding is used.",
                        evidence='handle = open(target, "w")',
                    )
                ]
                + (
                    [
                        scenario.finding(
                            path="app/store.py",
                            start_line=16,
                            end_line=16,
                            severity="suggestion",
                            title="Use csv for the dump format",
                            body="repr() output is hard to parse back.",
                        )
                    ]
                    if name == "claude"
                    else []
                ),
            }
        )
        for name in ("claude", "gpt")
    ]
    review = await _review(reviews, ReconcileConfig(max_suggestions=1))

    assert [(f.id, f.consensus) for f in review.findings] == [("S1", 2)]
    assert [f.title for f in review.appendix_findings] == ["Use csv for the dump format"]
    assert review.appendix_findings[0].id == "S2"
    assert review.header.verdict == "Approve with suggestions"


async def test_critical_is_reserved_for_serious_impact() -> None:
    reviews = [
        AgentReview.model_validate(
            {
                "reviewer": "gemini",
                "findings": [
                    scenario.finding(
                        path="app/store.py",
                        start_line=16,
                        end_line=16,
                        severity="critical",
                        title="dump writes repr() instead of a parseable format",
                        body="Consumers must eval the output.",
                        evidence="handle.write(repr(row))",
                    )
                ],
            }
        )
    ]
    review = await _review(reviews)

    assert review.findings[0].severity == "important"
    assert review.findings[0].original_severities == {"gemini": "critical"}
    assert review.retro[0].downgraded == [
        "C1 → I1 (C→I): dump writes repr() instead of a parseable format"
    ]
    assert any("Reserve critical" in s for s in review.process_notes.skill_improvements)


async def test_a_reanchored_finding_is_noted_and_taught() -> None:
    reviews = [
        AgentReview.model_validate(
            {
                "reviewer": "gemini",
                "findings": [
                    scenario.finding(
                        path="app/store.py", start_line=1, end_line=2, severity="important",
                        title="`dump` leaks its file handle", body="Never closed.",
                        evidence='handle = open(target, "w")',
                    )
                ],
            }
        )
    ]  # fmt: skip
    review = await _review(reviews)

    assert review.findings[0].location_label == "app/store.py:14"
    [note] = [n for n in review.reconciliation_notes if n.kind == "reanchor"]
    assert note.finding_id == "I1"
    assert note.text == (
        "gemini's I1 cited app/store.py:1-2; the quoted code is at lines 14-14,"
        " so it was re-anchored there."
    )
    assert any("re-anchored" in s for s in review.process_notes.skill_improvements)
