"""Benchmark: the reviewer panel against the scripted model server. Run directly.

    python bench/bench_panel.py [--reviewers 6] [--latency 0.4] [--turns 4] [--overhead-turns 60]

1. Concurrency: N reviewers (mixed Anthropic / Chat / Responses), each making ``turns`` tool turns
   with a scripted model latency growing per reviewer, run as one panel. Prints the wall-clock
   time, the slowest reviewer's own duration and their ratio (1.0 = perfectly concurrent; N would
   be sequential).
2. Overhead per turn: one reviewer, zero model latency, ``overhead-turns`` read_file turns. Prints
   p50/p99 of the time between consecutive turns: SDK + HTTP + tool loop + tool, no model time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.change import Change, collect_change
from deep_review.config import ReviewerConfig, Settings
from deep_review.events import ReviewEvent
from deep_review.panel import run_panel
from deep_review.panel.scripted import ScriptedModelServer

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
KEY_ENV = "BENCH_MODEL_KEY"
ENV = {KEY_ENV: "bench-key-not-secret"}
APIS = ("anthropic", "chat", "responses")


def git(root: Path, *args: str) -> None:
    """Run git quietly in ``root``."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build_change(root: Path) -> Change:
    """A small repo whose branch edits two Python files."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "pkg").mkdir()
    for name in ("a", "b"):
        (root / "pkg" / f"{name}.py").write_text("".join(f"x{i} = {i}\n" for i in range(200)))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    for name in ("a", "b"):
        path = root / "pkg" / f"{name}.py"
        path.write_text(path.read_text().replace("x7 = 7", "x7 = 70"))
    git(root, "commit", "-q", "-am", "change")
    return collect_change(root, base="main")


def submission() -> dict[str, Any]:
    return {"summary": "bench", "coverage": [{"path": "pkg/a.py", "status": "reviewed"}]}


def reviewer(server: ScriptedModelServer, name: str, api: str, **extra: Any) -> ReviewerConfig:
    return ReviewerConfig(
        name=name,
        provider="anthropic" if api == "anthropic" else "openai",
        model=name,
        base_url=server.url if api == "anthropic" else server.openai_url,
        api_key_env=KEY_ENV,
        api=None if api == "anthropic" else api,  # type: ignore[arg-type]
        thinking=False,
        scripted=True,
        **extra,
    )


async def concurrency(change: Change, count: int, latency: float, turns: int) -> None:
    steps: dict[str, list[dict[str, Any]]] = {}
    for index in range(count):
        delay = latency * (1 + index * 0.25)
        tool = {"tool": "read_file", "input": {"path": "pkg/a.py"}, "delay_s": delay}
        steps[f"r{index}"] = [tool] * turns + [{"delay_s": delay, "submit": submission()}]
    with ScriptedModelServer(steps) as server:
        panel = [reviewer(server, f"r{i}", APIS[i % len(APIS)]) for i in range(count)]
        started = time.monotonic()
        reviews = await run_panel(change, panel, Settings(), on_event=lambda _e: None, env=ENV)
        wall = time.monotonic() - started
    assert all(r.status == "completed" for r in reviews), [r.error for r in reviews]
    slowest = max(r.stats.duration_s for r in reviews)
    print(f"panel of {count} reviewers, {turns + 1} turns each, model latency {latency:g}s+")
    print(f"  wall-clock            {wall:8.3f} s")
    print(f"  slowest reviewer      {slowest:8.3f} s")
    print(f"  wall / slowest        {wall / slowest:8.3f}   (1.0 = fully concurrent)")
    print(f"  sequential would be   {sum(r.stats.duration_s for r in reviews):8.3f} s")


async def turn_gaps(change: Change, turns: int, api: str) -> list[float]:
    """Seconds between consecutive turns of one reviewer with zero model latency."""
    tool = {"tool": "read_file", "input": {"path": "pkg/b.py", "start_line": 1}}
    stamps: list[float] = []

    def sink(event: ReviewEvent) -> None:
        if event.kind == "tokens-used":
            stamps.append(time.monotonic())

    with ScriptedModelServer({"solo": [tool] * turns + [{"submit": submission()}]}) as server:
        solo = reviewer(server, "solo", api, max_turns=turns + 5)
        reviews = await run_panel(change, [solo], Settings(), on_event=sink, env=ENV)
    assert reviews[0].status == "completed", reviews[0].error
    # The first turn also pays for creating the client: leave it out.
    return sorted(b - a for a, b in itertools.pairwise(stamps[1:]))


async def overhead(change: Change, turns: int) -> None:
    for api in APIS:
        gaps = await turn_gaps(change, turns, api)
        p50 = statistics.median(gaps) * 1000
        p99 = gaps[min(len(gaps) - 1, round(0.99 * (len(gaps) - 1)))] * 1000
        print(f"overhead per turn [{api:9}] p50 {p50:7.2f} ms   p99 {p99:7.2f} ms  ({turns} turns)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=6)
    parser.add_argument("--latency", type=float, default=0.4)
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--overhead-turns", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        change = build_change(Path(tmp) / "repo")

        async def run() -> None:
            started = time.monotonic()
            import anthropic  # noqa: F401
            import openai  # noqa: F401

            print(f"cold start: importing both SDKs took {time.monotonic() - started:.2f} s")
            await concurrency(change, args.reviewers, args.latency, args.turns)
            await overhead(change, args.overhead_turns)

        anyio.run(run)


if __name__ == "__main__":
    main()
