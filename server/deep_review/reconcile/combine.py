"""Turn one group of claims into one finding: attribution, clearest explanation, best fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from deep_review.fixes import check_fix
from deep_review.model import (
    SEVERITY_ORDER,
    Category,
    FixStatus,
    ReconciledFinding,
    RelatedLocation,
    Severity,
    Verification,
)
from deep_review.reconcile.ground import Claim
from deep_review.reconcile.merge import Group

NoteKind = Literal["merge", "downgrade", "upgrade", "drop", "reanchor", "reclassify", "appendix"]
ReadText = Callable[[str], str | None]

_EVIDENCE_RANK = {
    "at-lines": 3,
    "reanchored": 2,
    "removed-code": 2,
    "no-evidence": 0,
    "unlocated": -1,
}
_FIX_RANK: dict[FixStatus | None, int] = {
    "applies": 5,
    "applies-with-offset": 4,
    "ambiguous": 2,
    "stale": 1,
    "invalid": 0,
    None: -1,
}


@dataclass(frozen=True)
class Event:
    """Something the reconciler did to a finding, for the reconciliation notes."""

    kind: NoteKind
    text: str
    agents: tuple[str, ...]


PlacementCause = Literal[
    "outside-change", "unlocated", "below-minimum", "suggestion-limit", "refuted"
]


@dataclass
class Draft:
    """A merged finding on its way to the final list."""

    claims: list[Claim]
    finding: ReconciledFinding
    events: list[Event] = field(default_factory=list)
    placement: Literal["inline", "appendix", "dropped"] = "inline"
    placement_reason: str = ""
    placement_cause: PlacementCause | None = None
    """Why it is not inline, as a kind (the reason above is its wording for people)."""

    @property
    def agents(self) -> list[str]:
        return self.finding.agents

    def subject(self, claims: Sequence[Claim] | None = None) -> str:
        """'claude's I1 and gpt's I2 ("title")': how notes name what they are about."""
        chosen = list(claims if claims is not None else self.claims)
        return f'{_joined([c.label for c in chosen])} ("{self.finding.title}")'


def _primary(claims: Sequence[Claim]) -> Claim:
    """The claim with the clearest explanation: grounded evidence, then a fuller body."""
    return max(
        claims,
        key=lambda c: (
            _EVIDENCE_RANK[c.evidence_match],
            min(len(c.finding.body), 1500) // 150,
            c.finding.fix is not None,
            -c.agent_order,
            -c.index,
        ),
    )


def _category(claims: Sequence[Claim], primary: Claim) -> Category:
    """The category most agents gave; the primary's on a tie."""
    votes = Counter(c.finding.category for c in claims)
    top = max(votes.values())
    if votes[primary.finding.category] == top:
        return primary.finding.category
    return sorted(cat for cat, n in votes.items() if n == top)[0]


def _highest(severities: Sequence[Severity]) -> Severity:
    return min(severities, key=lambda s: SEVERITY_ORDER[s])


def _best_fix(
    claims: Sequence[Claim], primary: Claim, read_text: ReadText
) -> tuple[str | None, FixStatus | None, str]:
    """The fix that applies best; the primary's fix wins a tie."""
    best: tuple[int, int, str | None, FixStatus | None, str] = (-1, 0, None, None, "")
    for claim in claims:
        patch = claim.finding.fix
        if not patch or not patch.strip():
            continue
        status, reason = check_fix(patch, read_text, claim.finding)
        rank = (_FIX_RANK[status], 1 if claim is primary else 0)
        if rank > best[:2]:
            best = (*rank, patch, status, reason)
    if best[2] is None:
        return None, None, "No fix was suggested."
    return best[2], best[3], best[4]


def _related(claims: Sequence[Claim], primary: Claim) -> list[RelatedLocation]:
    """Every related location, plus where other agents placed the problem, without repeats."""
    seen: set[tuple[str, int, int]] = {
        (primary.finding.path, primary.finding.start_line, primary.finding.end_line)
    }
    related: list[RelatedLocation] = []
    for claim in claims:
        spans = list(claim.finding.related)
        if claim is not primary and claim.finding.path != primary.finding.path:
            spans.append(
                RelatedLocation(
                    path=claim.finding.path,
                    start_line=claim.finding.start_line,
                    end_line=claim.finding.end_line,
                    note=f"also reported here by {claim.agent}",
                )
            )
        for location in spans:
            key = (location.path, location.start_line, location.end_line)
            if key not in seen:
                seen.add(key)
                related.append(location)
    return sorted(related, key=lambda r: (r.path, r.start_line, r.end_line, r.note))


def build_draft(group: Group, read_text: ReadText) -> Draft:
    """One merged finding from a group, keeping every agent and its original severity."""
    claims = sorted(group.claims, key=lambda c: c.key)
    primary = _primary(claims)
    agents: list[str] = []
    originals: dict[str, Severity] = {}
    for claim in claims:
        if claim.agent not in agents:
            agents.append(claim.agent)
        previous = originals.get(claim.agent)
        originals[claim.agent] = _highest(
            [claim.finding.severity, *([previous] if previous else [])]
        )
    fix, fix_status, fix_reason = _best_fix(claims, primary, read_text)
    evidence = primary.finding.evidence or next(
        (c.finding.evidence for c in claims if c.finding.evidence), ""
    )
    finding = ReconciledFinding(
        id="",
        path=primary.finding.path,
        start_line=primary.finding.start_line,
        end_line=primary.finding.end_line,
        severity=_highest([c.finding.severity for c in claims]),
        category=_category(claims, primary),
        title=primary.finding.title,
        body=primary.finding.body,
        evidence=evidence,
        fix=fix,
        related=_related(claims, primary),
        agents=agents,
        original_severities=originals,
        verification=Verification(),
        fix_status=fix_status,
        fix_status_reason=fix_reason,
        consensus=len(agents),
    )
    draft = Draft(claims, finding)
    if len(claims) > 1:
        draft.events.append(Event("merge", _merge_text(claims, group.reasons), tuple(agents)))
    for claim in claims:
        if claim.reanchored_from is not None:
            old = claim.reanchored_from
            draft.events.append(
                Event(
                    "reanchor",
                    f"{claim.label} cited {claim.finding.path}:{old[0]}-{old[1]}; the quoted code"
                    f" is at lines {claim.finding.start_line}-{claim.finding.end_line}, so it was"
                    " re-anchored there",
                    (claim.agent,),
                )
            )
    return draft


def _joined(labels: Sequence[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _merge_text(claims: Sequence[Claim], reasons: Sequence[str]) -> str:
    """How a merge is noted: who was merged as {id}, why, and any severity disagreement."""
    text = f"{_joined([c.label for c in claims])} were merged as {{id}} ({'; '.join(reasons)})"
    severities = {c.finding.severity for c in claims}
    if len(severities) > 1:
        said = ", ".join(f"{c.label} {c.finding.severity}" for c in claims)
        text += f"; severities differed ({said}), the highest was kept for verification"
    return text
