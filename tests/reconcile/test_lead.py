"""What a lead model changes: merge decisions, verification, narratives; and how it fails soft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from deep_review.change.model import Change
from deep_review.config import ReconcileConfig
from deep_review.model import AgentRetro, AgentReview, Finding, ReconciledFinding, Review
from deep_review.reconcile import LeadModelError, VerificationResult, reconcile
from tests.reconcile import scenario

Judge = Callable[[ReconciledFinding], VerificationResult]


def _confirm_all(_: ReconciledFinding) -> VerificationResult:
    return VerificationResult(status="confirmed", reason="The code does this.")


@dataclass
class RuleLead:
    """A lead whose answers are given by the test (it is an input of the pure reconciler)."""

    same: Callable[[Finding, Finding], bool] = lambda a, b: True
    judge: Judge = _confirm_all
    fail_on: str | None = None
    asked: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "rule-lead"

    def _maybe_fail(self, what: str) -> None:
        if self.fail_on == what:
            raise LeadModelError("HTTP 529 overloaded")

    async def confirm_merge(self, a: Finding, b: Finding) -> bool:
        self._maybe_fail("merge")
        self.asked.append((a.title, b.title))
        return self.same(a, b)

    async def verify(self, finding: ReconciledFinding, change: Change) -> VerificationResult:
        self._maybe_fail("verify")
        return self.judge(finding)

    async def narrate(self, retro: AgentRetro, review: AgentReview) -> str:
        self._maybe_fail("narrate")
        return f"Narrative for {retro.agent}."

    async def summarise(self, review: Review) -> str:
        self._maybe_fail("summarise")
        return f"Lead summary: {len(review.findings)} findings."


async def _review(lead: RuleLead, reviews: list[AgentReview] | None = None) -> Review:
    return await reconcile(
        reviews if reviews is not None else scenario.panel(),
        scenario.change(),
        scenario.source(),
        config=ReconcileConfig(),
        lead=lead,
    )


async def test_confirmed_findings_are_marked_verified_by_the_lead() -> None:
    review = await _review(RuleLead())

    assert review.model_verified is True
    assert not any("not model-verified" in notice for notice in review.notices)
    assert {f.verification.status for f in review.findings} == {"confirmed"}
    assert review.findings[0].verification.verifier == "rule-lead"
    assert review.findings[0].verification.note == "The code does this."
    assert review.retro[0].narrative == "Narrative for claude."
    assert review.executive_summary.startswith("Lead summary: 2 findings.")
    assert "Structure: 1 Critical, 1 Important" in review.executive_summary


async def test_a_downgrade_changes_severity_number_and_retro() -> None:
    def judge(finding: ReconciledFinding) -> VerificationResult:
        if "dump" in finding.title:
            return VerificationResult(
                status="downgraded", severity="suggestion", reason="CPython closes it on exit."
            )
        return _confirm_all(finding)

    review = await _review(RuleLead(judge=judge))

    assert [(f.id, f.severity) for f in review.findings] == [
        ("C1", "critical"),
        ("S1", "suggestion"),
    ]
    leak = review.findings[1]
    assert leak.verification.status == "downgraded"
    assert leak.original_severities == {"claude": "important"}
    note = next(n for n in review.reconciliation_notes if n.kind == "downgrade")
    assert note.finding_id == "S1"
    assert note.text == (
        'claude\'s I1 ("`dump` never closes its file handle") was downgraded from important'
        " to suggestion as S1: CPython closes it on exit."
    )
    assert review.retro[0].downgraded == ["I1 → S1 (I→S): `dump` never closes its file handle"]


async def test_a_verifier_drop_removes_the_finding_and_counts_against_its_agents() -> None:
    def judge(finding: ReconciledFinding) -> VerificationResult:
        if "dump" in finding.title:
            return VerificationResult(
                status="dropped",
                reason="dump is only called in a with-block that closes the file.",
                repo_context="[repo] Store.dump callers own the file lifetime.",
            )
        return _confirm_all(finding)

    review = await _review(RuleLead(judge=judge))

    assert [f.id for f in review.findings] == ["C1"]
    assert review.appendix_findings == []
    claude = review.retro[0]
    assert claude.false_positives == [
        'I1 "`dump` never closes its file handle": the verifier found it does not hold:'
        " dump is only called in a with-block that closes the file."
    ]
    assert claude.unique_insights == []
    assert review.process_notes.repo_context_updates == [
        "[repo] Store.dump callers own the file lifetime."
    ]
    assert any("did not survive verification" in s for s in review.process_notes.skill_improvements)


async def test_the_lead_can_refuse_a_merge_the_rules_would_make() -> None:
    lead = RuleLead(same=lambda a, b: False)
    review = await _review(lead)

    injections = [f for f in review.findings if "injection" in f.title.lower()]
    assert len(injections) == 2
    assert lead.asked, "the lead was asked about the candidate pair"


async def test_the_lead_can_accept_a_merge_the_rules_are_unsure_of() -> None:
    reviews = [
        AgentReview.model_validate(
            {
                "reviewer": name,
                "findings": [
                    scenario.finding(
                        path="app/store.py", start_line=line, end_line=line, severity="important",
                        title=title, body=body, evidence=evidence,
                    )
                ],
            }
        )
        for name, line, title, body, evidence in (
            ("claude", 14, "`dump` leaks its file handle", "Never closed.",
             'handle = open(target, "w")'),
            ("gpt", 16, "dump keeps the output file open", "Use a with statement for `handle`.",
             "handle.write(repr(row))"),
        )
    ]  # fmt: skip
    alone = await _review(RuleLead(same=lambda a, b: False), reviews)
    merged = await _review(RuleLead(same=lambda a, b: True), reviews)

    assert len(alone.findings) == 2
    assert len(merged.findings) == 1
    assert merged.findings[0].agents == ["claude", "gpt"]


async def test_a_failing_lead_falls_back_to_the_deterministic_review() -> None:
    review = await _review(RuleLead(fail_on="verify"))

    assert review.model_verified is False
    assert review.notices == [
        "Claims were not model-verified: the lead model failed (HTTP 529 overloaded)."
    ]
    assert {f.verification.status for f in review.findings} == {"unverified"}
    assert len(review.findings) == 2
    assert review.retro[0].narrative.startswith("claude raised 2 findings")


async def test_a_lead_failing_on_merges_still_gives_the_rule_based_merges() -> None:
    review = await _review(RuleLead(fail_on="merge"))

    assert [f.agents for f in review.findings] == [["claude", "gpt"], ["claude"]]
    assert review.model_verified is False


async def test_a_lead_failing_after_verification_keeps_the_verification() -> None:
    review = await _review(RuleLead(fail_on="narrate"))

    assert review.model_verified is True
    assert {f.verification.status for f in review.findings} == {"confirmed"}
    assert review.notices == [
        "The lead model failed after verifying the claims (HTTP 529 overloaded); the summary and"
        " retro narratives are written from templates."
    ]
    assert review.retro[0].narrative.startswith("claude raised 2 findings")
    assert not review.executive_summary.startswith("Lead summary")


async def test_a_critical_the_lead_confirmed_is_not_capped_by_the_rule() -> None:
    reviews = [
        AgentReview.model_validate(
            {
                "reviewer": "gemini",
                "findings": [
                    scenario.finding(
                        path="app/store.py", start_line=16, end_line=16, severity="critical",
                        title="dump writes repr() instead of a parseable format",
                        body="Consumers must eval the output.", evidence="handle.write(repr(row))",
                    )
                ],
            }
        )
    ]  # fmt: skip
    review = await _review(RuleLead(), reviews)

    assert review.findings[0].severity == "critical"
    assert review.findings[0].verification.status == "confirmed"
