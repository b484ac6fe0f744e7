"""The default panel from the environment, and the one notice when no model can review."""

from __future__ import annotations

from deep_review.config import ReviewerConfig
from deep_review.panel import default_reviewers, missing_models_notice


def test_no_keys_gives_the_analyzers_and_one_plain_notice() -> None:
    panel = default_reviewers({})
    assert [(r.name, r.provider) for r in panel] == [("ruff", "ruff")]
    notice = missing_models_notice(panel)
    assert notice is not None
    assert "No model reviewers ran" in notice
    assert "ANTHROPIC_API_KEY" in notice and ".deep-review.toml" in notice


def test_one_model_reviewer_per_key_present() -> None:
    env = {"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "b", "GEMINI_API_KEY": "c"}
    panel = default_reviewers(env)
    assert [(r.name, r.provider, r.api_key_env) for r in panel] == [
        ("claude", "anthropic", "ANTHROPIC_API_KEY"),
        ("gpt", "openai", "OPENAI_API_KEY"),
        ("gemini", "openai-compatible", "GEMINI_API_KEY"),
        ("ruff", "ruff", None),
    ]
    gemini = panel[2]
    assert gemini.base_url == "https://generativelanguage.googleapis.com/v1beta/openai/"
    assert panel[0].model.startswith("claude-opus")
    assert missing_models_notice(panel) is None


def test_only_gemini() -> None:
    panel = default_reviewers({"GEMINI_API_KEY": "x", "OPENAI_API_KEY": ""})
    assert [r.name for r in panel] == ["gemini", "ruff"]


def test_default_models_can_be_overridden_from_the_environment() -> None:
    panel = default_reviewers({"ANTHROPIC_API_KEY": "a", "DEEP_REVIEW_ANTHROPIC_MODEL": "claude-x"})
    assert panel[0].model == "claude-x"


def test_a_configured_local_model_counts_as_a_model_reviewer() -> None:
    local = ReviewerConfig(
        name="qwen",
        provider="openai-compatible",
        model="qwen",
        base_url="http://localhost:11434/v1",
    )
    assert missing_models_notice([local, ReviewerConfig(name="ruff", provider="ruff")]) is None
