"""Benchmark: hover and codeAction latency while a review runs (milliseconds). Run directly.

    python bench/bench_lsp.py [--findings 60] [--requests 150] [--model-latency 0.4]

Starts ``deep-review serve`` over stdio, loads a saved review of a fixture branch (N findings
spread over one file), then measures p50/p99 of ``textDocument/hover`` and
``textDocument/codeAction`` twice: idle, and while ``deepReview.run`` reviews the branch against
the scripted model server (three reviewers, each several slow tool calls). Prints both and the
ratio busy/idle: the engine must not block the server's event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "server"), str(ROOT)]

from tests.lsp.editor import Editor, editor_session  # noqa: E402
from tests.lsp.panel import configure  # noqa: E402
from tests.support.gitrepo import GitRepo  # noqa: E402

from deep_review.change import collect_change  # noqa: E402
from deep_review.model import ReconciledFinding, Review, ReviewHeader  # noqa: E402
from deep_review.panel.scripted import ScriptedModelServer  # noqa: E402
from deep_review.store import ReviewStore  # noqa: E402


def build_project(root: Path, findings: int) -> tuple[GitRepo, list[ReconciledFinding]]:
    """A branch adding ``findings`` small functions to one module, one finding on each."""
    repo = GitRepo(root)
    repo.write("module.py", "VERSION = 1\n")
    repo.commit("base")
    repo.branch("feature")
    body = ["VERSION = 1\n"]
    found = []
    for index in range(findings):
        # Two blank lines, the def, its body: the body is 4 lines below the previous end.
        body_line = 1 + 4 * (index + 1)
        body.append(f"\n\ndef handler_{index}(value):\n    return eval(value)  # {index}\n")
        found.append(
            ReconciledFinding(
                id=f"I{index + 1}",
                path="module.py",
                start_line=body_line,
                end_line=body_line,
                severity="important",
                category="regression",
                title=f"eval on input in handler_{index}",
                body="`eval` runs whatever the caller sends.",
                evidence=f"return eval(value)  # {index}",
                fix=(
                    f"@@ -{body_line},1 +{body_line},1 @@\n"
                    f"-    return eval(value)  # {index}\n"
                    f"+    return int(value)  # {index}\n"
                ),
                agents=["claude", "codex"],
            )
        )
    repo.write("module.py", "".join(body))
    repo.commit("handlers")
    return repo, found


def save_review(repo: GitRepo, findings: list[ReconciledFinding]) -> None:
    change = collect_change(repo.root)
    header = ReviewHeader(
        branch=change.branch,
        base_ref=change.base_ref,
        base_sha=change.base_sha,
        head_sha=change.head_sha,
        diff_hash=change.diff_hash,
        date=datetime.now(UTC),
    )
    ReviewStore(repo.root).save_review(Review(header=header, findings=findings))


def slow_reviewer(latency: float, turns: int) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"tool": "read_file", "input": {"path": "module.py"}, "delay_s": latency}
        for _ in range(turns)
    ]
    steps.append({"submit": {"summary": "Reviewed.", "findings": []}, "delay_s": latency})
    return steps


async def measure(editor: Editor, requests: int, lines: list[int]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"hover": [], "codeAction": []}
    calls: dict[str, Callable[[int], Awaitable[object]]] = {
        "hover": lambda line: editor.hover("module.py", line),
        "codeAction": lambda line: editor.code_actions("module.py", line),
    }
    for index in range(requests):
        line = lines[index % len(lines)]
        for name, call in calls.items():
            began = time.perf_counter()
            result = await call(line)
            timings[name].append((time.perf_counter() - began) * 1000)
            assert result, f"{name} on line {line} answered nothing"
        await asyncio.sleep(0.005)
    return timings


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder, ScriptedModelServer() as models:
        repo, findings = build_project(Path(folder) / "repo", args.findings)
        for model in ("claude-script", "codex-script", "gemini-script"):
            models.add_transcript(model, slow_reviewer(args.model_latency, turns=6))
        configure(
            repo,
            models,
            ("claude", "claude-script"),
            ("codex", "codex-script"),
            ("gemini", "gemini-script"),
        )
        save_review(repo, findings)
        lines = [finding.start_line - 1 for finding in findings]
        async with editor_session(repo.root, "vscode") as editor:
            await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status), 60)
            editor.open("module.py")
            idle = await measure(editor, args.requests, lines)
            await editor.command("deepReview.run", {"useCache": False})
            await editor.wait_for(lambda: models.requests, 60)
            busy = await measure(editor, args.requests, lines)
            still_running = editor.status[-1]["state"] == "running"
            await editor.command("deepReview.cancel")
    print(f"{args.findings} findings, {args.requests} requests of each kind per phase")
    print(f"review still running at the end of the busy phase: {still_running}")
    for name in ("hover", "codeAction"):
        idle_p50, busy_p50 = statistics.median(idle[name]), statistics.median(busy[name])
        print(
            f"{name:>10}: idle p50 {idle_p50:6.1f} ms p99 {percentile(idle[name], 0.99):6.1f} ms"
            f" | running p50 {busy_p50:6.1f} ms p99 {percentile(busy[name], 0.99):6.1f} ms"
            f" | p50 ratio {busy_p50 / idle_p50:4.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=60)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--model-latency", type=float, default=0.4)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
