"""Benchmark: fixes on real history (fixtures/fix-corpus), degraded like model output. Run directly.

For each degradation: how often apply reproduces the real change exactly, refuses, or gives a
wrong result (which must be 0). ``tune`` and ``frozen`` halves are reported apart; the frozen
half is never looked at while changing ``server/deep_review/fixes``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "server")]

from tests.fixes.corpus import DEGRADATIONS, load, outcome  # noqa: E402


def main() -> None:
    for half in ("tune", "frozen"):
        cases = load(half)
        total: Counter[str] = Counter()
        print(f"{half}: {len(cases)} real changes")
        for name, degrade in DEGRADATIONS.items():
            counts = Counter(outcome(case, degrade(case.diff)) for case in cases)
            total.update(counts)
            print(
                f"  {name:34} exact {counts['exact']:3}  refused {counts['refused']:3}"
                f"  wrong {counts['wrong']}"
            )
        runs = sum(total.values())
        print(
            f"  {'all':34} exact {total['exact'] / runs:.1%}  refused"
            f" {total['refused'] / runs:.1%}  wrong {total['wrong']}"
        )


if __name__ == "__main__":
    main()
