"""Editor test prerequisites: missing ones skip a developer's run but fail CI (CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("DEEP_REVIEW_E2E_TOOLS", REPO_ROOT / "build" / "editor-e2e"))


def in_ci() -> bool:
    """True on CI, where every editor test must run."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, missing: str, fix: str) -> None:
    """Fails on CI (a missing prerequisite is a broken pipeline), skips locally."""
    if condition:
        return
    message = f"{missing} — {fix}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
