"""Dismissed findings stay dismissed: matched by place and claim, not by title alone (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deep_review.model import DismissedFinding, ReconciledFinding
from deep_review.rounds.text import claim_similarity, code_lines, meaningful
from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.store import Dismissal

SAME_CLAIM = 0.3
_NEAR = 3

TextLookup = Callable[[str], "str | None"]
"""Repository path → its current text (None when absent)."""


def _evidence_now(dismissal: Dismissal, text: str | None) -> tuple[bool, set[int]]:
    """Whether the dismissed code is still in the file, and the lines (1-based) it is on now."""
    wanted = [line for line in code_lines(dismissal.evidence) if meaningful(line)]
    if text is None:
        return False, set()
    if not wanted:
        return True, set()
    lines = [" ".join(x.split()) for x in text.splitlines()]
    at = {number for number, line in enumerate(lines, 1) if line in set(wanted)}
    still = all(any(lines[n - 1] == w for n in at) for w in wanted)
    return still, at


def dismissal_matches(
    finding: ReconciledFinding, dismissal: Dismissal, current_text: str | None
) -> bool:
    """The same problem the user dismissed, while the code it was about is still there."""
    if finding_fingerprint(finding) == dismissal.fingerprint:
        return True
    if finding.path != dismissal.path:
        return False
    still_there, lines_now = _evidence_now(dismissal, current_text)
    if not still_there:
        return False  # the code changed: the dismissal no longer speaks for it
    shared = set(code_lines(finding.evidence)) & set(code_lines(dismissal.evidence))
    near = any(finding.start_line - _NEAR <= n <= finding.end_line + _NEAR for n in lines_now)
    if not lines_now and dismissal.start_line:
        near = finding.start_line <= dismissal.end_line + _NEAR and (
            finding.end_line >= dismissal.start_line - _NEAR
        )
    if not (shared or near):
        return False
    similarity = claim_similarity(finding.title, finding.body, dismissal.title, dismissal.body)
    return similarity >= SAME_CLAIM


def apply_dismissals(
    findings: Sequence[ReconciledFinding],
    dismissals: Sequence[Dismissal],
    text_for: TextLookup,
) -> tuple[list[ReconciledFinding], list[DismissedFinding]]:
    """Findings less the dismissed ones; the dismissed ones listed with the user's reason."""
    kept: list[ReconciledFinding] = []
    dropped: list[DismissedFinding] = []
    texts: dict[str, str | None] = {}
    for finding in findings:
        if finding.path not in texts:
            texts[finding.path] = text_for(finding.path)
        match = next(
            (d for d in dismissals if dismissal_matches(finding, d, texts[finding.path])), None
        )
        if match is None:
            kept.append(finding)
            continue
        dropped.append(
            DismissedFinding(
                title=finding.title,
                path=finding.path,
                start_line=finding.start_line,
                end_line=finding.end_line,
                severity=finding.severity,
                reason=match.reason,
                dismissed_as=match.finding_id,
                agents=list(finding.agents),
            )
        )
    return kept, dropped
