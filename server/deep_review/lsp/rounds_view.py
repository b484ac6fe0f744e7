"""Round 2 in the editor: diagnostic notes, the status line, and a finding's history on hover."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deep_review.model import ReconciledFinding, Review
from deep_review.report import escape
from deep_review.rounds.history import diagnostic_note, finding_history, round_summary

if TYPE_CHECKING:
    from deep_review.lsp.core import DeepReviewServer

__all__ = ["diagnostic_note", "history_markdown", "round_summary"]

_cache: dict[str, list[Review]] = {}


def _branch_reviews(ls: DeepReviewServer, review: Review) -> list[Review]:
    """The saved reviews of the review's branch, read once per review shown."""
    key = f"{ls.state.key}:{review.header.branch}"
    if key not in _cache:
        store = ls.store
        found = (
            [r for r in store.reviews() if r.header.branch == review.header.branch] if store else []
        )
        _cache.clear()
        _cache[key] = found
    return _cache[key]


def history_markdown(ls: DeepReviewServer, finding: ReconciledFinding) -> str:
    """``**History**`` and one line per round, or empty for a finding new in this round."""
    review = ls.state.review
    if review is None or finding.prior is None:
        return ""
    lines = finding_history(_branch_reviews(ls, review), review, finding)
    if not lines:
        return ""
    return "**History**\n\n" + "\n".join(f"- {escape.inline(line)}" for line in lines)
