"""Benchmark: reconciliation quality on the labelled set, and its speed. Run directly.

    python bench/bench_reconcile.py [--scale 200] [--no-lead]

Prints, for the deterministic mode: merge precision and recall over same-problem pairs (targets
>= 0.9 and >= 0.8), drop precision/recall and the share of cases fully right. Then the same end to
end with a scripted lead model (real SDK over HTTP to the scripted model server; the script
agrees to every merge it is asked about and confirms every finding, so its numbers show what an
over-eager lead costs). Last, the time to reconcile a synthetic panel of --scale findings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))
sys.path.insert(0, str(ROOT))

from tests.reconcile.casefile import (  # noqa: E402
    Case,
    DictSource,
    change_from_files,
    found_groups,
    load_cases,
    pair_counts,
    run_case,
)

from deep_review.config import ReconcileConfig, ReviewerConfig  # noqa: E402
from deep_review.model import AgentReview  # noqa: E402
from deep_review.reconcile.lead import LeadModel  # noqa: E402
from deep_review.reconcile.model_lead import make_lead  # noqa: E402
from deep_review.reconcile.pipeline import reconcile  # noqa: E402

KEY_ENV = "BENCH_SCRIPTED_KEY"
AGREEING_LEAD: list[dict[str, Any]] = [
    {
        "calls": [
            {"tool": "submit_merge_decision", "input": {"same_problem": True, "reason": "Same."}},
            {"tool": "submit_verification", "input": {"status": "confirmed", "reason": "Holds."}},
            {"tool": "submit_narrative", "input": {"narrative": "Scripted."}},
            {"tool": "submit_summary", "input": {"summary": "Scripted."}},
        ]
    }
]


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


async def _score(cases: list[Case], lead_for: Any = None) -> dict[str, float]:
    tp = fp = fn = 0
    drop_tp = drop_fp = drop_fn = 0
    exact = 0
    durations: list[float] = []
    for case in cases:
        lead = lead_for(case) if lead_for else None
        started = time.perf_counter()
        _, trace, keys = await run_case(case, lead=lead)
        durations.append(time.perf_counter() - started)
        found = found_groups(trace, keys)
        want = sorted(sorted(g) for g in case.expect.groups)
        a, b, c = pair_counts(want, found)
        tp, fp, fn = tp + a, fp + b, fn + c
        dropped = {keys[k] for k in trace.dropped}
        expected = set(case.expect.dropped)
        drop_tp += len(dropped & expected)
        drop_fp += len(dropped - expected)
        drop_fn += len(expected - dropped)
        exact += int(found == want and dropped == expected)
    return {
        "merge precision": _ratio(tp, tp + fp),
        "merge recall": _ratio(tp, tp + fn),
        "drop precision": _ratio(drop_tp, drop_tp + drop_fp),
        "drop recall": _ratio(drop_tp, drop_tp + drop_fn),
        "cases fully right": exact / len(cases),
        "p50 ms/case": 1000 * statistics.median(durations),
        "max ms/case": 1000 * max(durations),
    }


def _print(title: str, scores: dict[str, float]) -> None:
    print(title)
    for name, value in scores.items():
        print(f"  {name:<20} {value:8.3f}")


def _scripted_lead_run(cases: list[Case]) -> dict[str, float]:
    from deep_review.panel.sandbox import RepoSandbox
    from deep_review.panel.scripted import ScriptedModelServer

    with (
        ScriptedModelServer({"bench-lead": AGREEING_LEAD}) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        config = ReviewerConfig(
            name="lead", provider="anthropic", model="bench-lead", base_url=server.url,
            api_key_env=KEY_ENV, scripted=True, max_retries=0,
        )  # fmt: skip

        def lead_for(case: Case) -> LeadModel | None:
            root = Path(tmp) / case.name
            for path, lines in case.head.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text("\n".join(lines) + "\n")
            base = {p: "\n".join(v) + "\n" for p, v in case.base.items()}
            head = {p: "\n".join(v) + "\n" for p, v in case.head.items()}
            return make_lead(
                "lead", [config], sandbox=RepoSandbox(root), change=change_from_files(base, head),
                on_event=lambda _e: None, env={KEY_ENV: "bench-key"},
            )  # fmt: skip

        scores = anyio.run(_score, cases, lead_for)
        scores["lead requests"] = float(len(server.requests))
        return scores


PROBLEMS = ("leaks", "is unchecked", "races")


def _synthetic_panel(size: int) -> tuple[list[AgentReview], dict[str, str], dict[str, str]]:
    """``size`` findings over 4 agents and 20 files, a third of them duplicates."""
    files = {
        f"pkg/mod{n}.py": "".join(f"value_{n}_{i} = compute_{i}(item_{i})\n" for i in range(400))
        for n in range(20)
    }
    reviews = []
    for agent in range(4):
        findings = []
        for i in range(size // 4):
            n, line = (i * 7 + agent * (i % 3 == 0)) % 20, (i * 13) % 390 + 1
            findings.append(
                {
                    "path": f"pkg/mod{n}.py", "start_line": line, "end_line": line + 1,
                    "severity": ("critical", "important", "suggestion")[i % 3],
                    "category": "regression",
                    "title": f"`compute_{line - 1}` result {PROBLEMS[i % 3]}",
                    "body": f"Agent {agent} says `value_{n}_{line - 1}` may be wrong here.",
                    "evidence": f"value_{n}_{line - 1} = compute_{line - 1}(item_{line - 1})",
                }
            )  # fmt: skip
        reviews.append(
            AgentReview.model_validate({"reviewer": f"agent{agent}", "findings": findings})
        )
    return reviews, {p: "" for p in files}, files


def _scale_run(size: int) -> None:
    reviews, base, head = _synthetic_panel(size)
    change = change_from_files(base, head)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        review = anyio.run(
            lambda: reconcile(reviews, change, DictSource(head), config=ReconcileConfig())
        )
        timings.append(time.perf_counter() - started)
    total = len(review.findings) + len(review.appendix_findings)
    print(f"synthetic panel: {size} findings from 4 agents -> {total} reconciled")
    print(f"  median seconds    {statistics.median(timings):8.3f}")
    print(f"  ms per finding    {1000 * statistics.median(timings) / size:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=200)
    parser.add_argument("--no-lead", action="store_true")
    args = parser.parse_args()
    cases = load_cases()
    print(f"labelled set: {len(cases)} cases")
    deterministic = anyio.run(_score, cases)
    _print("deterministic (no lead model)", deterministic)
    ok = deterministic["merge precision"] >= 0.9 and deterministic["merge recall"] >= 0.8
    print(f"  targets (precision >= 0.9, recall >= 0.8): {'met' if ok else 'NOT met'}")
    if not args.no_lead:
        _print("end to end, scripted always-agreeing lead", _scripted_lead_run(cases))
    _scale_run(args.scale)


if __name__ == "__main__":
    main()
