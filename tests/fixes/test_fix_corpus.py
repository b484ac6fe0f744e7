"""Real hunks of real changes (this repository's history), degraded the way model output is:
apply either reproduces the real result or refuses — never a third result."""

from __future__ import annotations

import pytest

from tests.fixes.corpus import DEGRADATIONS, load, outcome

CASES = [*load("tune"), *load("frozen")]


def test_the_corpus_is_large_enough_to_mean_something() -> None:
    assert len(CASES) >= 60
    assert len({case.path for case in CASES}) >= 15


@pytest.mark.parametrize("degradation", sorted(DEGRADATIONS))
def test_apply_reproduces_the_real_change_or_refuses(degradation: str) -> None:
    degrade = DEGRADATIONS[degradation]
    wrong = [case.name for case in CASES if outcome(case, degrade(case.diff)) == "wrong"]
    assert wrong == []


def test_the_real_diff_itself_always_applies() -> None:
    assert all(outcome(case, case.diff) == "exact" for case in CASES)
