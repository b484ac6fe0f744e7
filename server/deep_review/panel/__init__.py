"""The reviewer panel: model reviewers in a read-only tool loop, plus offline analyzers."""

from __future__ import annotations

from deep_review.panel.agent import AgentRun, run_agent
from deep_review.panel.runner import (
    default_reviewers,
    missing_models_notice,
    redacted_diff,
    run_panel,
    to_agent_review,
)

__all__ = [
    "AgentRun",
    "default_reviewers",
    "missing_models_notice",
    "redacted_diff",
    "run_agent",
    "run_panel",
    "to_agent_review",
]
