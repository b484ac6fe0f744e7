"""``deep-review review``: run the engine with live progress, write reports, set the exit code."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import anyio

from deep_review.config import MODEL_PROVIDERS
from deep_review.engine import run_review
from deep_review.errors import DeepReviewError
from deep_review.model import SEVERITY_ORDER, AgentReview, Review
from deep_review.store import WriteFailed
from deep_review.terminal import TerminalProgress
from deep_review.untrusted import printable
from deep_review.wording import plural

DEFAULT_FORMATS = ("md", "html")

# Exit codes of `deep-review review` (the README's table lists them; keep the two in step).
EXIT_OK = 0
EXIT_FINDINGS = 1  # a finding at or above --fail-on remains
EXIT_USAGE = 2  # usage or environment error (DeepReviewError)
EXIT_NOT_CHECKED = 3  # no model reviewer completed: the change was not reviewed by a model
EXIT_INCOMPLETE = 4  # --require-all: a configured reviewer did not complete


def exit_code_for(review: Review, fail_on: str | None) -> int:
    """1 when a finding at or above ``fail_on`` remains, else 0."""
    if fail_on is None:
        return EXIT_OK
    threshold = SEVERITY_ORDER[fail_on]
    return int(any(SEVERITY_ORDER[f.severity] <= threshold for f in review.findings))


def model_reviewers(review: Review) -> list[AgentReview]:
    """The panel's model reviewers (analyzers left out)."""
    return [a for a in review.agent_reviews if a.provider in MODEL_PROVIDERS]


def not_checked_against_code(review: Review) -> str | None:
    """Why the reconciler could not check this review against the code, or None.

    ``--fail-on`` fails such a review with exit 3: it is no answer either way.
    """
    if not review.unchecked:
        return None
    reason = review.unchecked_reason.strip()
    return "the review could not be checked against the code" + (f": {reason}" if reason else "")


def unreviewed_reason(review: Review, *, analyzers_only_by_choice: bool) -> str | None:
    """Why no model reviewed this change (exit 3), or None when at least one did.

    An analyzers-only panel asked for by name (``--reviewers ruff``) is the user's choice and
    passes; a panel whose model reviewers all failed, or the default panel with no API key,
    does not: a script must not read "not reviewed" as "no findings".
    """
    models = model_reviewers(review)
    if any(a.status == "completed" for a in models):
        return None
    if not models:
        if analyzers_only_by_choice:
            return None
        return (
            "no model reviewer ran (no API key is set and none is configured): only the"
            " offline analyzers looked at this change"
        )
    failures = "; ".join(
        f"{a.reviewer}: {a.status}" + (f" ({a.error})" if a.error else "") for a in models
    )
    return f"no model reviewer completed, so no model reviewed this change — {failures}"


def incomplete_reason(review: Review) -> str | None:
    """Which configured reviewers did not complete (for ``--require-all``), or None."""
    missing = [a for a in review.agent_reviews if a.status != "completed"]
    if not missing and review.agent_reviews:
        return None
    if not review.agent_reviews:
        return "no reviewer ran"
    names = ", ".join(f"{a.reviewer} ({a.status})" for a in missing)
    total = len(review.agent_reviews)
    return f"{len(missing)} of {plural(total, 'reviewer')} did not complete: {names}"


def gate(
    review: Review,
    *,
    fail_on: str | None,
    require_all: bool,
    analyzers_only_by_choice: bool,
) -> tuple[int, str | None]:
    """The exit code for a finished review, and the one line that explains a non-zero gate.

    Order: not reviewed by any model (3) before an incomplete panel (4) before findings (1):
    findings from a panel that did not run are no answer.
    """
    reason = unreviewed_reason(review, analyzers_only_by_choice=analyzers_only_by_choice)
    if reason is None and fail_on is not None:
        reason = not_checked_against_code(review)
    if reason is not None:
        return EXIT_NOT_CHECKED, reason
    if require_all and (reason := incomplete_reason(review)) is not None:
        return EXIT_INCOMPLETE, f"--require-all: {reason}"
    code = exit_code_for(review, fail_on)
    if code == EXIT_FINDINGS:
        return code, f"findings at or above {fail_on} remain (--fail-on {fail_on})"
    return code, None


def write_outputs(
    review: Review, repo: Path, formats: Sequence[str], out: str | None
) -> dict[str, Path]:
    """Write the requested formats: to ``--out`` when given, else beside the stored review."""
    from deep_review.report import write_reports
    from deep_review.report.files import renderer_for
    from deep_review.store import ReviewStore

    if out:
        return write_reports(review, Path(out), formats)
    return ReviewStore(repo).save_review(review, renderer_for(formats))


def output_formats(requested: Sequence[str] | None, out: str | None) -> list[str]:
    """What to write: ``--out r.md`` alone means Markdown; else ``--format`` or md + html."""
    from deep_review.report.files import formats_for_out

    if out:
        return formats_for_out(Path(out), requested, DEFAULT_FORMATS)
    return list(requested or DEFAULT_FORMATS)


def summary_line(review: Review) -> str:
    """``Needs changes: 1 critical, 2 important, 1 suggestion — reason``."""
    counts = review.counts()
    header = review.header
    return (
        f"{header.verdict}: {counts['critical']} critical, {counts['important']} important, "
        f"{plural(counts['suggestion'], 'suggestion')}"
        + (f" — {header.verdict_reason}" if header.verdict_reason else "")
    )


def print_summary(review: Review, paths: Mapping[str, Path]) -> None:
    """The verdict, the findings, the notices and where the reports are, on stdout."""
    print(printable(summary_line(review), keep_newlines=False))
    if review.rounds is not None and review.rounds.prior_round is not None:
        info = review.rounds
        print(
            f"Round {review.header.round} (since round {info.prior_round}):"
            f" {info.count('addressed')} addressed, {info.count('partially-addressed')} partly,"
            f" {info.count('unaddressed')} open, {info.count('obsolete')} obsolete,"
            f" {info.count('dismissed')} dismissed; {len(info.new_ids)} new"
        )
    for finding in review.findings:
        label = f" — {finding.prior.label}" if finding.prior is not None else ""
        line = f"  {finding.id:>4}  {finding.location_label}  {finding.title}{label}"
        print(printable(line, keep_newlines=False))
    for notice in review.notices:
        print(printable(f"note: {notice}", keep_newlines=False))
    for agent in review.agent_reviews:
        if agent.status != "completed":
            detail = f": {agent.error}" if agent.error else ""
            note = f"note: reviewer {agent.reviewer} did not complete ({agent.status}){detail}"
            print(printable(note, keep_newlines=False))
    for fmt, path in sorted(paths.items()):
        print(f"{fmt}: {path}")


def review_command(args: argparse.Namespace) -> int:
    """``deep-review review``: run the panel, write the reports, gate the exit code."""
    formats = output_formats(args.format, args.out)  # a bad --out fails before any model call
    names = [name.strip() for name in args.reviewers.split(",")] if args.reviewers else None
    if names is not None and not all(names):
        raise DeepReviewError("--reviewers: give comma-separated reviewer names, e.g. claude,ruff")
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
    try:
        paths = write_outputs(review, repo, formats, args.out)
    except WriteFailed as error:
        print_summary(review, {})  # the panel's work is shown even when it cannot be saved
        print(f"deep-review: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    print_summary(review, paths)
    code, reason = gate(
        review,
        fail_on=args.fail_on,
        require_all=args.require_all,
        analyzers_only_by_choice=names is not None,
    )
    if reason is not None:
        print(f"deep-review: {reason} (exit {code})", file=sys.stderr)
    return code
