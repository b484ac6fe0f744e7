"""``deep-review reconcile REVIEW.json...``: reconcile saved agent reviews again, no reviewers."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio
from pydantic import ValidationError

from deep_review.errors import DeepReviewError
from deep_review.events import ignore_events
from deep_review.model import AgentReview, Review

_T = TypeVar("_T", AgentReview, Review)


def load_agent_reviews(paths: Sequence[Path]) -> tuple[list[AgentReview], str | None]:
    """Agent reviews from files (one AgentReview, a list of them, or a saved Review).

    Also returns the base commit of a saved Review, so its change can be collected again.
    """
    reviews: list[AgentReview] = []
    base: str | None = None
    for path in paths:
        data = _read_json(path)
        if isinstance(data, dict) and "header" in data and "agent_reviews" in data:
            saved = _validate(path, Review, data, "a saved review")
            reviews.extend(saved.agent_reviews)
            base = base or saved.header.base_sha or None
        elif isinstance(data, list):
            reviews.extend(_validate(path, AgentReview, item, "an agent review") for item in data)
        else:
            reviews.append(_validate(path, AgentReview, data, "an agent review"))
    names = [r.reviewer for r in reviews]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DeepReviewError(
            f"more than one review from {', '.join(repeated)}: give each reviewer's review once"
        )
    return reviews, base


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeepReviewError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DeepReviewError(f"{path} cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise DeepReviewError(f"{path} is not valid JSON: {error}") from None


def _validate(path: Path, model: type[_T], data: Any, what: str) -> _T:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise DeepReviewError(f"{path} is not {what}: {where}: {first['msg']}") from None


def reconcile_command(args: argparse.Namespace) -> int:
    """Reconcile the given agent reviews over the repository's current change."""
    from deep_review.change import collect_change, find_repo_root
    from deep_review.config_loader import load_settings
    from deep_review.engine import reviewer_info, select_reviewers
    from deep_review.panel.sandbox import RepoSandbox
    from deep_review.reconcile.model_lead import make_lead
    from deep_review.reconcile.pipeline import info_from_review, reconcile

    if args.out is not None:  # a --out that disagrees with --format fails before any work
        from deep_review.report.files import formats_for_out

        formats_for_out(Path(args.out), args.format, ["json"])
    reviews, saved_base = load_agent_reviews([Path(p) for p in args.agent_reviews])
    root = find_repo_root(Path(args.repo))
    env = dict(os.environ)
    settings = load_settings(root, env=env)
    change = collect_change(
        root,
        base=saved_base or settings.base,
        include_uncommitted=settings.change.include_uncommitted,
        config=settings.change,
    )
    sandbox = RepoSandbox(root, ref=None if change.include_uncommitted else change.head_sha)
    panel = select_reviewers(settings, None, env)
    lead = make_lead(
        args.lead or settings.reconcile.lead,
        panel,
        sandbox=sandbox,
        change=change,
        on_event=ignore_events,
        env=env,
        verify_with_other_family=settings.reconcile.verify_with_other_family,
    )
    configured = {r.name: reviewer_info(r) for r in panel}
    infos = [configured.get(r.reviewer) or info_from_review(r) for r in reviews]
    review = anyio.run(
        lambda: reconcile(
            reviews,
            change,
            sandbox,
            config=settings.reconcile,
            lead=lead,
            reviewers=infos,
            date=datetime.now(UTC),
        )
    )
    _emit(review, args.format, args.out)
    return 0


def _emit(review: Review, requested: Sequence[str] | None, out: str | None) -> None:
    from deep_review.report import render_json, render_markdown, render_sarif, write_reports
    from deep_review.report.files import formats_for_out

    if out is not None:
        # `--out r.md` means Markdown in r.md; a --format that disagrees is an error, not r.json.
        formats = formats_for_out(Path(out), requested, ["json"])
        for fmt, path in write_reports(review, Path(out), formats).items():
            print(f"{fmt}: {path}", file=sys.stderr)
        return
    printed = requested or ["json"]
    if "html" in printed:
        raise DeepReviewError("--format html writes a file: give --out FOLDER_OR_STEM")
    for fmt in dict.fromkeys(printed):
        if fmt == "json":
            print(render_json(review), end="")
        elif fmt == "md":
            print(render_markdown(review))
        else:
            print(json.dumps(render_sarif(review), indent=2))
