"""``deep-review review``: run the engine with live progress, write reports, set the exit code."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import anyio

from deep_review.engine import run_review
from deep_review.model import SEVERITY_ORDER, Review
from deep_review.terminal import TerminalProgress

DEFAULT_FORMATS = ("md", "html")


def exit_code_for(review: Review, fail_on: str | None) -> int:
    """1 when a finding at or above ``fail_on`` remains, else 0."""
    if fail_on is None:
        return 0
    threshold = SEVERITY_ORDER[fail_on]
    return int(any(SEVERITY_ORDER[f.severity] <= threshold for f in review.findings))


def write_outputs(
    review: Review, repo: Path, formats: Sequence[str], out: str | None
) -> dict[str, Path]:
    """Write the requested formats: to ``--out`` when given, else beside the stored review."""
    from deep_review.report import write_reports
    from deep_review.store import ReviewStore

    if out:
        return write_reports(review, Path(out), formats)
    return ReviewStore(repo).save_review(review, formats=tuple(formats))


def print_summary(review: Review, paths: Mapping[str, Path]) -> None:
    counts = review.counts()
    header = review.header
    print(
        f"{header.verdict}: {counts['critical']} critical, {counts['important']} important, "
        f"{counts['suggestion']} suggestions"
        + (f" — {header.verdict_reason}" if header.verdict_reason else "")
    )
    if review.rounds is not None and review.rounds.prior_round is not None:
        info = review.rounds
        print(
            f"Round {header.round} (since round {info.prior_round}):"
            f" {info.count('addressed')} addressed, {info.count('partially-addressed')} partly,"
            f" {info.count('unaddressed')} open, {info.count('obsolete')} obsolete,"
            f" {info.count('dismissed')} dismissed; {len(info.new_ids)} new"
        )
    for finding in review.findings:
        label = f" — {finding.prior.label}" if finding.prior is not None else ""
        print(f"  {finding.id:>4}  {finding.location_label}  {finding.title}{label}")
    for notice in review.notices:
        print(f"note: {notice}")
    for fmt, path in sorted(paths.items()):
        print(f"{fmt}: {path}")


def review_command(args: argparse.Namespace) -> int:
    formats = args.format or list(DEFAULT_FORMATS)
    names = [name.strip() for name in args.reviewers.split(",")] if args.reviewers else None
    repo = Path(args.repo).resolve()
    with TerminalProgress(sys.stderr) as progress:
        review = anyio.run(
            functools.partial(
                run_review,
                repo,
                base=args.base,
                include_uncommitted=False if args.committed_only else None,
                reviewer_names=names,
                lead_name=args.lead,
                on_event=progress,
                use_cache=not args.no_cache,
                full=getattr(args, "full", False),
            )
        )
    paths = write_outputs(review, repo, formats, args.out)
    print_summary(review, paths)
    return exit_code_for(review, args.fail_on)
