"""Tie this round's findings to the prior round's: same problem, superseded, or carried over."""

from __future__ import annotations

import re
from collections.abc import Sequence

from deep_review.model import (
    SEVERITY_ORDER,
    SEVERITY_PREFIX,
    AgentRetro,
    PriorFinding,
    PriorLink,
    PriorRelation,
    ReconciledFinding,
    ReconciliationNote,
    Severity,
    Verification,
)
from deep_review.rounds.text import claim_similarity, code_lines, meaningful
from deep_review.store.fingerprint import finding_fingerprint

SAME_CLAIM = 0.3
_NEAR = 2
_OPEN = ("unaddressed", "partially-addressed")
_DEMOTE: dict[Severity, Severity] = {
    "critical": "important",
    "important": "suggestion",
    "suggestion": "suggestion",
}


def _near(finding: ReconciledFinding, prior: PriorFinding) -> bool:
    if finding.path != (prior.current_path or prior.path):
        return False
    start = prior.current_start_line or prior.start_line
    end = prior.current_end_line or prior.end_line
    return finding.start_line <= end + _NEAR and finding.end_line >= start - _NEAR


def match_score(
    finding: ReconciledFinding, prior: PriorFinding, prior_finding: ReconciledFinding | None
) -> tuple[float, bool, bool]:
    """(claim similarity, same place, same quoted code) of a current and a prior finding."""
    if finding_fingerprint(finding) == prior.fingerprint:
        return 1.0, True, True
    shared = False
    body = ""
    if prior_finding is not None:
        body = prior_finding.body
        same_file = finding.path == (prior.current_path or prior.path)
        common = set(code_lines(finding.evidence)) & set(code_lines(prior_finding.evidence))
        shared = same_file and any(meaningful(line) for line in common)
    similarity = claim_similarity(finding.title, finding.body, prior.title, body)
    return similarity, shared or _near(finding, prior), shared


def relation_for(prior: PriorFinding, same_claim: bool) -> PriorRelation:
    """How a current finding on a prior finding's place relates to it."""
    if not same_claim or prior.status not in _OPEN:
        return "supersedes"
    return "unaddressed" if prior.status == "unaddressed" else "partially-unaddressed"


def link_findings(
    findings: Sequence[ReconciledFinding],
    priors: Sequence[PriorFinding],
    prior_findings: dict[str, ReconciledFinding],
) -> tuple[list[ReconciledFinding], list[PriorFinding]]:
    """Each current finding linked to at most one prior finding (best match first)."""
    pairs = []
    for index, finding in enumerate(findings):
        for prior in priors:
            if prior.status == "dismissed":
                continue
            similarity, same_place, same_code = match_score(
                finding, prior, prior_findings.get(prior.finding_id)
            )
            # Same problem: same place and claim. Superseded: same code, another claim about it.
            if same_place and (similarity >= SAME_CLAIM or same_code):
                pairs.append((similarity, index, prior))
    pairs.sort(key=lambda pair: -pair[0])
    updated = list(findings)
    linked_priors: dict[str, PriorFinding] = {p.finding_id: p for p in priors}
    used_findings: set[int] = set()
    used_priors: set[str] = set()
    for similarity, index, prior in pairs:
        if index in used_findings or prior.finding_id in used_priors:
            continue
        used_findings.add(index)
        used_priors.add(prior.finding_id)
        link = PriorLink(
            round=prior.round,
            finding_id=prior.finding_id,
            relation=relation_for(prior, similarity >= SAME_CLAIM),
            prior_severity=prior.severity,
        )
        updated[index] = updated[index].model_copy(update={"prior": link})
        linked_priors[prior.finding_id] = prior.model_copy(update={"current_id": updated[index].id})
    return updated, [linked_priors[p.finding_id] for p in priors]


def carried_finding(
    prior: PriorFinding, original: ReconciledFinding, lines_now: str
) -> ReconciledFinding:
    """A prior finding still open that no reviewer raised again: kept in the list, marked so."""
    partial = prior.status == "partially-addressed"
    severity = _DEMOTE[prior.severity] if partial else prior.severity
    start = prior.current_start_line or prior.start_line
    end = max(prior.current_end_line or prior.end_line, start)
    note = (
        f"carried from round {prior.round} {prior.finding_id}: {prior.evidence}"
        " (not raised again by this round's reviewers)"
    )
    return original.model_copy(
        update={
            "id": "",
            "severity": severity,
            "path": prior.current_path or prior.path,
            "start_line": start,
            "end_line": end,
            "evidence": lines_now or original.evidence,
            "agents": [],
            "original_severities": {},
            "consensus": 0,
            "verification": Verification(status="confirmed", note=note, verifier="git"),
            "fix_status": None,
            "fix_status_reason": "",
            "prior": PriorLink(
                round=prior.round,
                finding_id=prior.finding_id,
                relation="partially-unaddressed" if partial else "unaddressed",
                prior_severity=prior.severity,
            ),
        }
    )


_ID = re.compile(r"^([CIS])(\d+)$")


def _number(finding: ReconciledFinding, fallback: int) -> int:
    match = _ID.match(finding.id)
    return int(match.group(2)) if match else fallback


def renumber(
    inline: Sequence[ReconciledFinding], appendix: Sequence[ReconciledFinding]
) -> tuple[list[ReconciledFinding], list[ReconciledFinding], dict[str, str]]:
    """IDs C1.. I1.. S1.. again after findings moved severity, were added or removed.

    Order within a severity is kept (by old number; new ones last); the appendix continues the
    count. Returns the old→new ID map (unchanged IDs map to themselves).
    """
    counters = {"C": 0, "I": 0, "S": 0}
    renamed: dict[str, str] = {}

    def key(item: tuple[int, ReconciledFinding]) -> tuple[int, int, int]:
        position, finding = item
        return (SEVERITY_ORDER[finding.severity], _number(finding, 10_000 + position), position)

    result: list[list[ReconciledFinding]] = []
    for group in (inline, appendix):
        out = []
        for _, finding in sorted(enumerate(group), key=key):
            prefix = SEVERITY_PREFIX[finding.severity]
            counters[prefix] += 1
            new_id = f"{prefix}{counters[prefix]}"
            if finding.id:
                renamed[finding.id] = new_id
            out.append(finding.model_copy(update={"id": new_id}))
        result.append(out)
    return result[0], result[1], renamed


_ID_IN_TEXT = re.compile(r"\b([CIS]\d+)\b")


def rename_in_text(text: str, renamed: dict[str, str]) -> str:
    """Finding IDs in the reconciler's prose moved to their new numbers, all in one pass."""
    if not any(old != new for old, new in renamed.items()):
        return text
    return _ID_IN_TEXT.sub(lambda m: renamed.get(m.group(1), m.group(1)), text)


def _renamed_id(finding_id: str | None, renamed: dict[str, str]) -> str | None:
    if not finding_id:
        return None
    new = renamed.get(finding_id, finding_id)
    return new if _ID.match(new) else None


def rename_notes(
    notes: Sequence[ReconciliationNote], renamed: dict[str, str]
) -> list[ReconciliationNote]:
    """Reconciliation notes pointing at the renumbered IDs (their text too)."""
    return [
        note.model_copy(
            update={
                "finding_id": _renamed_id(note.finding_id, renamed),
                "text": rename_in_text(note.text, renamed),
            }
        )
        for note in notes
    ]


def rename_retro(retros: Sequence[AgentRetro], renamed: dict[str, str]) -> list[AgentRetro]:
    """The retro's narratives and lists with renumbered IDs."""

    def fix(items: list[str]) -> list[str]:
        return [rename_in_text(item, renamed) for item in items]

    return [
        retro.model_copy(
            update={
                "narrative": rename_in_text(retro.narrative, renamed),
                "false_positives": fix(retro.false_positives),
                "unique_insights": fix(retro.unique_insights),
                "downgraded": fix(retro.downgraded),
                "dropped": fix(retro.dropped),
            }
        )
        for retro in retros
    ]
