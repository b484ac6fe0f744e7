"""Where a review's report files live in the store, and writing them on demand."""

from __future__ import annotations

from pathlib import Path

from deep_review.model import Review
from deep_review.store import ReviewStore

REPORT_FORMATS = ("md", "html")


def report_stem(store: ReviewStore, review: Review) -> Path:
    """``.deep-review/reviews/<stamp>-<branch>``: the name the store saved the review under."""
    from deep_review.report import review_stem

    return store.reviews_dir / review_stem(review)


def existing_html(store: ReviewStore, review: Review) -> Path | None:
    """The review's HTML report when it has been written."""
    stem = report_stem(store, review)
    html = stem.parent / f"{stem.name}.html"
    return html if html.is_file() else None


def write_review_reports(store: ReviewStore, review: Review) -> dict[str, Path]:
    """Write (or rewrite) the review's Markdown and HTML reports; their paths by format."""
    from deep_review.report import write_reports

    stem = report_stem(store, review)
    stem.parent.mkdir(parents=True, exist_ok=True)
    return dict(write_reports(review, stem, REPORT_FORMATS))
