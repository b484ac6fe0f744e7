"""Benchmark: reconciliation on the blind labelled cases (tests/reconcile/cases-blind).

The cases were written before tuning by a helper that never read the reconciler. ``tune/`` may
guide changes; ``frozen/`` is only ever scored (never read while changing the code), so its
figures say how the reconciler does on reviews it was not shaped by.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "server")]

from bench.bench_reconcile import _print, _score  # noqa: E402
from tests.reconcile.casefile import Case  # noqa: E402

BLIND = ROOT / "tests" / "reconcile" / "cases-blind"


def load(half: str) -> list[Case]:
    """The blind cases of one half (``tune`` or ``frozen``)."""
    return [Case.model_validate_json(p.read_text()) for p in sorted((BLIND / half).glob("*.json"))]


def main() -> None:
    for half in ("tune", "frozen"):
        cases = load(half)
        _print(f"blind {half}: {len(cases)} cases, deterministic", anyio.run(_score, cases))


if __name__ == "__main__":
    main()
