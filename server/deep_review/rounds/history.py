"""A finding's history across rounds, and a round's one-line status (pure over saved reviews)."""

from __future__ import annotations

from collections.abc import Sequence

from deep_review.model import PriorFinding, ReconciledFinding, Review

_STATUS = {
    "addressed": "addressed",
    "partially-addressed": "partially addressed",
    "unaddressed": "unaddressed",
    "obsolete": "obsolete",
    "dismissed": "dismissed",
}


def round_summary(review: Review) -> str | None:
    """``round 2: 5 addressed, 2 open, 1 new`` (None in round 1)."""
    info = review.rounds
    if info is None or info.prior_round is None:
        return None
    addressed = info.count("addressed")
    still_open = info.count("unaddressed") + info.count("partially-addressed")
    return (
        f"round {review.header.round}: {addressed} addressed, {still_open} open,"
        f" {len(info.new_ids)} new"
    )


def diagnostic_note(finding: ReconciledFinding) -> str:
    """``round 1 S5, unaddressed`` / ``supersedes round 1 S1`` (empty for a new finding)."""
    link = finding.prior
    if link is None:
        return ""
    if link.relation == "supersedes":
        return f"supersedes round {link.round} {link.finding_id}"
    state = "partially unaddressed" if link.relation == "partially-unaddressed" else "unaddressed"
    return f"round {link.round} {link.finding_id}, {state}"


def _prior_review(reviews: Sequence[Review], review: Review) -> Review | None:
    info = review.rounds
    if info is None or info.prior_round is None:
        return None
    candidates = [
        r
        for r in reviews
        if r.header.branch == review.header.branch and r.header.round == info.prior_round
    ]
    exact = [r for r in candidates if r.header.head_sha == info.prior_head_sha]
    chosen = exact or candidates
    return chosen[-1] if chosen else None


def _status_of(review: Review, finding_id: str) -> PriorFinding | None:
    info = review.rounds
    if info is None:
        return None
    return next((p for p in info.prior_findings if p.finding_id == finding_id), None)


def finding_history(
    reviews: Sequence[Review], review: Review, finding: ReconciledFinding
) -> list[str]:
    """Oldest first: where the finding started and what each later round found about it."""
    lines: list[str] = []
    current_review, current = review, finding
    seen = 0
    while current.prior is not None and seen < 50:
        seen += 1
        link = current.prior
        status = _status_of(current_review, link.finding_id)
        lines.append(
            f"round {current_review.header.round} ({current_review.header.head_sha[:7]}):"
            f" {current.id} ({current.severity})"
            + (
                f" — round {link.round} {link.finding_id} {_STATUS[status.status]}:"
                f" {status.evidence}"
                if status is not None
                else f" — {link.label}"
            )
            + (f"; {status.citation_label}" if status is not None and status.citations else "")
        )
        earlier = _prior_review(reviews, current_review)
        previous = earlier.finding(link.finding_id) if earlier is not None else None
        if earlier is None or previous is None:
            lines.append(f"round {link.round}: {link.finding_id} (that review is not saved)")
            break
        current_review, current = earlier, previous
    if lines:
        lines.append(
            f"round {current_review.header.round} ({current_review.header.head_sha[:7]}):"
            f" first raised as {current.id} ({current.severity}): {current.title}"
        )
    return list(reversed(lines))
