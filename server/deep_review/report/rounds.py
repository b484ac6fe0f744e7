"""The round-2 shape of the report (002): round header, "since round N", labels, dismissals.

Self-contained: ``build.py`` calls these at a few points; SARIF gets ``baselineState``.
"""

from __future__ import annotations

from typing import Any

from deep_review.model import PriorFinding, ReconciledFinding, Review, RoundInfo
from deep_review.report import escape
from deep_review.report.document import Document

_STATUS_LABEL = {
    "addressed": "addressed",
    "partially-addressed": "partially addressed",
    "unaddressed": "unaddressed",
    "obsolete": "obsolete (code removed)",
    "dismissed": "dismissed",
}


def _prior_info(review: Review) -> RoundInfo | None:
    info = review.rounds
    return info if info is not None and info.prior_round is not None else None


def round_header_cell(review: Review) -> str:
    """``2 (since round 1 at `88abad6`, 2026-04-24)``, or just the number in round 1."""
    info = _prior_info(review)
    if info is None:
        return str(review.header.round)
    since = f"since round {info.prior_round}"
    if info.prior_head_sha:
        since += f" at {escape.code_span(info.prior_head_sha[:9])}"
    if info.prior_date is not None:
        since += f", {info.prior_date.strftime('%Y-%m-%d')}"
    mode = "; incremental: the change since then in full" if info.incremental else ""
    return f"{review.header.round} ({since}{mode})"


def title_suffix(finding: ReconciledFinding) -> str:
    """`` — round 1 S5 unaddressed`` / `` — supersedes round 1 S1`` (empty when new)."""
    return f" — {escape.plain(finding.prior.label)}" if finding.prior is not None else ""


def _ref(prior: PriorFinding) -> str:
    return f"{prior.finding_id} ({escape.inline(prior.title)})"


def since_round_summary(review: Review) -> str:
    """The executive summary's opening: what was fixed since round N, and what stayed open."""
    info = _prior_info(review)
    if info is None:
        return ""
    head = f" (commit {escape.code_span(info.prior_head_sha[:9])})" if info.prior_head_sha else ""
    total = len(info.prior_findings)
    parts = [
        f"Round {review.header.round} of this branch. Since round {info.prior_round}{head}"
        f" the author has addressed {info.count('addressed')} of {total} findings"
    ]
    by_status: dict[str, list[PriorFinding]] = {}
    for prior in info.prior_findings:
        by_status.setdefault(prior.status, []).append(prior)
    fixed = by_status.get("addressed", [])
    if fixed:
        parts[0] += ": " + "; ".join(_ref(p) for p in fixed)
    parts[0] += "."
    for status, lead in (
        ("partially-addressed", "Partially addressed"),
        ("unaddressed", "Still open"),
        ("obsolete", "Obsolete (their code is gone)"),
        ("dismissed", "Dismissed"),
    ):
        found = by_status.get(status, [])
        if found:
            parts.append(f"{lead}: " + "; ".join(_ref(p) for p in found) + ".")
    disproved = [p for p in info.prior_findings if any(c.check == "disproved" for c in p.citations)]
    if disproved:
        parts.append(
            "Cited as fixed but still present: "
            + "; ".join(f"{p.finding_id} ({escape.plain(p.citation_label)})" for p in disproved)
            + "."
        )
    if info.new_ids:
        parts.append(f"New in this round: {', '.join(info.new_ids)}.")
    return " ".join(parts)


def since_round_section(doc: Document, review: Review) -> None:
    """The "Since round N" table: every prior finding, its status, the evidence, where it is now."""
    info = _prior_info(review)
    if info is None:
        return
    doc.heading(2, f"Since round {info.prior_round}", anchor="since-prior-round")
    if not info.prior_findings:
        doc.markdown(f"Round {info.prior_round} had no findings.")
    else:
        rows = []
        for prior in info.prior_findings:
            evidence = escape.inline(prior.evidence)
            if prior.citations:
                evidence += f" — {escape.plain(prior.citation_label)}"
            rows.append(
                [
                    f"round {prior.round} {escape.plain(prior.finding_id)}",
                    escape.inline(prior.title),
                    prior.severity,
                    f"**{_STATUS_LABEL[prior.status]}**",
                    evidence,
                    escape.plain(prior.current_id) if prior.current_id else "—",
                ]
            )
        doc.table(["Prior", "Finding", "Severity", "Status", "Evidence", "Now"], rows)
    if info.gate_notes:
        doc.markdown(
            "Prior-round gate:\n\n" + "\n".join(f"- {escape.inline(n)}" for n in info.gate_notes)
        )


def dismissed_section(doc: Document, review: Review) -> None:
    """At the end: findings raised again this round but dismissed by the user, with the reason."""
    info = review.rounds
    if info is None or not info.dismissed:
        return
    doc.rule()
    doc.heading(2, "Dismissed findings", anchor="dismissed-findings")
    rows = [
        [
            escape.plain(d.dismissed_as) or "—",
            escape.inline(d.title),
            escape.plain(f"{d.path}:{d.start_line}-{d.end_line}"),
            escape.inline(d.reason) or "no reason given",
            escape.plain(", ".join(d.agents)) or "—",
        ]
        for d in info.dismissed
    ]
    doc.table(["Dismissed as", "Finding", "Where", "Reason", "Raised again by"], rows)


# -- SARIF ---------------------------------------------------------------------------------------


def baseline_state(review: Review, finding: ReconciledFinding) -> str | None:
    """SARIF ``baselineState`` of a finding against the prior round (None in round 1)."""
    if _prior_info(review) is None:
        return None
    link = finding.prior
    if link is None:
        return "new"
    if link.relation == "unaddressed" and link.prior_severity in (None, finding.severity):
        return "unchanged"
    return "updated"


def add_baseline_states(review: Review, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results with ``baselineState``, plus the prior findings now absent (and dismissed)."""
    info = _prior_info(review)
    by_id = {f.id: f for f in [*review.findings, *review.appendix_findings]}
    for result in results:
        finding = by_id.get(str(result.get("properties", {}).get("id", "")))
        state = baseline_state(review, finding) if finding is not None else None
        if state is not None:
            result["baselineState"] = state
            if finding is not None and finding.prior is not None:
                result["properties"]["priorRound"] = finding.prior.model_dump()
                result["message"]["text"] += f" — {finding.prior.label}"
    if info is None:
        return results
    absent = [
        _absent_result(prior)
        for prior in info.prior_findings
        if prior.status in ("addressed", "obsolete") or prior.current_id is None
    ]
    return [*results, *absent, *(_dismissed_result(review, d) for d in range(len(info.dismissed)))]


def _location(path: str, start: int, end: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": start, "endLine": max(end, start)},
        }
    }


def _absent_result(prior: PriorFinding) -> dict[str, Any]:
    return {
        "ruleId": f"{prior.severity}-{prior.category}",
        "kind": "pass",
        "level": "none",
        "baselineState": "absent",
        "message": {
            "text": f"round {prior.round} {prior.finding_id}. {prior.title}: "
            f"{_STATUS_LABEL[prior.status]} — {prior.evidence}"
        },
        "locations": [_location(prior.path, prior.start_line, prior.end_line)],
        "partialFingerprints": {"deepReviewFinding/v1": prior.fingerprint},
        "properties": {
            "priorId": prior.finding_id,
            "priorRound": prior.round,
            "status": prior.status,
            "citations": [c.model_dump() for c in prior.citations],
        },
    }


def _dismissed_result(review: Review, index: int) -> dict[str, Any]:
    assert review.rounds is not None
    dismissed = review.rounds.dismissed[index]
    return {
        "ruleId": f"{dismissed.severity}-gap",
        "level": "none",
        "baselineState": "unchanged",
        "message": {"text": f"{dismissed.title} (dismissed)"},
        "locations": [_location(dismissed.path, dismissed.start_line, dismissed.end_line)],
        "suppressions": [{"kind": "external", "justification": dismissed.reason or "dismissed"}],
        "properties": {"dismissedAs": dismissed.dismissed_as},
    }
