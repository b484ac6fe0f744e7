"""Cache keys: every input that shapes a result is in the key, and no key value ever is."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deep_review.cache_keys import reconcile_key, reviewer_key
from deep_review.change import collect_change
from deep_review.change.model import Change
from deep_review.config import ReviewerConfig, Settings
from tests.support.gitrepo import GitRepo

CLAUDE = ReviewerConfig(
    name="claude", provider="anthropic", model="claude-x", api_key_env="CLAUDE_KEY"
)

# A different value for each ReviewerConfig field: each must change the key.
CHANGED_FIELDS: dict[str, Any] = {
    "name": "claude-2",
    "provider": "openai",
    "model": "claude-y",
    "base_url": "http://127.0.0.1:9/v1",
    "api_key_env": "OTHER_KEY",
    "effort": "low",
    "max_turns": 7,
    "deadline_s": 60.0,
    "request_timeout_s": 30.0,
    "max_retries": 1,
    "api": "responses",
    "command": "semgrep --sarif {files}",
    "scripted": True,
    "thinking": False,
    "stream": False,
    "tool_choice": "required",
    "max_output_tokens": 512,
    "context_tokens": 8192,
}


@pytest.fixture
def change(repo: GitRepo) -> Change:
    repo.write("app.py", "x = 1\n")
    repo.commit("start")
    repo.branch("feature")
    repo.write("app.py", "x = 2\n")
    repo.commit("change")
    return collect_change(repo.root)


def test_every_reviewer_setting_is_in_its_key(change: Change) -> None:
    assert set(CHANGED_FIELDS) == set(ReviewerConfig.model_fields)  # a new field needs a case
    env = {"CLAUDE_KEY": "k" * 20}
    base = reviewer_key(change, CLAUDE, Settings(), env)
    for field, value in CHANGED_FIELDS.items():
        changed = CLAUDE.model_copy(update={field: value})
        assert reviewer_key(change, changed, Settings(), env) != base, field


def test_commands_allowlist_is_in_a_model_reviewers_key(change: Change) -> None:
    allowed = Settings.model_validate({"commands": {"allow": ["pytest -x"]}})
    assert reviewer_key(change, CLAUDE, allowed, {}) != reviewer_key(change, CLAUDE, Settings(), {})


def test_lead_and_reconcile_settings_are_in_the_reconcile_key(change: Change) -> None:
    keys = ["a" * 48]
    base = reconcile_key(change, keys, None, Settings(), {})
    assert reconcile_key(change, keys, CLAUDE, Settings(), {}) != base
    tighter = Settings.model_validate({"reconcile": {"max_suggestions": 3}})
    assert reconcile_key(change, keys, None, tighter, {}) != base
    assert reconcile_key(change, ["b" * 48], None, Settings(), {}) != base
    with_key = reconcile_key(change, keys, CLAUDE, Settings(), {"CLAUDE_KEY": "k" * 20})
    assert with_key != reconcile_key(change, keys, CLAUDE, Settings(), {})


@settings(
    max_examples=40,
    deadline=None,
    # The change is only read: sharing it across examples is intended.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(first=st.text(min_size=1, max_size=60), second=st.text(min_size=1, max_size=60))
def test_a_key_is_present_or_not_its_value_never_matters(
    change: Change, first: str, second: str
) -> None:
    with_first = reviewer_key(change, CLAUDE, Settings(), {"CLAUDE_KEY": first})
    with_second = reviewer_key(change, CLAUDE, Settings(), {"CLAUDE_KEY": second})
    without = reviewer_key(change, CLAUDE, Settings(), {})
    assert with_first == with_second != without


def test_the_default_key_variable_counts_for_a_reviewer_that_names_none(change: Change) -> None:
    bare = ReviewerConfig(name="claude", provider="anthropic", model="claude-x")
    assert reviewer_key(change, bare, Settings(), {"ANTHROPIC_API_KEY": "k" * 20}) != reviewer_key(
        change, bare, Settings(), {}
    )


def test_instruction_files_are_in_a_model_reviewers_key(repo: GitRepo, change: Change) -> None:
    before = reviewer_key(change, CLAUDE, Settings(), {})
    (repo.root / "AGENTS.md").write_text("Review for thread safety.\n")
    assert reviewer_key(change, CLAUDE, Settings(), {}) != before
