"""The reconciler: agent reviews + the reviewed tree (+ a lead model) → one Review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from deep_review.change.model import Change
from deep_review.config import ReconcileConfig
from deep_review.errors import DeepReviewError
from deep_review.fixes import FixDoesNotApply
from deep_review.model import (
    SEVERITY_ORDER,
    AgentReview,
    ReconciledFinding,
    Review,
    ReviewerInfo,
    ReviewHeader,
    TrailEntry,
    Verification,
)
from deep_review.reconcile import calibrate, retro, summarise
from deep_review.reconcile.combine import Draft, Event, ReadText, build_draft
from deep_review.reconcile.ground import (
    Claim,
    DroppedClaim,
    TextSource,
    ground_reviews,
    local_ids,
)
from deep_review.reconcile.lead import (
    LeadModel,
    LeadModelError,
    MergeJudgement,
    VerificationResult,
)
from deep_review.reconcile.merge import PairScore, group_claims
from deep_review.reconcile.scope import ChangeScope, change_scope

NOT_VERIFIED_NOTICE = (
    "Claims were not model-verified: no lead model was configured"
    " (set lead under [reconcile] in .deep-review.toml, or pass --lead)."
)
# Verification calls in flight at once: enough to overlap latency, few enough for rate limits.
VERIFY_CONCURRENCY = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Lead:
    """The lead model, failing soft: after its first failure the deterministic path takes over."""

    def __init__(self, lead: LeadModel | None) -> None:
        self.model = lead
        self.failure: str | None = None
        self.verified = False

    @property
    def usable(self) -> bool:
        return self.model is not None and self.failure is None

    def fail(self, error: LeadModelError) -> None:
        if self.failure is None:
            self.failure = error.message

    def notice(self) -> str | None:
        """What the reader must be told about the lead, if anything."""
        if self.model is None:
            return NOT_VERIFIED_NOTICE
        if self.failure is None:
            return None
        if self.verified:
            return (
                f"The lead model failed after verifying the claims ({self.failure}); the"
                " summary and retro narratives are written from templates."
            )
        return f"Claims were not model-verified: the lead model failed ({self.failure})."

    async def confirm(self, a: Claim, b: Claim, score: PairScore) -> bool | MergeJudgement:
        if self.model is None or self.failure is not None:
            return score.decision == "merge"
        try:
            return await self.model.confirm_merge(a.finding, b.finding)
        except LeadModelError as error:
            self.fail(error)
            return score.decision == "merge"


@dataclass(frozen=True)
class ReconcileTrace:
    """Where each result came from: for debugging merges and scoring the labelled set."""

    sources: dict[str, list[tuple[str, int]]]
    """Finding ID → (agent, index in that agent's findings) of every claim merged into it."""
    dropped: dict[tuple[str, int], str]
    """(agent, index) → why that claim was dropped (grounding or verification)."""


async def reconcile(
    agent_reviews: Sequence[AgentReview],
    change: Change,
    source: TextSource,
    *,
    config: ReconcileConfig,
    lead: LeadModel | None = None,
    reviewers: Sequence[ReviewerInfo] = (),
    wall_clock_s: float = 0.0,
    date: datetime | None = None,
) -> Review:
    """Ground, merge, verify, calibrate, number and summarise the panel's reviews."""
    review, _ = await reconcile_with_trace(
        agent_reviews, change, source, config=config, lead=lead, reviewers=reviewers,
        wall_clock_s=wall_clock_s, date=date,
    )  # fmt: skip
    return review


async def reconcile_with_trace(
    agent_reviews: Sequence[AgentReview],
    change: Change,
    source: TextSource,
    *,
    config: ReconcileConfig,
    lead: LeadModel | None = None,
    reviewers: Sequence[ReviewerInfo] = (),
    wall_clock_s: float = 0.0,
    date: datetime | None = None,
) -> tuple[Review, ReconcileTrace]:
    """``reconcile``, plus the trace from each result back to the agent findings."""
    reviews = list(agent_reviews)
    seat = _Lead(lead)
    scope = change_scope(change)
    grounding = ground_reviews(reviews, change, source)
    groups = await group_claims(grounding.claims, seat.confirm if lead is not None else None)
    if seat.failure is not None:
        # Some merge answers came from the lead and some not: use the rules for all of them.
        groups = await group_claims(grounding.claims)
    drafts = [build_draft(group, fix_reader(source)) for group in groups]
    for draft in drafts:
        if all(claim.evidence_match == "unlocated" for claim in draft.claims):
            _place_unlocated(draft)
        else:
            _place_by_scope(draft, scope)
    repo_context = await _verify(drafts, change, seat)
    for draft in drafts:
        # A verifier already applied the rubric with the code in view; the rule is for the rest.
        if draft.placement != "dropped" and draft.finding.verification.status == "unverified":
            calibrate.cap_critical(draft)
        draft.finding = draft.finding.model_copy(update={"confidence": calibrate.confidence(draft)})
    calibrate.place_by_noise_rules(drafts, config)
    for draft in drafts:
        if draft.placement == "appendix" and draft.placement_cause != "outside-change":
            draft.events.append(
                Event(
                    "appendix",
                    f"{draft.subject()} was moved to the appendix as {{id}}:"
                    f" {draft.placement_reason}",
                    tuple(draft.agents),
                )
            )
    calibrate.number([d for d in drafts if d.placement != "dropped"])
    review = await _assemble(
        reviews, change, drafts, grounding.dropped, seat, repo_context,
        reviewers=reviewers, wall_clock_s=wall_clock_s, date=date,
    )  # fmt: skip
    trace = _trace(drafts, grounding.dropped)
    review.trail = trail_of(reviews, trace)
    return review, trace


class LostFinding(RuntimeError):
    """A reviewer finding ended nowhere, or in two places: a reconciler bug, never data."""


def trail_of(reviews: Sequence[AgentReview], trace: ReconcileTrace) -> list[TrailEntry]:
    """Every input finding → its final ID or its drop reason; checks each ends in one place."""
    place: dict[tuple[str, int], str] = {}
    for finding_id, sources in trace.sources.items():
        for source in sources:
            if source in place:
                raise LostFinding(f"{source} ended in both {place[source]} and {finding_id}")
            place[source] = finding_id
    for source, reason in trace.dropped.items():
        if source in place:
            raise LostFinding(f"{source} was both kept as {place[source]} and dropped")
        place[source] = f"dropped: {reason}"
    entries: list[TrailEntry] = []
    for review in reviews:
        for index, local_id in enumerate(local_ids(review.findings)):
            outcome = place.pop((review.reviewer, index), None)
            if outcome is None:
                raise LostFinding(f"{review.reviewer}'s {local_id} ended nowhere")
            entries.append(TrailEntry(source=f"{review.reviewer}:{local_id}", outcome=outcome))
    if place:
        raise LostFinding(f"results from findings no reviewer made: {sorted(place)}")
    return entries


def _trace(drafts: Sequence[Draft], dropped: Sequence[DroppedClaim]) -> ReconcileTrace:
    sources = {
        d.finding.id: [(c.agent, c.index) for c in d.claims]
        for d in drafts
        if d.placement != "dropped"
    }
    gone = {(claim.agent, claim.index): claim.reason for claim in dropped}
    for draft in drafts:
        if draft.placement == "dropped":
            for c in draft.claims:
                gone[(c.agent, c.index)] = draft.placement_reason
    return ReconcileTrace(sources, gone)


def _place_unlocated(draft: Draft) -> None:
    """A finding that could not be located goes to the appendix with the reviewer's text."""
    reason = draft.claims[0].unlocated_reason
    draft.placement = "appendix"
    draft.placement_reason = f"could not be located in the code: {reason}"
    draft.placement_cause = "unlocated"


def _place_by_scope(draft: Draft, scope: ChangeScope) -> None:
    """Mark findings outside the changed lines; keep them only when they are about the change."""
    finding = draft.finding
    if scope.touches(finding):
        return
    draft.finding = finding.model_copy(update={"outside_diff": True})
    if scope.about_change(finding):
        return
    draft.placement = "appendix"
    draft.placement_reason = "not about the change: it is outside the changed lines"
    draft.placement_cause = "outside-change"
    draft.events.append(
        Event(
            "appendix",
            f"{draft.subject()} at {finding.path}:{finding.start_line} is outside the changed"
            " lines and does not concern the change; it was moved to the appendix as {id}",
            tuple(draft.agents),
        )
    )


async def _verify(drafts: Sequence[Draft], change: Change, seat: _Lead) -> list[str]:
    """Ask the lead to check each inline finding against the code; collect repo facts."""
    if not seat.usable:
        return []
    pending = [d for d in drafts if d.placement == "inline"]
    results: list[VerificationResult | None] = [None] * len(pending)
    limiter = anyio.Semaphore(VERIFY_CONCURRENCY)

    async def check(index: int, draft: Draft) -> None:
        assert seat.model is not None
        async with limiter:
            if seat.failure is not None:
                return
            try:
                results[index] = await seat.model.verify(draft.finding, change)
            except LeadModelError as error:
                seat.fail(error)

    async with anyio.create_task_group() as group:
        for index, draft in enumerate(pending):
            group.start_soon(check, index, draft)
    if seat.failure is not None:
        return []  # a partly verified list would read as verified: keep the rules' result
    seat.verified = True
    context: list[str] = []
    verifier = seat.model.name if seat.model is not None else None
    for draft, result in zip(pending, results, strict=True):
        if result is not None:
            _apply_verification(draft, result, result.verifier or verifier)
            if result.repo_context:
                context.append(result.repo_context)
    return context


def _apply_verification(draft: Draft, result: VerificationResult, verifier: str | None) -> None:
    finding = draft.finding
    agents = tuple(draft.agents)
    if result.status == "dropped":
        draft.placement = "dropped"
        draft.placement_reason = f"the verifier found it does not hold: {result.reason}"
        draft.placement_cause = "refuted"
        draft.events.append(
            Event("drop", f"{draft.subject()} was dropped by the verifier: {result.reason}", agents)
        )
        return
    severity = result.severity or finding.severity
    status = result.status
    if result.status in ("downgraded", "upgraded") and severity != finding.severity:
        lower = SEVERITY_ORDER[severity] > SEVERITY_ORDER[finding.severity]
        status = "downgraded" if lower else "upgraded"
        draft.events.append(
            Event(
                "downgrade" if lower else "upgrade",
                f"{draft.subject()} was {status} from {finding.severity} to {severity} as {{id}}:"
                f" {result.reason}",
                agents,
            )
        )
    elif result.status != "confirmed":
        status = "confirmed"
    draft.finding = finding.model_copy(
        update={
            "severity": severity,
            "verification": Verification(status=status, note=result.reason, verifier=verifier),
        }
    )


async def _assemble(
    reviews: Sequence[AgentReview],
    change: Change,
    drafts: Sequence[Draft],
    dropped: Sequence[DroppedClaim],
    seat: _Lead,
    repo_context: Sequence[str],
    *,
    reviewers: Sequence[ReviewerInfo],
    wall_clock_s: float,
    date: datetime | None,
) -> Review:
    inline = _sorted([d.finding for d in drafts if d.placement == "inline"])
    appendix = _sorted([d.finding for d in drafts if d.placement == "appendix"])
    reviewed = any(r.status == "completed" for r in reviews)
    verdict, reason = calibrate.verdict(inline, reviewed)
    unchecked_reason = _unchecked_reason(reviews, drafts)
    if unchecked_reason:
        verdict, reason = "Needs changes", f"the review could not be checked: {unchecked_reason}"
    observations = summarise.merge_design_observations(reviews)
    coverage = summarise.coverage(change, reviews)
    retros = [retro.build_retro(r, dropped, drafts, coverage) for r in reviews]
    notices: list[str] = []
    if not reviewed:
        notices.append("No reviewer completed: nothing was reviewed.")
    if unchecked_reason:
        notices.append(f"This review could not be checked against the code: {unchecked_reason}.")
    header = ReviewHeader(
        repo=change.repo_slug,
        branch=change.branch,
        base_ref=change.base_ref,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        diff_hash=change.diff_hash,
        commits=change.commits,
        date=date or _EPOCH,
        reviewers=list(reviewers) or [info_from_review(r) for r in reviews],
        verdict=verdict,
        verdict_reason=reason,
        wall_clock_s=wall_clock_s,
    )
    review = Review(
        header=header,
        findings=inline,
        appendix_findings=appendix,
        design_observations=observations,
        testing_assessment=summarise.merge_assessments([r.testing_assessment for r in reviews]),
        documentation_assessment="\n\n".join(
            summarise.merge_assessments([r.documentation_assessment for r in reviews])
        ),
        commit_structure=summarise.commit_structure(change),
        acknowledged_limitations=summarise.acknowledged_limitations(change),
        retro=retros,
        reconciliation_notes=retro.reconciliation_notes(dropped, drafts),
        process_notes=retro.process_notes(dropped, drafts, repo_context),
        coverage=coverage,
        excluded_files=change.excluded,
        model_verified=seat.verified,
        notices=notices,
        agent_reviews=reviews,
        unchecked=bool(unchecked_reason),
        unchecked_reason=unchecked_reason,
    )
    dropped_count = len(dropped) + sum(1 for d in drafts if d.placement == "dropped")
    return await _narrate(review, change, reviews, seat, dropped_count=dropped_count)


def _unchecked_reason(reviews: Sequence[AgentReview], drafts: Sequence[Draft]) -> str:
    """Why nothing the reviewers said could be checked (empty when something could)."""
    made = sum(len(r.findings) for r in reviews)
    located = any(claim.evidence_match != "unlocated" for draft in drafts for claim in draft.claims)
    if made == 0 or located:
        return ""
    return (
        f"none of the {made} finding{'s' * (made != 1)} the reviewers made could be located in"
        " the code (the cited files are missing or the quoted code is not in them)"
    )


async def _narrate(
    review: Review,
    change: Change,
    reviews: Sequence[AgentReview],
    seat: _Lead,
    *,
    dropped_count: int,
) -> Review:
    """Retro narratives and the executive summary: by the lead when it can, else by template."""
    retros = []
    for agent_retro, agent_review in zip(review.retro, reviews, strict=True):
        text = retro.template_narrative(agent_retro, agent_review)
        if seat.usable and seat.model is not None:
            try:
                text = await seat.model.narrate(agent_retro, agent_review)
            except LeadModelError as error:
                seat.fail(error)
        retros.append(agent_retro.model_copy(update={"narrative": text}))
    review = review.model_copy(update={"retro": retros})
    summary = summarise.template_summary(
        change, reviews, review.findings, len(review.appendix_findings), dropped_count
    )
    if seat.usable and seat.model is not None:
        try:
            summary = (await seat.model.summarise(review)).strip() or summary
        except LeadModelError as error:
            seat.fail(error)
    structure = summarise.structure_line(review.findings, len(review.design_observations))
    review = review.model_copy(update={"executive_summary": f"{summary}\n\n{structure}"})
    notice = seat.notice()
    if notice is not None:
        review = review.model_copy(update={"notices": [notice, *review.notices]})
    return review


def _sorted(findings: list[ReconciledFinding]) -> list[ReconciledFinding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], int(f.id[1:] or 0)))


def info_from_review(review: AgentReview) -> ReviewerInfo:
    """How a reviewer is named when only its own review says who it was."""
    return ReviewerInfo(
        name=review.reviewer,
        provider=review.provider,
        model=review.model,
        effort=review.effort,
        scripted=review.scripted,
    )


def fix_reader(source: TextSource) -> ReadText:
    """``source.read_text`` for checking fixes; a path the source refuses makes a fix invalid.

    A refused path (a symlink out of the repository) reads as None, which a fix would take for
    a file it may create: the report would then call a fix that ``apply`` refuses "applies".
    """
    resolve = getattr(source, "resolve", None)

    def read(path: str) -> str | None:
        if callable(resolve):
            try:
                resolve(path)
            except DeepReviewError:
                raise FixDoesNotApply(
                    f"The fix names {path}, which leads outside the repository.", "invalid"
                ) from None
        return source.read_text(path)

    return read
