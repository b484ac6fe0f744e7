"""The rounds of a branch in the store: the prior round, round N, and saving a round safely."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from deep_review.model import Review
from deep_review.store.locking import store_lock
from deep_review.store.names import ReportRenderer, review_stem
from deep_review.store.store import ReviewStore


def branch_rounds(store: ReviewStore, branch: str | None) -> list[Review]:
    """The saved reviews of ``branch``, oldest first (by round, then date)."""
    found = [r for r in store.reviews() if r.header.branch == branch]
    return sorted(found, key=lambda r: (r.header.round, r.header.date))


def prior_round(
    store: ReviewStore, branch: str | None, base_sha: str, base_ref: str = ""
) -> Review | None:
    """The latest round of the same branch against the same base (any head).

    A branch rebased onto a moved base keeps its rounds when the base ref is the same one.
    """
    rounds = branch_rounds(store, branch)
    same_base = [r for r in rounds if r.header.base_sha == base_sha]
    if same_base:
        return same_base[-1]
    same_ref = [r for r in rounds if base_ref and r.header.base_ref == base_ref]
    return same_ref[-1] if same_ref else None


def review_for_round(store: ReviewStore, branch: str | None, number: int) -> Review | None:
    """Round ``number`` of ``branch`` (the latest one saved with that number)."""
    matching = [r for r in branch_rounds(store, branch) if r.header.round == number]
    return matching[-1] if matching else None


def save_round(
    store: ReviewStore,
    review: Review,
    render_reports: ReportRenderer | None = None,
    *,
    renumber: bool = False,
) -> tuple[Review, dict[str, Path]]:
    """Save a review under the store lock, never over another writer's file.

    Two reviews saved in the same second get distinct stems (the later date moves on by a
    second). With ``renumber`` the round becomes one more than the highest saved for the branch
    at the moment of saving, so two concurrent runs do not both claim the same round.
    """
    store._ensure_root()
    with store_lock(store.root):
        if renumber:
            rounds = [r.header.round for r in branch_rounds(store, review.header.branch)]
            wanted = max(rounds, default=0) + 1
            if wanted > review.header.round:
                update: dict[str, object] = {
                    "header": review.header.model_copy(update={"round": wanted})
                }
                if review.rounds is not None:
                    update["rounds"] = review.rounds.model_copy(update={"number": wanted})
                review = review.model_copy(update=update)
        while (store.reviews_dir / f"{review_stem(review)}.json").exists():
            later = review.header.date + timedelta(seconds=1)
            review = review.model_copy(
                update={"header": review.header.model_copy(update={"date": later})}
            )
        paths = store.save_review(review, render_reports)
    return review, paths
