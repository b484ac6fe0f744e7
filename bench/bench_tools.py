"""Benchmark: the reviewer's repository tools and the redactor on a synthetic repo. Run directly.

    python bench/bench_tools.py [--files 2000] [--lines 200] [--calls 30]

1. grep: p50/p95 per call with ripgrep and with the Python fallback, and their ratio.
2. read_file / git_blame / list_files: p50/p95 per call (the latency a model turn pays).
3. Redactor: MB/s over the repo's text (every tool result passes through it).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.change import collect_change
from deep_review.panel.redact import Redactor
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.tools import Toolbox

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> None:
    """Run git quietly in ``root``."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build_repo(root: Path, files: int, lines: int) -> None:
    """``files`` Python-looking files in nested packages, one commit, then a small change."""
    rng = random.Random(1)
    git(root, "init", "-q", "-b", "main")
    for index in range(files):
        path = root / f"pkg{index % 20}" / f"mod{index}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [
            f"value_{i} = compute('{''.join(rng.choices(string.ascii_lowercase, k=12))}', {i})\n"
            for i in range(lines)
        ]
        path.write_text("".join(body))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    with open(root / "pkg0" / "mod0.py", "a") as handle:
        handle.write("needle = retry_forever()\n")


async def timed(call: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    """Wall-clock seconds of ``count`` sequential calls."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def summary(name: str, samples: list[float]) -> float:
    """Print p50/p95 in milliseconds; return p50."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"{name:<28} p50 {p50 * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms")
    return p50


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        root.mkdir()
        build_repo(root, args.files, args.lines)
        change = collect_change(root, base="main")
        sandbox = RepoSandbox(root)
        fast = Toolbox(sandbox, change, use_ripgrep=True)
        slow = Toolbox(sandbox, change, use_ripgrep=False)
        grep = {"pattern": r"retry_\w+"}
        print(f"repo: {args.files} files x {args.lines} lines")
        rg_p50 = None
        if fast.ripgrep:
            rg_p50 = summary(
                "grep (ripgrep)", await timed(lambda: fast.call("grep", grep), args.calls)
            )
        else:
            print("grep (ripgrep)               skipped: rg not on PATH")
        py_p50 = summary("grep (python)", await timed(lambda: slow.call("grep", grep), args.calls))
        if rg_p50:
            print(f"{'python / ripgrep ratio':<28} {py_p50 / rg_p50:8.1f}x")
        read = {"path": "pkg0/mod0.py"}
        summary("read_file", await timed(lambda: fast.call("read_file", read), args.calls))
        blame = {"path": "pkg0/mod0.py", "start_line": 1, "end_line": 50}
        summary(
            "git_blame (50 lines)", await timed(lambda: fast.call("git_blame", blame), args.calls)
        )
        summary("list_files", await timed(lambda: fast.call("list_files", {}), args.calls))
        text = "".join((root / f"pkg{i % 20}" / f"mod{i}.py").read_text() for i in range(200))
        started = time.perf_counter()
        Redactor().redact(text, "bench")
        elapsed = time.perf_counter() - started
        print(f"{'redactor throughput':<28} {len(text) / elapsed / 1e6:8.2f} MB/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--calls", type=int, default=30)
    anyio.run(main, parser.parse_args())
