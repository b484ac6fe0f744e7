"""Where a review's report files live in the store, and writing them on demand."""

from __future__ import annotations

from pathlib import Path

from deep_review.model import Review
from deep_review.report.files import renderer_for
from deep_review.store import ReviewStore

REPORT_FORMATS = ("md", "html")


def report_stem(store: ReviewStore, review: Review) -> Path:
    """``.deep-review/reviews/<stamp>-<branch>``: the name the store saved the review under."""
    return store.stem_of(review)


def existing_html(store: ReviewStore, review: Review) -> Path | None:
    """The review's HTML report when the store wrote it (a planted file is not shown)."""
    stem = report_stem(store, review)
    html = stem.parent / f"{stem.name}.html"
    return html if html.is_file() and store.trust.read(html) is not None else None


def write_review_reports(store: ReviewStore, review: Review) -> dict[str, Path]:
    """Write (or rewrite) the review's Markdown and HTML reports; their paths by format."""
    paths = store.save_review(review, renderer_for(REPORT_FORMATS))
    return {fmt: path for fmt, path in paths.items() if fmt in REPORT_FORMATS}
