"""``deep-review dismiss`` / ``undismiss`` / ``history`` and ``report --round N``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from deep_review.change import find_repo_root
from deep_review.change.repo import read_head
from deep_review.errors import DeepReviewError, NoReviewFound
from deep_review.model import ReconciledFinding, Review
from deep_review.store.dismissals import add_dismissal, remove_dismissal
from deep_review.store.fingerprint import finding_fingerprint
from deep_review.store.rounds import branch_rounds, review_for_round
from deep_review.store.store import ReviewStore


def _branch(root: Path) -> str | None:
    return read_head(root).branch


def _latest(store: ReviewStore, branch: str | None) -> Review:
    review = store.latest_review(branch) or store.latest_review()
    if review is None:
        raise NoReviewFound("no review yet: run deep-review review")
    return review


def _finding(review: Review, finding_id: str) -> ReconciledFinding:
    finding = review.finding(finding_id)
    if finding is None:
        known = ", ".join(f.id for f in [*review.findings, *review.appendix_findings]) or "none"
        raise DeepReviewError(
            f"no finding {finding_id} in the latest review (round {review.header.round}); its"
            f" findings are {known}"
        )
    return finding


def dismiss_command(args: argparse.Namespace) -> int:
    """Dismiss a finding of the latest review: later rounds do not raise it again."""
    root = find_repo_root(Path(args.repo).resolve())
    store = ReviewStore(root)
    review = _latest(store, _branch(root))
    finding = _finding(review, args.finding_id)
    _, before = add_dismissal(store, finding, args.reason, review.header.head_sha)
    if before.problem:
        print(f"deep-review: warning: {before.problem}", file=sys.stderr)
    reason = f" — {args.reason}" if args.reason else ""
    print(f"dismissed {finding.id} ({finding.location_label}) {finding.title}{reason}")
    return 0


def undismiss_command(args: argparse.Namespace) -> int:
    """Forget a dismissal, by the ID the finding had when dismissed (or its current ID)."""
    root = find_repo_root(Path(args.repo).resolve())
    store = ReviewStore(root)
    removed = remove_dismissal(store, args.finding_id)
    if removed is None:
        review = store.latest_review(_branch(root)) or store.latest_review()
        finding = review.finding(args.finding_id) if review else None
        if finding is not None:
            removed = remove_dismissal(store, finding_fingerprint(finding))
    if removed is None:
        raise DeepReviewError(f"no dismissal of {args.finding_id}: nothing to undo")
    print(f"undismissed {removed.finding_id or removed.fingerprint[:12]} {removed.title}")
    return 0


def history_rows(rounds: list[Review]) -> list[dict[str, object]]:
    """One row per round: date, head, verdict, counts and what changed since the previous."""
    rows = []
    for review in rounds:
        header = review.header
        counts = review.counts()
        info = review.rounds
        rows.append(
            {
                "round": header.round,
                "date": header.date.strftime("%Y-%m-%d %H:%M"),
                "head": header.head_sha[:7],
                "verdict": header.verdict,
                "critical": counts["critical"],
                "important": counts["important"],
                "suggestion": counts["suggestion"],
                "addressed": info.count("addressed") if info and info.prior_round else None,
                "partially_addressed": (
                    info.count("partially-addressed") if info and info.prior_round else None
                ),
                "new": len(info.new_ids) if info and info.prior_round else None,
            }
        )
    return rows


def history_command(args: argparse.Namespace) -> int:
    """The rounds of the current branch, oldest first."""
    root = find_repo_root(Path(args.repo).resolve())
    branch = _branch(root)
    rounds = branch_rounds(ReviewStore(root), branch)
    rows = history_rows(rounds)
    if args.format == "json":
        print(json.dumps({"branch": branch, "rounds": rows}, indent=2))
        return 0
    if not rows:
        print(f"no review of {branch or 'this detached HEAD'} yet: run deep-review review")
        return 0
    print(f"Rounds of {branch or '(detached)'}:")
    for row in rows:
        since = ""
        if row["addressed"] is not None:
            since = (
                f" — since previous: {row['addressed']} addressed,"
                f" {row['partially_addressed']} partly, {row['new']} new"
            )
        print(
            f"  round {row['round']}  {row['date']}  {row['head']}  {row['verdict']}:"
            f" {row['critical']}C {row['important']}I {row['suggestion']}S{since}"
        )
    return 0


def round_review(root: Path, number: int) -> Review:
    """Round ``number`` of the current branch, or a clear error listing the rounds there are."""
    store = ReviewStore(root)
    branch = _branch(root)
    review = review_for_round(store, branch, number)
    if review is None:
        have = sorted({r.header.round for r in branch_rounds(store, branch)})
        listed = ", ".join(map(str, have)) or "none"
        raise NoReviewFound(f"no round {number} of {branch or 'this branch'}: rounds are {listed}")
    return review
