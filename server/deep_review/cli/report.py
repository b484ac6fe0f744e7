"""``deep-review report``: re-render the latest saved review, without any model call."""

from __future__ import annotations

import argparse
import sys
import webbrowser
from collections.abc import Sequence
from pathlib import Path

from deep_review.change import find_repo_root
from deep_review.errors import DeepReviewError, NoReviewFound
from deep_review.model import Review
from deep_review.report.files import (
    DEFAULT_FORMATS,
    formats_for_out,
    render,
    renderer_for,
    write_reports,
)
from deep_review.store import ReviewStore


def report_command(args: argparse.Namespace) -> int:
    """Write the latest review's reports (md + html by default) and print their paths."""
    root = find_repo_root(Path(args.repo).resolve())
    store = ReviewStore(root)
    review = store.latest_review()
    if getattr(args, "round", None) is not None:
        from deep_review.cli.rounds import round_review

        review = round_review(root, args.round)
    if review is None:
        raise NoReviewFound("no review yet: run deep-review review")
    formats: Sequence[str] = args.format or DEFAULT_FORMATS
    if args.out == "-":
        return _print_report(review, formats)
    if args.out:
        out = Path(args.out).expanduser().absolute()
        paths = write_reports(review, out, formats_for_out(out, args.format, DEFAULT_FORMATS))
    else:
        # Through the store: beside the saved review (its own name) and sealed as the store's.
        saved = store.save_review(review, renderer_for(formats))
        paths = {fmt: path for fmt, path in saved.items() if fmt in formats}
    for path in paths.values():
        print(path)
    if getattr(args, "open", False):
        _open(paths.get("html") or next(iter(paths.values())))
    return 0


def _print_report(review: Review, formats: Sequence[str]) -> int:
    """``--out -``: one format to stdout, for pipes."""
    if len(formats) != 1:
        raise DeepReviewError("--out - writes one format to stdout: pass exactly one --format")
    sys.stdout.write(render(review, formats[0]))
    return 0


def _open(path: Path) -> None:
    """Open the report in the user's browser ($BROWSER, xdg-open...); else say where it is."""
    if not webbrowser.open(path.resolve().as_uri()):
        print(f"no browser found: open {path} yourself")
