"""Benchmark: prompt tokens of an incremental round 2 against round 1. Run directly.

    python bench/bench_rounds.py [--modules 6] [--functions 40]

A fixture branch adds ``modules`` Python modules; two scripted reviewers (Anthropic Messages and
OpenAI Chat) each read a file, then submit. Round 1 reviews the branch. The author then commits
a two-line fix of one finding, and round 2 runs twice: incremental (the default: the change since
round 1 in full, the rest of the branch in summary, the prior findings as data) and ``--full``.
Prompt tokens are as the scripted model server counted them (its usage: request bytes / 4), summed
over every request of every reviewer. Prints the three totals and the ratios to round 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.engine import run_review
from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
KEY_ENV = "BENCH_ROUNDS_KEY"


def git(root: Path, *args: str) -> None:
    """Run git quietly in ``root``."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def module(index: int, functions: int) -> str:
    """One plausible service module: handlers that validate, look up and answer."""
    parts = [
        f'"""Service module {index}."""\n\nimport logging\n\nlog = logging.getLogger(__name__)\n'
    ]
    for n in range(functions):
        parts.append(
            f"\n\ndef handle_{index}_{n}(request, store):\n"
            f'    """Answer request kind {n} of module {index}."""\n'
            f"    if not request.user:\n"
            f"        log.warning('anonymous request %s', {n})\n"
            f"        return {{'status': 401}}\n"
            f"    item = store.get(request.key, namespace='m{index}')\n"
            f"    if item is None:\n"
            f"        return {{'status': 404, 'kind': {n}}}\n"
            f"    return {{'status': 200, 'kind': {n}, 'body': item.render()}}\n"
        )
    return "".join(parts)


def build(root: Path, server: ScriptedModelServer, modules: int, functions: int) -> None:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# Service\n")
    tables = [
        f'[[reviewers]]\nname = "{name}"\nprovider = "{provider}"\nmodel = "{name}-bench"\n'
        f'base_url = "{url}"\napi_key_env = "{KEY_ENV}"\nscripted = true\n'
        for name, provider, url in (
            ("claude", "anthropic", server.url),
            ("codex", "openai", server.openai_url),
        )
    ]
    (root / ".deep-review.toml").write_text("\n".join(tables))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    git(root, "checkout", "-q", "-b", "service")
    (root / "svc").mkdir()
    for index in range(modules):
        (root / "svc" / f"m{index}.py").write_text(module(index, functions))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Add the service modules")


FINDING = {
    "severity": "important",
    "category": "gap",
    "title": "Anonymous requests are logged without the request id",
    "path": "svc/m0.py",
    "start_line": 11,
    "end_line": 12,
    "body": "The warning cannot be traced back to a request.",
    "evidence": "        log.warning('anonymous request %s', 0)",
}


def script(server: ScriptedModelServer) -> None:
    steps: list[dict[str, Any]] = [
        {"tool": "read_file", "input": {"path": "svc/m0.py"}},
        {"submit": {"summary": "Reviewed.", "findings": [FINDING]}},
    ]
    for model in ("claude-bench", "codex-bench"):
        server.add_transcript(model, steps)


def small_fix(root: Path) -> None:
    path = root / "svc" / "m0.py"
    text = path.read_text()
    path.write_text(
        text.replace(
            "        log.warning('anonymous request %s', 0)\n",
            "        log.warning('anonymous request %s (id %s)', 0, request.id)\n",
            1,
        )
    )
    git(root, "commit", "-q", "-am", "Log the request id (review I1)")


def prompt_tokens(review: Review) -> int:
    """What the scripted server reported as prompt tokens (uncached + cached), all reviewers."""
    return sum(a.stats.input_tokens + a.stats.cached_tokens for a in review.agent_reviews)


async def review(root: Path, *, full: bool = False) -> Review:
    return await run_review(root, use_cache=False, full=full, env={**os.environ, KEY_ENV: "k"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=6)
    parser.add_argument("--functions", type=int, default=40)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ScriptedModelServer() as server:
        root = Path(folder) / "repo"
        script(server)
        build(root, server, options.modules, options.functions)
        first = anyio.run(review, root)
        small_fix(root)
        incremental = anyio.run(review, root)
        full = anyio.run(lambda: review(root, full=True))
    one, two, again = prompt_tokens(first), prompt_tokens(incremental), prompt_tokens(full)
    diff_lines = sum(1 for _ in module(0, options.functions).splitlines()) * options.modules
    print(f"branch: {options.modules} modules, ~{diff_lines} added lines; fix: 1 line")
    print(f"round 1 (full branch)          prompt tokens: {one:>8}")
    print(f"round 2 incremental (default)  prompt tokens: {two:>8}  = {two / one:.2f} of round 1")
    print(
        f"round 2 --full                 prompt tokens: {again:>8}  = {again / one:.2f} of round 1"
    )
    status = {
        p.finding_id: p.status
        for p in (incremental.rounds.prior_findings if incremental.rounds else [])
    }
    print(f"round 2 statuses: {status}")


if __name__ == "__main__":
    main()
