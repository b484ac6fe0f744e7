"""The engine: change → panel → reconcile → store. The CLI and the language server both call it."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import anyio

from deep_review.cache_keys import reconcile_key, reviewer_key
from deep_review.change import collect_change, find_repo_root
from deep_review.change.model import Change
from deep_review.config import MODEL_PROVIDERS, ReviewerConfig, Settings
from deep_review.config_loader import load_settings
from deep_review.errors import DeepReviewError
from deep_review.events import (
    EventSink,
    Notice,
    ReviewCompleted,
    ReviewerFinished,
    StageStarted,
    ignore_events,
)
from deep_review.model import (
    AgentRetro,
    AgentReview,
    Finding,
    ReconciledFinding,
    Review,
    ReviewerInfo,
)
from deep_review.panel.prompting import RoundData
from deep_review.panel.redact import Redactor
from deep_review.panel.runner import api_keys, without_keys
from deep_review.reconcile.lead import (
    LeadModel,
    LeadModelError,
    MergeJudgement,
    VerificationResult,
)
from deep_review.store import ReviewStore, WriteFailed
from deep_review.store.rounds import save_round
from deep_review.wording import plural
from deep_review.workspace_trust import withheld_notice

T = TypeVar("T")
R = TypeVar("R")


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
    is_model = reviewer.provider in MODEL_PROVIDERS
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


def find_lead(
    name: str | None,
    settings: Settings,
    reviewers: Sequence[ReviewerConfig],
    env: Mapping[str, str],
) -> ReviewerConfig | None:
    """The model reviewer that leads reconciliation (None: no lead); an unknown name is an error.

    Looked up in the panel being run first, then in the whole configured panel: a lead can
    verify a narrowed panel's findings without reviewing itself.
    """
    from deep_review.panel import default_reviewers
    from deep_review.reconcile.lead import find_lead_config

    if name is None:
        return None
    full_panel = [*reviewers, *(list(settings.reviewers) or default_reviewers(env))]
    return find_lead_config(name, full_panel)


def _with_lead(
    reviewers: Sequence[ReviewerConfig], lead: ReviewerConfig | None
) -> list[ReviewerConfig]:
    """The panel as the lead sees it: its own config included even when it did not review."""
    if lead is None or any(r is lead or r.name == lead.name for r in reviewers):
        return list(reviewers)
    return [*reviewers, lead]


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

    Reviewer and lead names are checked before anything runs. With ``use_cache``, a reviewer
    whose review of this exact change with these exact settings is cached is not asked again,
    and the reconciled review is reused only when the whole panel and the lead are the same.
    From round 2 on the reviewers get the change since the prior round in full and the rest in
    summary (``full=True``: everything again), plus the prior round's findings as data.
    """
    from deep_review.panel import missing_models_notice
    from deep_review.rounds.session import begin_round, finish_round, prompt_data

    began = time.monotonic()
    environment = dict(os.environ if env is None else env)
    root = find_repo_root(start)
    if settings is None:
        settings = await anyio.to_thread.run_sync(lambda: load_settings(root, env=environment))
    reviewers = select_reviewers(settings, reviewer_names, environment)
    lead = find_lead(lead_name or settings.reconcile.lead, settings, reviewers, environment)
    on_event(StageStarted(stage="change"))
    change = await collect_change_async(root, settings, base, include_uncommitted)
    store = ReviewStore(root)
    store.check_location()  # before any model call: a review that cannot be saved is lost work

    keys = [reviewer_key(change, reviewer, settings, environment) for reviewer in reviewers]
    review_key = reconcile_key(change, keys, lead, settings, environment)
    if use_cache and (cached := _cached_review(store, review_key, change)) is not None:
        on_event(
            Notice(text="The change and the panel have not moved since the last review: cached.")
        )
        on_event(ReviewCompleted(review=cached))
        return cached

    round_context = await anyio.to_thread.run_sync(lambda: begin_round(root, change, full=full))
    # Reviewer keys need not cover the prior round: a reviewer's review of this exact code stays
    # valid whatever it was told about earlier rounds, and a moved head changes every key.
    round_data = prompt_data(round_context, change)

    notices: list[str] = []
    if settings.withheld:
        notices.append(withheld_notice(settings.withheld))
        on_event(Notice(text=notices[-1]))
    notice = missing_models_notice(reviewers)
    if notice:
        notices.append(notice)
        on_event(Notice(text=notice))
    if not change.reviewed_files:
        notices.append("Nothing to review: the change has no reviewable files.")

    on_event(StageStarted(stage="panel", detail=plural(len(reviewers), "reviewer")))
    redactor = Redactor()
    agent_reviews = await _run_or_reuse(
        change,
        reviewers,
        keys,
        settings,
        store,
        redactor,
        use_cache=use_cache,
        on_event=on_event,
        env=environment,
        round_data=round_data,
    )
    stamp = datetime.now(UTC)
    _keep(lambda: store.save_agent_reviews(agent_reviews, stamp), notices, on_event)

    on_event(StageStarted(stage="reconcile"))
    review, lead_failed = await reconcile_agent_reviews(
        agent_reviews,
        change,
        settings,
        reviewers,
        root=root,
        lead=lead,
        on_event=on_event,
        env=environment,
        began=began,
        date=stamp,
    )
    review.notices[:0] = notices
    review.withheld_secrets = redactor.withheld
    # The lead model's notes and narratives are model output too: no key it echoes is kept.
    review = without_keys(review, api_keys(_with_lead(reviewers, lead), environment))
    review = finish_round(review, round_context, root, change)
    review.header.wall_clock_s = round(time.monotonic() - began, 1)

    on_event(StageStarted(stage="store"))
    saved = _keep(lambda: save_round(store, review, renumber=True)[0], review.notices, on_event)
    review = saved if saved is not None else review
    if all(a.status == "completed" for a in agent_reviews) and not lead_failed:
        # A review with a failed reviewer or lead is never reused: the next run tries again.
        _keep(lambda: store.cache_reconciled(review_key, review), review.notices, on_event)
    on_event(ReviewCompleted(review=review))
    return review


def _cached_review(store: ReviewStore, key: str, change: Change) -> Review | None:
    """The reconciled review saved under ``key``, when it really is of this change."""
    cached = store.reconciled_review(key)
    if cached is None:
        return None
    header = cached.header
    if (header.base_sha, header.head_sha, header.diff_hash) != (
        change.base_sha,
        change.head_sha,
        change.diff_hash,
    ):
        return None
    return cached


async def _run_or_reuse(
    change: Change,
    reviewers: Sequence[ReviewerConfig],
    keys: Sequence[str],
    settings: Settings,
    store: ReviewStore,
    redactor: Redactor,
    *,
    use_cache: bool,
    on_event: EventSink,
    env: Mapping[str, str],
    round_data: RoundData | None = None,
) -> list[AgentReview]:
    """Each reviewer's review, in panel order: reused from the cache when its key matches."""
    from deep_review.panel import run_panel

    reused: dict[int, AgentReview] = {}
    if use_cache:
        for index, key in enumerate(keys):
            agent = store.cached_agent_review(key)
            if agent is not None and agent.status == "completed":
                reused[index] = agent
    to_run = [r for index, r in enumerate(reviewers) if index not in reused]
    for index, agent in sorted(reused.items()):
        name = reviewers[index].name
        on_event(Notice(text=f"{name}: same change and settings as before, its review is reused"))
        on_event(ReviewerFinished(reviewer=name, review=agent))
    fresh = iter(
        await run_panel(
            change,
            to_run,
            settings,
            on_event=on_event,
            env=env,
            redactor=redactor,
            round_data=round_data,
        )
        if to_run
        else []
    )
    reused_models = any(reviewers[index].provider in MODEL_PROVIDERS for index in reused)
    if reused_models and not any(r.provider in MODEL_PROVIDERS for r in to_run):
        # No model ran now, so nothing was redacted: do it as the panel does, so the review
        # still lists the secrets that were withheld from its (cached) model reviewers.
        await anyio.to_thread.run_sync(_redact_as_the_panel_does, change, redactor)
    panel: list[AgentReview] = []
    for index, key in enumerate(keys):
        if index in reused:
            panel.append(reused[index])
            continue
        agent = next(fresh)
        if agent.status == "completed":
            _keep(functools.partial(store.cache_agent_review, key, agent), [], on_event)
        panel.append(agent)
    return panel


def _redact_as_the_panel_does(change: Change, redactor: Redactor) -> None:
    from deep_review.panel.runner import _review_prompt  # the panel's own prompt builder
    from deep_review.panel.sandbox import RepoSandbox

    ref = None if change.include_uncommitted else change.head_sha
    _review_prompt(change, RepoSandbox(Path(change.repo_root), ref=ref), redactor)


def _keep(write: Callable[[], T], notices: list[str], on_event: EventSink) -> T | None:
    """Run a store write; a failure (full disk, a file in the way) becomes a notice, not a crash.

    The review itself is still returned and shown: losing the panel's work to a write error
    would be worse than not saving it.
    """
    try:
        return write()
    except WriteFailed as error:
        text = f"Not saved: {error.message}"
        notices.append(text)
        on_event(Notice(text=text))
        return None


async def reconcile_agent_reviews(
    agent_reviews: Sequence[AgentReview],
    change: Change,
    settings: Settings,
    reviewers: Sequence[ReviewerConfig],
    *,
    root: Path,
    lead: ReviewerConfig | None,
    on_event: EventSink,
    env: Mapping[str, str],
    began: float,
    date: datetime,
) -> tuple[Review, bool]:
    """Reconcile the panel's reviews (with ``lead`` when given); also whether the lead failed."""
    from deep_review.panel.sandbox import RepoSandbox
    from deep_review.reconcile import reconcile
    from deep_review.reconcile.model_lead import make_lead

    sandbox = RepoSandbox(root, ref=None if change.include_uncommitted else change.head_sha)
    model = make_lead(
        lead.name if lead is not None else None,
        _with_lead(reviewers, lead),
        sandbox=sandbox,
        change=change,
        on_event=on_event,
        env=env,
        verify_with_other_family=settings.reconcile.verify_with_other_family,
    )
    watched = WatchedLead(model) if model is not None else None
    review = await reconcile(
        agent_reviews,
        change,
        sandbox,
        config=settings.reconcile,
        lead=watched,
        reviewers=[reviewer_info(reviewer) for reviewer in reviewers],
        wall_clock_s=time.monotonic() - began,
        date=date,
    )
    return review, watched is not None and watched.failed


class WatchedLead:
    """A lead model that remembers whether it failed (a review made without it is not cached)."""

    def __init__(self, lead: LeadModel) -> None:
        self.lead = lead
        self.failed = False

    @property
    def name(self) -> str:
        """The wrapped lead's name."""
        return self.lead.name

    async def _watch(self, call: Awaitable[R]) -> R:
        try:
            return await call
        except LeadModelError:
            self.failed = True
            raise

    async def confirm_merge(self, a: Finding, b: Finding) -> bool | MergeJudgement:
        """As the wrapped lead."""
        return await self._watch(self.lead.confirm_merge(a, b))

    async def verify(self, finding: ReconciledFinding, change: Change) -> VerificationResult:
        """As the wrapped lead."""
        return await self._watch(self.lead.verify(finding, change))

    async def narrate(self, retro: AgentRetro, review: AgentReview) -> str:
        """As the wrapped lead."""
        return await self._watch(self.lead.narrate(retro, review))

    async def summarise(self, review: Review) -> str:
        """As the wrapped lead."""
        return await self._watch(self.lead.summarise(review))
