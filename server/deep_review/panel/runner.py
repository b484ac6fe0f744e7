"""Runs the whole panel: every reviewer at once, each shielded from the others' failures."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import anyio
from pydantic import BaseModel

from deep_review.change.model import Change
from deep_review.config import ANALYZER_PROVIDERS, MODEL_PROVIDERS, ReviewerConfig, Settings
from deep_review.events import EventSink, ReviewerFailed, ReviewerFinished
from deep_review.model import AgentReview, AgentStats, SubmittedReview
from deep_review.panel.agent import AgentRun, run_agent
from deep_review.panel.analyzers import run_analyzer
from deep_review.panel.prompting import (
    ReviewPrompt,
    RoundData,
    build_review_prompt,
    repo_instructions,
)
from deep_review.panel.redact import Redactor
from deep_review.panel.sandbox import RepoSandbox, is_secret_file
from deep_review.panel.tools import Toolbox
from deep_review.severity import SEVERITY_ORDER

ReviewT = TypeVar("ReviewT", bound=BaseModel)

GEMINI_OPENAI_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"
DEFAULT_MODELS: dict[str, str] = {
    "anthropic": "claude-opus-4-7",
    "openai": "gpt-5",
    "gemini": "gemini-2.5-pro",
}
# Reconciling is quadratic in findings; no real review has more, a runaway model may.
MAX_FINDINGS_PER_REVIEWER = 200
# A finding is read by a person; megabytes in one field are a runaway model, not a finding.
MAX_FIELD_CHARS = 20_000
_TEXT_FIELDS = ("title", "body", "evidence", "fix")
_MIN_KEY_CHARS = 16  # real keys are longer; short test values would redact ordinary words
NO_MODELS_NOTICE = (
    "No model reviewers ran: only the offline analyzers reviewed this change. To add model"
    " reviewers, set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY, or configure"
    " [[reviewers]] in .deep-review.toml (any OpenAI-compatible endpoint works, e.g. Ollama)."
)


def default_reviewers(env: Mapping[str, str]) -> list[ReviewerConfig]:
    """One model reviewer per provider whose key is in ``env``, plus the ruff analyzer."""
    panel: list[ReviewerConfig] = []
    if env.get("ANTHROPIC_API_KEY"):
        panel.append(
            ReviewerConfig(
                name="claude",
                provider="anthropic",
                model=env.get("DEEP_REVIEW_ANTHROPIC_MODEL") or DEFAULT_MODELS["anthropic"],
                api_key_env="ANTHROPIC_API_KEY",
            )
        )
    if env.get("OPENAI_API_KEY"):
        panel.append(
            ReviewerConfig(
                name="gpt",
                provider="openai",
                model=env.get("DEEP_REVIEW_OPENAI_MODEL") or DEFAULT_MODELS["openai"],
                api_key_env="OPENAI_API_KEY",
            )
        )
    if env.get("GEMINI_API_KEY"):
        panel.append(
            ReviewerConfig(
                name="gemini",
                provider="openai-compatible",
                model=env.get("DEEP_REVIEW_GEMINI_MODEL") or DEFAULT_MODELS["gemini"],
                base_url=GEMINI_OPENAI_URL,
                api_key_env="GEMINI_API_KEY",
            )
        )
    panel.append(ReviewerConfig(name="ruff", provider="ruff"))
    return panel


def missing_models_notice(reviewers: Sequence[ReviewerConfig]) -> str | None:
    """The one plain notice to show when the panel has no model reviewer; None otherwise."""
    if any(r.provider in MODEL_PROVIDERS for r in reviewers):
        return None
    return NO_MODELS_NOTICE


def to_agent_review(reviewer: ReviewerConfig, run: AgentRun[SubmittedReview]) -> AgentReview:
    """A model reviewer's AgentReview from its run (failed runs keep stats and raw output)."""
    identity = {
        "reviewer": reviewer.name,
        "model": reviewer.model,
        "provider": reviewer.provider,
        "effort": reviewer.effort,
        "scripted": reviewer.scripted,
    }
    submitted = run.result.model_dump() if run.result is not None else {}
    error = run.error
    findings = submitted.get("findings", [])
    if len(findings) > MAX_FINDINGS_PER_REVIEWER:
        submitted["findings"] = _most_severe(findings, MAX_FINDINGS_PER_REVIEWER)
        error = (
            f"reviewer {reviewer.name!r} submitted {len(findings)} findings; only the"
            f" {MAX_FINDINGS_PER_REVIEWER} most severe were kept"
        )
    oversized = [f["title"][:80] for f in submitted.get("findings", []) if _oversized(f)]
    if oversized:
        submitted["findings"] = [_shortened(f) for f in submitted["findings"]]
        note = (
            f"{len(oversized)} finding(s) had fields over {MAX_FIELD_CHARS} characters,"
            " shortened: " + "; ".join(oversized[:3])
        )
        error = f"{error}; {note}" if error else f"reviewer {reviewer.name!r}: {note}"
    return AgentReview(
        **submitted,
        **identity,
        status=run.status,
        error=error,
        raw_output=run.raw_output,
        stats=run.stats,
    )


def _oversized(finding: dict[str, Any]) -> bool:
    return any(len(finding.get(key) or "") > MAX_FIELD_CHARS for key in _TEXT_FIELDS)


def _shortened(finding: dict[str, Any]) -> dict[str, Any]:
    """The finding with each text field cut to ``MAX_FIELD_CHARS``, saying so where it was cut."""
    shortened = dict(finding)
    for key in _TEXT_FIELDS:
        text = shortened.get(key) or ""
        if len(text) > MAX_FIELD_CHARS:
            cut = len(text) - MAX_FIELD_CHARS
            shortened[key] = f"{text[:MAX_FIELD_CHARS]}\n[deep-review: {cut} more characters cut]"
    return shortened


def _most_severe(findings: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` findings by severity, in the reviewer's order within a severity."""
    ranked = sorted(
        enumerate(findings), key=lambda item: (SEVERITY_ORDER.get(item[1]["severity"], 3), item[0])
    )
    kept = sorted(index for index, _ in ranked[:limit])
    return [findings[index] for index in kept]


def _crashed(reviewer: ReviewerConfig, error: Exception, started: float) -> AgentReview:
    return AgentReview(
        reviewer=reviewer.name,
        model=reviewer.model,
        provider=reviewer.provider,
        effort=reviewer.effort if reviewer.provider in MODEL_PROVIDERS else None,
        scripted=reviewer.scripted,
        status="failed",
        error=f"reviewer {reviewer.name!r} crashed: {type(error).__name__}: {error}",
        stats=AgentStats(duration_s=round(time.monotonic() - started, 3)),
    )


def redacted_diff(change: Change, redactor: Redactor) -> str:
    """The change's diff with secrets redacted and secret-bearing files withheld entirely."""
    parts = []
    for changed in change.reviewed_files:
        if is_secret_file(changed.path):
            parts.append(
                f"diff --git a/{changed.path} b/{changed.path}\n"
                "[withheld: a secret-bearing file is never sent to a model]\n"
            )
        else:
            parts.append(redactor.redact_diff(changed.patch, changed.path))
    return "".join(parts)


def _import_sdks(reviewers: Sequence[ReviewerConfig]) -> None:
    providers = {r.provider for r in reviewers}
    if "anthropic" in providers:
        import anthropic  # noqa: F401
    if providers & {"openai", "openai-compatible"}:
        import openai  # noqa: F401


def _review_prompt(
    change: Change, sandbox: RepoSandbox, redactor: Redactor, round_data: RoundData | None = None
) -> ReviewPrompt:
    base = RepoSandbox(sandbox.root, ref=change.base_sha, max_bytes=sandbox.max_bytes)
    instructions = repo_instructions(change, sandbox.read_text, base.read_text)
    if round_data is not None:
        round_data = round_data.redacted(
            redactor.redact_diff, lambda text: redactor.redact(text, "(prior round)")
        )
    return build_review_prompt(
        change,
        diff=redacted_diff(change, redactor),
        instructions=instructions,
        redact=lambda text: redactor.redact(text, "(commit messages)"),
        round_data=round_data,
    )


async def run_panel(
    change: Change,
    reviewers: Sequence[ReviewerConfig],
    settings: Settings,
    *,
    on_event: EventSink,
    env: Mapping[str, str] | None = None,
    redactor: Redactor | None = None,
    round_data: RoundData | None = None,
) -> list[AgentReview]:
    """Every reviewer concurrently in one task group; one AgentReview per reviewer, in order.

    Pass a ``redactor`` to learn afterwards what was withheld (``redactor.withheld``), and
    ``round_data`` from round 2 on (the prior round as data; incremental diff).
    """
    environment = os.environ if env is None else env
    redactor = redactor if redactor is not None else Redactor()
    ref = None if change.include_uncommitted else change.head_sha
    sandbox = RepoSandbox(Path(change.repo_root), ref=ref)
    prompt: ReviewPrompt | None = None
    if any(r.provider in MODEL_PROVIDERS for r in reviewers):
        async with anyio.create_task_group() as warmup:
            # Importing an SDK takes ~1 s of CPU; in a worker thread it does not stall the loop.
            warmup.start_soon(anyio.to_thread.run_sync, _import_sdks, reviewers)
            prompt = await anyio.to_thread.run_sync(
                _review_prompt, change, sandbox, redactor, round_data
            )
    results: list[AgentReview | None] = [None] * len(reviewers)
    keys = api_keys(reviewers, environment)

    async def run_one(index: int, reviewer: ReviewerConfig) -> None:
        started = time.monotonic()
        try:
            if reviewer.provider in ANALYZER_PROVIDERS:
                results[index] = await run_analyzer(reviewer, change, sandbox, on_event=on_event)
                return
            assert prompt is not None  # built above whenever a model reviewer is present
            review = await _run_model_reviewer(
                reviewer, change, sandbox, settings, prompt, redactor, on_event, environment, keys
            )
        except Exception as error:
            review = without_keys(_crashed(reviewer, error, started), keys)
            on_event(
                ReviewerFailed(reviewer=reviewer.name, error=review.error or "", review=review)
            )
        results[index] = review

    async with anyio.create_task_group() as group:
        for index, reviewer in enumerate(reviewers):
            group.start_soon(run_one, index, reviewer, name=f"reviewer:{reviewer.name}")
    return [review for review in results if review is not None]


async def _run_model_reviewer(
    reviewer: ReviewerConfig,
    change: Change,
    sandbox: RepoSandbox,
    settings: Settings,
    prompt: ReviewPrompt,
    redactor: Redactor,
    on_event: EventSink,
    env: Mapping[str, str],
    keys: Sequence[str] = (),
) -> AgentReview:
    # The Toolbox's throwaway command copy is removed here, even when the reviewer fails.
    async with Toolbox(sandbox, change, commands=settings.commands, redactor=redactor) as toolbox:
        run = await run_agent(
            reviewer,
            system=prompt.system,
            prompt=prompt.user,
            toolbox=toolbox,
            submit_model=SubmittedReview,
            on_event=on_event,
            env=env,
        )
    review = without_keys(to_agent_review(reviewer, run), keys)
    if review.status == "completed":
        on_event(ReviewerFinished(reviewer=reviewer.name, review=review))
    else:
        on_event(ReviewerFailed(reviewer=reviewer.name, error=review.error or "", review=review))
    return review


def api_keys(reviewers: Sequence[ReviewerConfig], env: Mapping[str, str]) -> list[str]:
    """The values of every reviewer's key variable that are set (long enough to be a key)."""
    names = {r.api_key_env for r in reviewers if r.api_key_env}
    return sorted({env[name] for name in names if len(env.get(name) or "") >= _MIN_KEY_CHARS})


def without_keys(review: ReviewT, keys: Sequence[str]) -> ReviewT:
    """The review with every API key value a model echoed back replaced by ``[redacted]``."""
    text = review.model_dump_json()
    if not any(json.dumps(key)[1:-1] in text for key in keys):
        return review
    return type(review).model_validate(_scrubbed(review.model_dump(), keys))


def _scrubbed(value: Any, keys: Sequence[str]) -> Any:
    """``value`` with the keys cut out of its strings (never out of field names)."""
    if isinstance(value, str):
        for key in keys:
            value = value.replace(key, "[redacted]")
        return value
    if isinstance(value, dict):
        return {name: _scrubbed(item, keys) for name, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, keys) for item in value]
    return value
