"""The prior-round gate: a suggestion last round stays a suggestion unless its code changed."""

from __future__ import annotations

from collections.abc import Sequence

from deep_review.model import PriorFinding, ReconciledFinding, ReconciliationNote
from deep_review.rounds.classify import changed_lines_near
from deep_review.rounds.facts import RoundFacts

MATERIAL_LINES = 3
"""Lines added or removed around a finding that count as a material change of its code."""


def apply_gate(
    findings: Sequence[ReconciledFinding],
    priors: Sequence[PriorFinding],
    facts: RoundFacts,
) -> tuple[list[ReconciledFinding], list[ReconciliationNote]]:
    """Findings with the gate applied, and a note for every place it applied (or was lifted)."""
    by_id = {p.finding_id: p for p in priors}
    out: list[ReconciledFinding] = []
    notes: list[ReconciliationNote] = []
    for finding in findings:
        link = finding.prior
        prior = by_id.get(link.finding_id) if link else None
        if link is None or prior is None or link.relation == "supersedes":
            out.append(finding)
            continue
        if prior.severity != "suggestion" or finding.severity == "suggestion":
            out.append(finding)
            continue
        changed = changed_lines_near(prior, facts)
        label = f"round {prior.round} {prior.finding_id}"
        if changed >= MATERIAL_LINES:
            notes.append(
                ReconciliationNote(
                    kind="upgrade",
                    text=(
                        f"Prior-round gate lifted: {label} was a suggestion, and {changed} lines"
                        f" around it changed since round {prior.round}, so the reviewers'"
                        f" {finding.severity} stands."
                    ),
                    finding_id=finding.id,
                    agents=list(finding.agents),
                )
            )
            out.append(finding)
            continue
        notes.append(
            ReconciliationNote(
                kind="downgrade",
                text=(
                    f"Prior-round gate: {label} was a suggestion and the code around it did not"
                    f" change materially since ({changed} lines), so it stays a suggestion"
                    f" (raised as {finding.severity})."
                ),
                finding_id=finding.id,
                agents=list(finding.agents),
            )
        )
        out.append(finding.model_copy(update={"severity": "suggestion"}))
    return out, notes
