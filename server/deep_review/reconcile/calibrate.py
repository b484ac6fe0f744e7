"""Stage 4: severity rules, confidence, noise control, numbering and the verdict."""

from __future__ import annotations

import re
from collections.abc import Sequence

from deep_review.config import ReconcileConfig
from deep_review.model import SEVERITY_ORDER, SEVERITY_PREFIX, ReconciledFinding, Verdict
from deep_review.reconcile.combine import Draft, Event

# Critical is reserved for these; anything else a user will hit is important at most.
_CRITICAL_CLASS = re.compile(
    # Word starts only ("hang" must not match "change"); endings are left open (corrupt-ed).
    r"\b(?:data[- ]loss|lose[sd]? (?:the |all |their )?(?:data|work|changes|files)|loss of"
    r"|losing|corrupt|destroy|wipe|irreversib|delet|security|vulnerab|inject|exploit"
    r"|xss\b|csrf\b|ssrf\b|path traversal|secret|credential|password|api key|privilege"
    r"|authentication|authori[sz]ation|bypass|remote code|rce\b|crash|panic|segfault|abort"
    r"|deadlock|hangs?\b|hung\b|infinite loop|denial of service|dos\b|out of memory|oom\b"
    r"|overflow|use[- ]after[- ]free|race\b|race condition|ship[- ]?blocker"
    r"|blocks? (?:the )?(?:release|ship|merge)|cannot start|fails to start|does not build"
    r"|doesn't build|build fails|won't compile|does not compile)",
    re.IGNORECASE,
)

# Which severities rank at or above a threshold.
_AT_LEAST = {
    "critical": ("critical",),
    "important": ("critical", "important"),
    "suggestion": ("critical", "important", "suggestion"),
}


def cap_critical(draft: Draft) -> None:
    """Downgrade a critical finding that is not data loss, security, a crash or a ship-blocker."""
    finding = draft.finding
    if finding.severity != "critical":
        return
    if _CRITICAL_CLASS.search(f"{finding.title}\n{finding.body}"):
        return
    draft.finding = finding.model_copy(update={"severity": "important"})
    claims = [c for c in draft.claims if c.finding.severity == "critical"]
    draft.events.append(
        Event(
            "downgrade",
            f"{draft.subject(claims)} was downgraded from critical to important as {{id}}:"
            " critical is kept for data loss, security, crashes and ship-blockers, and this is a"
            " bug users will hit",
            tuple(dict.fromkeys(c.agent for c in claims)),
        )
    )


def confidence(draft: Draft) -> float:
    """How sure the review is: consensus, verification, grounded evidence, an applying fix."""
    finding = draft.finding
    score = 0.4 + min(0.15 * (finding.consensus - 1), 0.3)
    score += {"confirmed": 0.25, "upgraded": 0.2, "downgraded": 0.1, "unverified": 0.0}[
        finding.verification.status
    ]
    matches = {claim.evidence_match for claim in draft.claims}
    if "at-lines" in matches:
        score += 0.1
    elif matches == {"no-evidence"}:
        score -= 0.1
    if finding.fix_status in ("applies", "applies-with-offset"):
        score += 0.05
    if finding.outside_diff:
        score -= 0.05
    return round(min(max(score, 0.05), 0.99), 2)


def place_by_noise_rules(drafts: Sequence[Draft], config: ReconcileConfig) -> None:
    """Move findings below the minimum severity and surplus suggestions to the appendix."""
    allowed = _AT_LEAST[config.min_severity]
    for draft in drafts:
        if draft.placement == "inline" and draft.finding.severity not in allowed:
            draft.placement = "appendix"
            draft.placement_reason = f"below the minimum severity reported ({config.min_severity})"
            draft.placement_cause = "below-minimum"
    suggestions = [
        d for d in drafts if d.placement == "inline" and d.finding.severity == "suggestion"
    ]
    suggestions.sort(key=lambda d: (-d.finding.confidence, -d.finding.consensus, _order_key(d)))
    for draft in suggestions[config.max_suggestions :]:
        draft.placement = "appendix"
        draft.placement_cause = "suggestion-limit"
        draft.placement_reason = (
            f"past the limit of {config.max_suggestions} suggestions (lowest confidence first)"
        )


def _order_key(draft: Draft) -> tuple[int, str, int, int, str]:
    f = draft.finding
    return (SEVERITY_ORDER[f.severity], f.path, f.start_line, f.end_line, f.title)


def number(drafts: Sequence[Draft]) -> None:
    """Give IDs C1.. I1.. S1.. by severity, path and line; the appendix continues the count."""
    counters = {"C": 0, "I": 0, "S": 0}
    for placement in ("inline", "appendix"):
        for draft in sorted((d for d in drafts if d.placement == placement), key=_order_key):
            prefix = SEVERITY_PREFIX[draft.finding.severity]
            counters[prefix] += 1
            draft.finding = draft.finding.model_copy(update={"id": f"{prefix}{counters[prefix]}"})


def _id_range(findings: Sequence[ReconciledFinding]) -> str:
    ids = [f.id for f in findings]
    return ids[0] if len(ids) == 1 else f"{ids[0]}-{ids[-1]}"


def verdict(findings: Sequence[ReconciledFinding], reviewed: bool) -> tuple[Verdict, str]:
    """The verdict and its one-line reason, from the inline findings."""
    if not reviewed:
        return "Needs changes", "no reviewer completed, so the change was not reviewed"
    critical = [f for f in findings if f.severity == "critical"]
    important = [f for f in findings if f.severity == "important"]
    suggestions = [f for f in findings if f.severity == "suggestion"]
    tail = f"; {len(suggestions)} suggestion{'s' * (len(suggestions) != 1)}" if suggestions else ""
    if critical:
        return "Do not merge", (
            f"{len(critical)} critical issue{'s' * (len(critical) != 1)} ({_id_range(critical)})"
            f" must be fixed first{tail}"
        )
    if len(important) >= 5:
        return "Needs changes", (
            f"{len(important)} important issues ({_id_range(important)}) need rework{tail}"
        )
    if important:
        return "Merge with fixes", (
            f"{len(important)} important issue{'s' * (len(important) != 1)}"
            f" ({_id_range(important)}) to fix before merging{tail}"
        )
    if suggestions:
        return "Approve with suggestions", (
            f"no blocking issues; {len(suggestions)} suggestion{'s' * (len(suggestions) != 1)}"
        )
    return "Approve", "no issues found"
