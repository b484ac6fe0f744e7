"""The engine's two calls into rounds: before the panel (what came before) and after reconcile."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from deep_review.change.model import Change
from deep_review.model import ReconciledFinding, Review, Verdict
from deep_review.panel.prompting import RoundData
from deep_review.rounds.apply import RoundContext, apply_round, prepare_round
from deep_review.rounds.classify import fact_paths
from deep_review.rounds.git_facts import gather_facts, prior_texts
from deep_review.rounds.prompt import round_data, since_diff
from deep_review.store.dismissals import read_dismissals
from deep_review.store.rounds import prior_round
from deep_review.store.store import Dismissal, ReviewStore

log = logging.getLogger(__name__)


def begin_round(root: Path, change: Change, *, full: bool = False) -> RoundContext:
    """Find the prior round of this branch, classify its findings, read the dismissals.

    Blocking (git and files): call it from a worker thread.
    """
    store = ReviewStore(root)
    prior = prior_round(store, change.branch, change.base_sha, change.base_ref)
    read = read_dismissals(store)
    notes = [read.problem] if read.problem else []
    if prior is None:
        number = store.next_round_number(change.branch) if change.branch else 1
        return prepare_round(number, None, None, read.dismissals, notes=notes)
    try:
        return _against_prior(root, change, prior, read.dismissals, notes, full=full)
    except Exception as error:  # a fault here must not cost the user the review itself
        log.exception("comparing with the prior round failed")
        notes.append(
            f"round {prior.header.round} could not be compared with this one ({error}); its"
            " findings are not carried over and the whole branch is reviewed"
        )
        return prepare_round(prior.header.round + 1, None, None, read.dismissals, notes=notes)


def _against_prior(
    root: Path,
    change: Change,
    prior: Review,
    dismissals: Sequence[Dismissal],
    notes: list[str],
    *,
    full: bool,
) -> RoundContext:
    facts = gather_facts(root, prior.header.head_sha, change, fact_paths(prior))
    if not facts.prior_head_known:
        notes.append(
            f"round {prior.header.round}'s head {prior.header.head_sha[:7]} is no longer in the"
            " repository: its findings were matched by their quoted code only"
        )
    incremental = not full and facts.prior_head_known
    diff_since = None
    if incremental:
        paths = [f.old_path or f.path for f in change.reviewed_files]
        before = prior_texts(root, prior.header.head_sha, paths)
        diff_since = since_diff(change, before.get)
    return prepare_round(
        prior.header.round + 1,
        prior,
        facts,
        dismissals,
        incremental=incremental,
        notes=notes,
        since_diff=diff_since,
    )


def prompt_data(context: RoundContext, change: Change) -> RoundData | None:
    """What the reviewers are told about the prior round (None in round 1)."""
    if context.prior is None:
        return None
    header = context.prior.header
    return round_data(
        context.number, header.round, header.head_sha, context.priors, change, context.since_diff
    )


def _text_lookup(root: Path, change: Change) -> Callable[[str], str | None]:
    from deep_review.panel.sandbox import RepoSandbox

    sandbox = RepoSandbox(root, ref=None if change.include_uncommitted else change.head_sha)
    return sandbox.read_text


def _verdict(findings: Sequence[ReconciledFinding], reviewed: bool) -> tuple[Verdict, str]:
    from deep_review.reconcile.calibrate import verdict

    return verdict(findings, reviewed)


def _with_fix_status(
    findings: Sequence[ReconciledFinding], text_for: Callable[[str], str | None]
) -> list[ReconciledFinding]:
    """Carried findings' fixes checked against today's code (the one applicability check)."""
    from deep_review.fixes import check_fix

    checked = []
    for finding in findings:
        if finding.fix and finding.prior is not None and finding.fix_status is None:
            status, reason = check_fix(finding.fix, text_for, finding)
            finding = finding.model_copy(update={"fix_status": status, "fix_status_reason": reason})
        checked.append(finding)
    return checked


def finish_round(review: Review, context: RoundContext, root: Path, change: Change) -> Review:
    """The reconciled review as this round: prior findings' status, gate, dismissals, labels."""
    text_for = _text_lookup(root, change)
    notes = list(context.notes)
    try:
        review = apply_round(review, context, text_for, verdict_for=_verdict)
        review.findings = _with_fix_status(review.findings, text_for)
    except Exception as error:  # the panel's work is kept whatever happens here
        log.exception("applying the round failed")
        review.header.round = context.number
        notes.append(f"the prior round's findings could not be applied to this one ({error})")
    review.notices.extend(n for n in notes if n not in review.notices)
    return review
