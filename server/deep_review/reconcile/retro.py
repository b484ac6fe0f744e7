"""Stage 6: how each reviewer did, the reconciliation notes, and lessons for the next review."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from deep_review.model import (
    SEVERITY_ORDER,
    AgentRetro,
    AgentReview,
    FileCoverageSummary,
    ProcessNotes,
    ReconciliationNote,
    Severity,
)
from deep_review.reconcile.combine import Draft
from deep_review.reconcile.ground import DroppedClaim
from deep_review.severity import SEVERITY_PREFIX


def build_retro(
    review: AgentReview,
    dropped: Sequence[DroppedClaim],
    drafts: Sequence[Draft],
    coverage: Sequence[FileCoverageSummary],
) -> AgentRetro:
    """One reviewer's retro column (without the lead's narrative)."""
    agent = review.reviewer
    by_severity = Counter(f.severity for f in review.findings)
    false_positives = [
        f'{d.local_id} "{d.finding.title}": {d.reason}' for d in dropped if d.agent == agent
    ]
    removed = list(false_positives)
    downgraded: list[str] = []
    for draft in drafts:
        mine = [c for c in draft.claims if c.agent == agent]
        if not mine:
            continue
        final = draft.finding
        if draft.placement == "dropped":
            for claim in mine:
                entry = f'{claim.local_id} "{claim.finding.title}": {draft.placement_reason}'
                false_positives.append(entry)
                removed.append(entry)
            continue
        if draft.placement == "appendix" and draft.placement_cause == "outside-change":
            removed.extend(
                f'{c.local_id} "{c.finding.title}": {draft.placement_reason}' for c in mine
            )
        original = final.original_severities.get(agent)
        if original and SEVERITY_ORDER[original] < SEVERITY_ORDER[final.severity]:
            local = ", ".join(c.local_id for c in mine)
            downgraded.append(
                f"{local} → {final.id} ({SEVERITY_PREFIX[original]}"
                f"→{SEVERITY_PREFIX[final.severity]}): {final.title}"
            )
    unique = [
        f"{d.finding.id} {d.finding.title}"
        for d in sorted(drafts, key=lambda d: _id_key(d.finding.id))
        if d.placement == "inline" and d.finding.agents == [agent]
    ]
    return AgentRetro(
        agent=agent,
        model=review.model,
        status=review.status,
        error=review.error,
        duration_s=review.stats.duration_s,
        findings_by_severity={
            s: by_severity[s] for s in ("critical", "important", "suggestion") if by_severity[s]
        },
        tool_calls=dict(sorted(review.stats.tool_calls.items(), key=lambda kv: (-kv[1], kv[0]))),
        design_concerns=sum(1 for o in review.design_observations if o.kind == "concern"),
        design_strengths=sum(1 for o in review.design_observations if o.kind == "strength"),
        false_positives=false_positives,
        unique_insights=unique,
        files_reviewed=sum(1 for c in coverage if agent in c.reviewed_by),
        files_total=len(coverage),
        coverage_misses=[c.path for c in coverage if agent in c.missed_by],
        downgraded=downgraded,
        dropped=removed,
    )


def _id_key(finding_id: str) -> tuple[int, int]:
    order = {"C": 0, "I": 1, "S": 2}
    return (order.get(finding_id[:1], 3), int(finding_id[1:] or 0))


def template_narrative(retro: AgentRetro, review: AgentReview) -> str:
    """A factual paragraph on one reviewer, used when no lead model writes one."""
    if review.status != "completed":
        return (
            f"{retro.agent} {review.status.replace('-', ' ')}: {review.error or 'no reason given'}."
        )
    counts = " ".join(
        f"{n}{SEVERITY_PREFIX[s]}" for s, n in sorted(retro.findings_by_severity.items(), key=_sev)
    )
    raised = sum(retro.findings_by_severity.values())
    parts = [
        f"{retro.agent} raised {raised} finding{'s' * (raised != 1)}"
        + (f" ({counts})" if counts else "")
        + f" with {sum(retro.tool_calls.values())} tool calls"
        + f", covering {retro.files_reviewed} of {retro.files_total} files."
    ]
    if retro.unique_insights:
        parts.append(f"Only {retro.agent} found {', '.join(retro.unique_insights)}.")
    if retro.downgraded:
        parts.append(f"Downgraded: {'; '.join(retro.downgraded)}.")
    if retro.false_positives:
        parts.append(f"Did not hold: {'; '.join(retro.false_positives)}.")
    if retro.coverage_misses:
        parts.append(f"Did not cover {', '.join(retro.coverage_misses)}.")
    return " ".join(parts)


def _sev(item: tuple[Severity, int]) -> int:
    return SEVERITY_ORDER[item[0]]


def reconciliation_notes(
    dropped: Sequence[DroppedClaim], drafts: Sequence[Draft]
) -> list[ReconciliationNote]:
    """Every merge, re-anchor, downgrade, drop and appendix move, with its reason."""
    notes = [
        ReconciliationNote(
            kind="drop",
            text=f'{d.agent}\'s {d.local_id} "{d.finding.title}" was dropped: {d.reason}.',
            agents=[d.agent],
        )
        for d in dropped
    ]
    for draft in sorted(drafts, key=lambda d: _id_key(d.finding.id)):
        finding_id = draft.finding.id or None
        for event in draft.events:
            notes.append(
                ReconciliationNote(
                    kind=event.kind,
                    text=_sentence(event.text.replace("{id}", finding_id or "?")),
                    agents=list(event.agents),
                    finding_id=finding_id,
                )
            )
    return notes


# Why a grounding drop happened → what reviewers should do differently next time.
_LESSONS = (
    (
        "does not exist",
        "Open a file before citing it: {n} finding(s) ({who}) cited paths that are not in the"
        " reviewed tree.",
    ),
    (
        "evidence is not in",
        "Quote evidence verbatim from the cited lines: {n} finding(s) ({who}) quoted code that"
        " is not in the file.",
    ),
    (
        "past the end",
        "Take line numbers from a fresh read of the file: {n} finding(s) ({who}) cited lines past"
        " the end of the file.",
    ),
)


def _first_lesson(reason: str) -> str | None:
    return next((marker for marker, _ in _LESSONS if marker in reason), None)


def process_notes(
    dropped: Sequence[DroppedClaim], drafts: Sequence[Draft], repo_context: Sequence[str]
) -> ProcessNotes:
    """Skill improvements from the patterns of drops and downgrades; repo facts learned."""
    improvements: list[str] = []
    for marker, lesson in _LESSONS:
        # Each drop teaches one lesson: the first reason it shows (a made-up quote at made-up
        # lines is about quoting, not line numbers).
        hits = [d for d in dropped if _first_lesson(d.reason) == marker]
        if hits:
            who = ", ".join(sorted({d.agent for d in hits}))
            improvements.append(lesson.format(n=len(hits), who=who))
    reanchored = sorted({c.agent for d in drafts for c in d.claims if c.reanchored_from})
    if reanchored:
        improvements.append(
            "Cite the lines the quoted code is on: findings from "
            f"{', '.join(reanchored)} had to be re-anchored to where their excerpt is."
        )
    capped = [
        e for d in drafts for e in d.events if e.kind == "downgrade" and "critical is" in e.text
    ]
    if capped:
        who = ", ".join(sorted({a for e in capped for a in e.agents}))
        improvements.append(
            "Reserve critical for data loss, security, crashes and ship-blockers:"
            f" {len(capped)} critical claim(s) ({who}) were ordinary bugs."
        )
    verifier_drops = [d for d in drafts if d.placement == "dropped"]
    if verifier_drops:
        who = ", ".join(sorted({a for d in verifier_drops for a in d.finding.agents}))
        improvements.append(
            "Check the code path a claim depends on before reporting it:"
            f" {len(verifier_drops)} finding(s) ({who}) did not survive verification."
        )
    unique_context = list(dict.fromkeys(c.strip() for c in repo_context if c.strip()))
    return ProcessNotes(skill_improvements=improvements, repo_context_updates=unique_context)


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."
