"""The engine: change → panel → reconcile → store. The CLI and the language server both call it."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import anyio

from deep_review.change import collect_change, find_repo_root
from deep_review.change.model import Change
from deep_review.config import ReviewerConfig, Settings
from deep_review.config_loader import load_settings
from deep_review.errors import DeepReviewError
from deep_review.events import (
    EventSink,
    Notice,
    ReviewCompleted,
    StageStarted,
    ignore_events,
)
from deep_review.model import AgentReview, Review, ReviewerInfo
from deep_review.store import ReviewStore
from deep_review.store.rounds import save_round


def select_reviewers(
    settings: Settings, names: Sequence[str] | None, env: Mapping[str, str]
) -> list[ReviewerConfig]:
    """The configured panel (or the default one), narrowed to ``names`` when given."""
    from deep_review.panel import default_reviewers

    panel = list(settings.reviewers) or default_reviewers(env)
    if not names:
        return panel
    by_name = {reviewer.name: reviewer for reviewer in panel}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none"
        raise DeepReviewError(
            f"unknown reviewer {', '.join(unknown)}: the configured reviewers are {known}"
        )
    return [by_name[name] for name in names]


def reviewer_info(reviewer: ReviewerConfig) -> ReviewerInfo:
    """How a panel member is named in the report header."""
    is_model = reviewer.provider in ("anthropic", "openai", "openai-compatible")
    return ReviewerInfo(
        name=reviewer.name,
        provider=reviewer.provider,
        model=reviewer.model,
        effort=reviewer.effort if is_model else None,
        scripted=reviewer.scripted,
    )


async def collect_change_async(
    root: Path, settings: Settings, base: str | None, include_uncommitted: bool | None
) -> Change:
    """Collect the change in a worker thread: git and parsing must not block the event loop."""
    include = (
        settings.change.include_uncommitted if include_uncommitted is None else include_uncommitted
    )
    source = "--base" if base else "configured base"
    return await anyio.to_thread.run_sync(
        lambda: collect_change(
            root,
            base=base or settings.base,
            base_source=source,
            include_uncommitted=include,
            config=settings.change,
        )
    )


async def run_review(
    start: Path,
    *,
    settings: Settings | None = None,
    base: str | None = None,
    include_uncommitted: bool | None = None,
    reviewer_names: Sequence[str] | None = None,
    lead_name: str | None = None,
    on_event: EventSink = ignore_events,
    use_cache: bool = True,
    env: Mapping[str, str] | None = None,
    full: bool = False,
) -> Review:
    """Review the branch containing ``start`` and save the result in ``.deep-review/``.

    From round 2 on the reviewers get the change since the prior round in full and the rest in
    summary (``full=True``: everything again), plus the prior round's findings as data.
    """
    from deep_review.panel import missing_models_notice, run_panel
    from deep_review.panel.redact import Redactor
    from deep_review.panel.runner import api_keys, without_keys

    began = time.monotonic()
    environment = dict(os.environ if env is None else env)
    root = find_repo_root(start)
    if settings is None:
        settings = await anyio.to_thread.run_sync(lambda: load_settings(root, env=environment))
    on_event(StageStarted(stage="change"))
    change = await collect_change_async(root, settings, base, include_uncommitted)
    store = ReviewStore(root)
    store.check_location()  # before any model call: a review that cannot be saved is lost work
    if use_cache:
        cached = store.cached_review(change.base_sha, change.head_sha, change.diff_hash)
        if cached is not None:
            on_event(Notice(text="The change has not moved since the last review: cached."))
            on_event(ReviewCompleted(review=cached))
            return cached

    from deep_review.rounds.session import begin_round, finish_round, prompt_data

    round_context = await anyio.to_thread.run_sync(lambda: begin_round(root, change, full=full))
    reviewers = select_reviewers(settings, reviewer_names, environment)
    notices: list[str] = []
    notice = missing_models_notice(reviewers)
    if notice:
        notices.append(notice)
        on_event(Notice(text=notice))
    if not change.reviewed_files:
        notices.append("Nothing to review: the change has no reviewable files.")

    on_event(StageStarted(stage="panel", detail=f"{len(reviewers)} reviewers"))
    redactor = Redactor()
    agent_reviews = await run_panel(
        change,
        reviewers,
        settings,
        on_event=on_event,
        env=environment,
        redactor=redactor,
        round_data=prompt_data(round_context, change),
    )
    stamp = datetime.now(UTC)
    store.save_agent_reviews(agent_reviews, stamp)

    on_event(StageStarted(stage="reconcile"))
    review = await reconcile_agent_reviews(
        agent_reviews,
        change,
        settings,
        reviewers,
        root=root,
        lead_name=lead_name,
        on_event=on_event,
        env=environment,
        began=began,
        date=stamp,
    )
    review.notices[:0] = notices
    review.withheld_secrets = redactor.withheld
    # The lead model's notes and narratives are model output too: no key it echoes is kept.
    review = without_keys(review, api_keys(reviewers, environment))
    review = finish_round(review, round_context, root, change)
    review.header.wall_clock_s = round(time.monotonic() - began, 1)

    on_event(StageStarted(stage="store"))
    review = save_round(store, review, ("json",), renumber=True)[0]
    on_event(ReviewCompleted(review=review))
    return review


async def reconcile_agent_reviews(
    agent_reviews: Sequence[AgentReview],
    change: Change,
    settings: Settings,
    reviewers: Sequence[ReviewerConfig],
    *,
    root: Path,
    lead_name: str | None,
    on_event: EventSink,
    env: Mapping[str, str],
    began: float,
    date: datetime,
) -> Review:
    """Reconcile the panel's reviews, with the configured lead model when there is one."""
    from deep_review.panel.sandbox import RepoSandbox
    from deep_review.reconcile import reconcile
    from deep_review.reconcile.lead import make_lead

    sandbox = RepoSandbox(root, ref=None if change.include_uncommitted else change.head_sha)
    lead = make_lead(
        lead_name or settings.reconcile.lead,
        reviewers,
        sandbox=sandbox,
        change=change,
        on_event=on_event,
        env=env,
        verify_with_other_family=settings.reconcile.verify_with_other_family,
    )
    return await reconcile(
        agent_reviews,
        change,
        sandbox,
        config=settings.reconcile,
        lead=lead,
        reviewers=[reviewer_info(reviewer) for reviewer in reviewers],
        wall_clock_s=time.monotonic() - began,
        date=date,
    )
