"""Round N+1 over the reconciled review: link, carry, gate, dismiss, renumber (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from deep_review.model import PriorFinding, ReconciledFinding, Review, RoundInfo, Verdict
from deep_review.rounds.classify import classify_prior, prior_lines_now
from deep_review.rounds.dismiss import apply_dismissals
from deep_review.rounds.facts import RoundFacts
from deep_review.rounds.gate import apply_gate
from deep_review.rounds.link import (
    carried_finding,
    link_findings,
    rename_in_text,
    rename_notes,
    rename_retro,
    renumber,
)
from deep_review.severity import zero_counts
from deep_review.store.store import Dismissal

TextLookup = Callable[[str], "str | None"]
DISMISSED_MARK = "dismissed:"
"""What the reconciler's prose says instead of the ID of a finding the user had dismissed."""


@dataclass(frozen=True)
class RoundContext:
    """What the engine knows before the panel runs: the prior round and what became of it."""

    number: int
    prior: Review | None
    facts: RoundFacts | None
    priors: tuple[PriorFinding, ...]
    dismissals: tuple[Dismissal, ...] = ()
    incremental: bool = False
    notes: tuple[str, ...] = ()
    since_diff: str | None = None
    """Incremental rounds: the change since the prior round (unredacted)."""


def prepare_round(
    number: int,
    prior: Review | None,
    facts: RoundFacts | None,
    dismissals: Sequence[Dismissal] = (),
    *,
    incremental: bool = False,
    notes: Sequence[str] = (),
    since_diff: str | None = None,
) -> RoundContext:
    """Classify the prior round's findings against the current code (before any reviewer runs)."""
    dismissed = {d.fingerprint: d.reason for d in dismissals}
    priors = classify_prior(prior, facts, dismissed=dismissed) if prior and facts else []
    return RoundContext(
        number,
        prior,
        facts,
        tuple(priors),
        tuple(dismissals),
        incremental and since_diff is not None,
        tuple(notes),
        since_diff if incremental else None,
    )


def _carry(context: RoundContext, linked: Sequence[PriorFinding]) -> list[ReconciledFinding]:
    if context.prior is None or context.facts is None:
        return []
    carried = []
    for prior in linked:
        if prior.status not in ("unaddressed", "partially-addressed") or prior.current_id:
            continue
        original = context.prior.finding(prior.finding_id)
        if original is not None:
            lines = prior_lines_now(prior, context.facts)
            carried.append(carried_finding(prior, original, lines))
    return carried


VerdictRule = Callable[[Sequence[ReconciledFinding], bool], tuple[Verdict, str]]


def apply_round(
    review: Review,
    context: RoundContext,
    text_for: TextLookup,
    *,
    verdict_for: VerdictRule | None = None,
) -> Review:
    """The review as round ``context.number``: what the prior round said, and what became of it.

    ``verdict_for`` (the reconciler's verdict rule) re-decides the verdict when the round changed
    which findings stand or how severe they are.
    """
    findings = list(review.findings)
    appendix = list(review.appendix_findings)
    findings, dismissed = apply_dismissals(findings, context.dismissals, text_for)
    appendix, dismissed_appendix = apply_dismissals(appendix, context.dismissals, text_for)
    notes = list(review.reconciliation_notes)
    priors: list[PriorFinding] = list(context.priors)
    gate_notes: list[str] = []
    if context.prior is not None and context.facts is not None:
        prior_by_id = {f.id: f for f in context.prior.findings}
        findings, priors = link_findings(findings, priors, prior_by_id)
        findings, gated = apply_gate(findings, priors, context.facts)
        notes.extend(gated)
        gate_notes = [note.text for note in gated]
        findings.extend(_carry(context, priors))
    findings, appendix, renamed = renumber(findings, appendix)
    removed_ids = {f.id for f in [*review.findings, *review.appendix_findings]} - set(renamed)
    renamed.update({old: DISMISSED_MARK for old in removed_ids if old})
    notes = rename_notes(notes, renamed)
    summary = _restructure(rename_in_text(review.executive_summary, renamed), findings, review)
    priors = _point_at_current(priors, findings)
    new_ids = [f.id for f in findings if f.prior is None]
    info = RoundInfo(
        number=context.number,
        prior_round=context.prior.header.round if context.prior else None,
        prior_head_sha=context.prior.header.head_sha if context.prior else "",
        prior_date=context.prior.header.date if context.prior else None,
        incremental=context.incremental,
        prior_findings=priors,
        gate_notes=gate_notes,
        dismissed=[*dismissed, *dismissed_appendix],
        new_ids=new_ids if context.prior is not None else [],
        notes=list(context.notes),
    )
    header = review.header.model_copy(update={"round": context.number})
    if verdict_for is not None and _severities(findings) != _severities(review.findings):
        reviewed = any(r.status == "completed" for r in review.retro) or not review.retro
        header.verdict, header.verdict_reason = verdict_for(findings, reviewed)
    updated = review.model_copy(
        update={
            "findings": findings,
            "appendix_findings": appendix,
            "reconciliation_notes": notes,
            "executive_summary": summary,
            "retro": rename_retro(review.retro, renamed),
            "trail": [
                entry.model_copy(update={"outcome": _renamed_outcome(entry.outcome, renamed)})
                for entry in review.trail
            ],
            "rounds": info,
            "header": header,
        }
    )
    return updated


def _renamed_outcome(outcome: str, renamed: dict[str, str]) -> str:
    """A trail outcome after the round renumbered (or dismissed) findings."""
    new = renamed.get(outcome)
    if new is None:
        return outcome
    return "dismissed" if new == DISMISSED_MARK else new


_STRUCTURE = re.compile(r"^Structure:.*$", re.MULTILINE)


def _restructure(summary: str, findings: Sequence[ReconciledFinding], review: Review) -> str:
    """The summary's ``Structure:`` line recounted after the round moved findings."""
    counts = zero_counts()
    for finding in findings:
        counts[finding.severity] += 1
    observations = len(review.design_observations)
    line = (
        f"Structure: {counts['critical']} critical, {counts['important']} important,"
        f" {counts['suggestion']} suggestion{'s' * (counts['suggestion'] != 1)},"
        f" {observations} design observation{'s' * (observations != 1)}."
    )
    return _STRUCTURE.sub(line, summary, count=1)


def _severities(findings: Sequence[ReconciledFinding]) -> list[str]:
    return sorted(f.severity for f in findings)


def _point_at_current(
    priors: Sequence[PriorFinding], findings: Sequence[ReconciledFinding]
) -> list[PriorFinding]:
    by_prior = {f.prior.finding_id: f.id for f in findings if f.prior is not None}
    return [p.model_copy(update={"current_id": by_prior.get(p.finding_id)}) for p in priors]
