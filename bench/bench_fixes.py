"""Benchmark: locating and applying fixes in large files (milliseconds, percentiles). Run directly.

    python bench/bench_fixes.py [--lines 20000] [--runs 50]

For a file of N lines it times, per fix shape: a numbered diff at its position, the same diff
after 500 lines were inserted above (found by search), a header-less snippet found by content
near the finding, a stale fix (full search, then the diagnosis), and ``patch_edits`` in UTF-16.
Prints p50/p95 per shape and the ratio of the slowest shape's p50 to the in-place one.
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from deep_review.fixes import FixDoesNotApply, apply_patch, check_fix, patch_edits
from deep_review.model import Location


def source(lines: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = ["value", "count", "name", "result", "items", "total", "data", "index"]
    out = []
    for number in range(lines):
        indent = "    " * rng.randint(0, 3)
        out.append(f"{indent}{rng.choice(words)}_{number} = {rng.choice(words)}({number})\n")
    return out


def edited(lines: list[str]) -> list[str]:
    result = list(lines)
    middle = len(result) // 2
    result[middle] = result[middle].replace("=", "= 1 +")
    result.insert(middle + 2, "    added_line = True\n")
    return result


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95


def time_it(action: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    original = source(args.lines)
    text = "".join(original)
    patch = "".join(difflib.unified_diff(original, edited(original), "a/big.py", "b/big.py"))
    moved = "".join(f"# moved {i}\n" for i in range(500)) + text
    snippet = "\n".join(
        line for line in patch.splitlines() if not line.startswith(("---", "+++", "@@"))
    )
    middle = args.lines // 2
    hint = Location(path="big.py", start_line=middle, end_line=middle + 3)
    stale = patch.replace(original[middle].rstrip("\n"), "gone = 0")

    def stale_check() -> None:
        status, _ = check_fix(stale, {"big.py": text}.get, hint)
        assert status == "stale"

    def in_place() -> None:
        apply_patch({"big.py": text}, patch)

    def offset() -> None:
        apply_patch({"big.py": moved}, patch)

    def headerless() -> None:
        apply_patch({"big.py": text}, snippet, hint=hint)

    def edits() -> None:
        patch_edits({"big.py": text}, patch)

    shapes: dict[str, Callable[[], object]] = {
        "numbered, in place": in_place,
        "numbered, 500 lines off": offset,
        "header-less, by content": headerless,
        "stale (search + diagnosis)": stale_check,
        "patch_edits utf-16": edits,
    }
    try:
        in_place()
    except FixDoesNotApply as failure:  # the bench must measure a fix that applies
        raise SystemExit(f"bench fix does not apply: {failure.reason}") from failure
    print(f"file: {args.lines} lines, {len(text) / 1024:.0f} KiB; {args.runs} runs each")
    medians = {}
    for name, action in shapes.items():
        p50, p95 = percentiles(time_it(action, args.runs))
        medians[name] = p50
        print(f"{name:28s} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms")
    slowest = max(medians, key=lambda name: medians[name])
    ratio = medians[slowest] / medians["numbered, in place"]
    print(f"slowest/in-place p50 ratio: {ratio:.1f}x ({slowest})")


if __name__ == "__main__":
    main()
