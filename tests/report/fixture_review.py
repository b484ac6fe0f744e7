"""The fixture review (fixtures/reviews/host-switch.review.json) and golden-file helpers."""

from __future__ import annotations

import os
from pathlib import Path

from deep_review.model import Review

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "reviews" / "host-switch.review.json"
GOLDEN = Path(__file__).with_name("golden")


def load_fixture_review() -> Review:
    """A fresh copy of the realistic fixture review (three agents, one failed)."""
    return Review.model_validate_json(FIXTURE.read_text(encoding="utf-8"))


def assert_golden(name: str, actual: str) -> None:
    """Compare with golden/<name>; UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}: run with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"
