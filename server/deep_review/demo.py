"""``deep-review demo``: a realistic change reviewed end to end by scripted reviewers.

The reviewers' answers, and the lead's merge decisions, verifications, retro narratives and
summary, come from transcripts played by our scripted model server over real HTTP through the
real SDKs; every output says so. The offline analyzers (ruff) run for real.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import anyio

from deep_review.cli.review import print_summary, write_outputs
from deep_review.config import ReconcileConfig, ReviewerConfig, Settings
from deep_review.engine import run_review
from deep_review.errors import DeepReviewError
from deep_review.terminal import TerminalProgress

DEMO_KEY_ENV = "DEEP_REVIEW_DEMO_SCRIPTED_KEY"
DEMO_LEAD = "claude"
SCRIPTED_NOTICE = (
    "This is a demo: the model reviewers and the lead that verified their findings are SCRIPTED"
    " (their answers are replayed from fixtures/demo/transcripts through the real SDKs); the"
    " ruff analyzer ran for real."
)


def demo_fixtures() -> Path:
    """The demo's source files and transcripts (shipped in the repository's fixtures/)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "fixtures" / "demo"
        if (candidate / "commits.json").is_file():
            return candidate
    raise DeepReviewError("the demo fixtures (fixtures/demo) are missing from this installation")


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Demo Author",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Demo Author",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def build_demo_repo(target: Path, fixtures: Path) -> Path:
    """A git repository with the base on ``main`` and the change on its own branch."""
    meta = json.loads((fixtures / "commits.json").read_text())
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise DeepReviewError(f"{target} is not empty: choose an empty folder for the demo")
    _git(target, "init", "-q", "-b", meta["base_branch"])
    _git(target, "config", "commit.gpgsign", "false")
    shutil.copytree(fixtures / "base", target, dirs_exist_ok=True)
    _git(target, "add", "--all")
    _git(target, "commit", "-q", "-m", meta["base_message"])
    _git(target, "checkout", "-q", "-b", meta["branch"])
    shutil.copytree(fixtures / "change", target, dirs_exist_ok=True)
    _git(target, "add", "--all")
    _git(target, "commit", "-q", "-m", meta["change_message"])
    return target


def demo_panel(anthropic_url: str, openai_url: str) -> list[ReviewerConfig]:
    """Three scripted model reviewers (one per wire format) and the real ruff analyzer."""
    common = {"api_key_env": DEMO_KEY_ENV, "scripted": True, "deadline_s": 120.0}
    return [
        ReviewerConfig(
            name="claude",
            provider="anthropic",
            model="claude-opus-4-7",
            base_url=anthropic_url,
            **common,
        ),
        ReviewerConfig(
            name="codex",
            provider="openai",
            model="gpt-5.4",
            api="chat",
            base_url=openai_url,
            **common,
        ),
        ReviewerConfig(
            name="gemini",
            provider="openai-compatible",
            model="gemini-3.1-pro",
            base_url=openai_url,
            **common,
        ),
        ReviewerConfig(name="ruff", provider="ruff"),
    ]


def demo_settings(anthropic_url: str, openai_url: str) -> Settings:
    """The demo panel, led by the scripted claude: it confirms merges and verifies each claim."""
    return Settings(
        reviewers=demo_panel(anthropic_url, openai_url),
        reconcile=ReconcileConfig(lead=DEMO_LEAD),
    )


def demo_command(args: argparse.Namespace) -> int:
    from deep_review.panel.scripted import ScriptedModelServer

    fixtures = demo_fixtures()
    target = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="deep-review-demo-"))
    repo = build_demo_repo(target.resolve(), fixtures)
    print(f"demo repository: {repo}", file=sys.stderr)
    print(SCRIPTED_NOTICE, file=sys.stderr)
    env = {**os.environ, DEMO_KEY_ENV: "scripted-demo-key"}
    with ScriptedModelServer(fixtures / "transcripts") as server:
        settings = demo_settings(server.url, server.openai_url)
        with TerminalProgress(sys.stderr) as progress:
            review = anyio.run(
                functools.partial(
                    run_review,
                    repo,
                    settings=settings,
                    on_event=progress,
                    use_cache=False,
                    env=env,
                )
            )
    review.notices.insert(0, SCRIPTED_NOTICE)
    paths = write_outputs(review, repo, args.format or ["md", "html", "json"], None)
    print_summary(review, paths)
    return 0
