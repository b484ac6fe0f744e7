"""What each provider puts on the wire: caching, thinking, reasoning effort, API flavour."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deep_review.change import Change
from deep_review.config import ReviewerConfig
from deep_review.model import SubmittedReview
from deep_review.panel.agent import run_agent
from deep_review.panel.providers.errors import retry_after_seconds, scrub
from deep_review.panel.providers.openai_provider import uses_responses_api
from deep_review.panel.providers.retry import RetryPolicy
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.panel.tools import Toolbox
from tests.panel.conftest import TEST_KEY, model_reviewer, submission


async def first_request(
    server: ScriptedModelServer, reviewer: ReviewerConfig, change: Change, env: dict[str, str]
) -> dict[str, Any]:
    server.add_transcript(reviewer.model, [{"submit": submission()}])
    run = await run_agent(
        reviewer,
        system="SYSTEM PROMPT",
        prompt="USER PROMPT",
        toolbox=Toolbox(RepoSandbox(Path(change.repo_root)), change),
        submit_model=SubmittedReview,
        on_event=lambda _e: None,
        env=env,
    )
    assert run.status == "completed", run.error
    return server.requests_for(reviewer.model)[0].body


async def test_anthropic_caches_the_stable_prefix_without_thinking_when_off(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    body = await first_request(scripted, model_reviewer(scripted, "c", "anthropic"), change, env)
    assert body["system"] == [
        {"type": "text", "text": "SYSTEM PROMPT", "cache_control": {"type": "ephemeral"}}
    ]
    tools = body["tools"]
    assert [t["name"] for t in tools][-1] == "submit_review"
    assert tools[-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in tools[:-1])
    assert {"read_file", "grep", "list_files", "git_blame", "git_log", "show_base", "diff"} <= {
        t["name"] for t in tools
    }
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "USER PROMPT", "cache_control": {"type": "ephemeral"}}
            ],
        }
    ]
    assert "thinking" not in body


async def test_anthropic_moves_a_cache_breakpoint_to_the_newest_turn(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript(
        "m",
        [
            {"tool": "list_files", "input": {}},
            {"calls": [{"tool": "git_log", "input": {}}, {"tool": "diff", "input": {}}]},
            {"submit": submission()},
        ],
    )
    reviewer = model_reviewer(scripted, "c", "anthropic", "m")
    run = await run_agent(
        reviewer,
        system="S",
        prompt="U",
        toolbox=Toolbox(RepoSandbox(Path(change.repo_root)), change),
        submit_model=SubmittedReview,
        on_event=lambda _e: None,
        env=env,
    )
    assert run.status == "completed", run.error
    messages = scripted.requests_for("m")[2].body["messages"]
    marked = [
        (index, block.get("type"))
        for index, message in enumerate(messages)
        for block in message["content"]
        if "cache_control" in block
    ]
    assert marked == [(4, "tool_result")]  # only the newest turn's last block
    assert messages[4]["content"][0].get("cache_control") is None
    assert run.stats.cached_tokens > 0


@pytest.mark.parametrize(
    ("effort", "budget"), [("medium", 4_000), ("high", 16_000), ("xhigh", 32_000)]
)
async def test_anthropic_thinking_budget_follows_effort(
    effort: str, budget: int, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    reviewer = model_reviewer(scripted, "c", "anthropic", thinking=True, effort=effort)
    body = await first_request(scripted, reviewer, change, env)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] > budget


@pytest.mark.parametrize(("effort", "thinking"), [("low", None), ("high", {"type": "adaptive"})])
async def test_adaptive_models_get_their_effort_in_output_config(
    effort: str,
    thinking: dict[str, str] | None,
    scripted: ScriptedModelServer,
    change: Change,
    env: dict[str, str],
) -> None:
    reviewer = model_reviewer(
        scripted, "c", "anthropic", "claude-opus-4-7", thinking=None, effort=effort
    )
    body = await first_request(scripted, reviewer, change, env)
    assert body["output_config"] == {"effort": effort}
    assert body.get("thinking") == thinking


async def test_anthropic_low_effort_means_no_thinking(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    reviewer = model_reviewer(scripted, "c", "anthropic", thinking=True, effort="low")
    assert "thinking" not in await first_request(scripted, reviewer, change, env)


async def test_chat_sends_reasoning_effort_only_to_reasoning_models(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    plain = await first_request(
        scripted, model_reviewer(scripted, "g", "chat", "llama3", thinking=None), change, env
    )
    assert "reasoning_effort" not in plain
    assert plain["messages"][0] == {"role": "system", "content": "SYSTEM PROMPT"}
    assert plain["tools"][0]["type"] == "function"
    reasoning = await first_request(
        scripted,
        model_reviewer(scripted, "g2", "chat", "o4-mini", thinking=None, effort="xhigh"),
        change,
        env,
    )
    assert reasoning["reasoning_effort"] == "high"  # o-series has no xhigh


async def test_responses_is_stateless_and_carries_reasoning(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    reviewer = model_reviewer(scripted, "o", "responses", "gpt-5.4", thinking=True, effort="xhigh")
    body = await first_request(scripted, reviewer, change, env)
    assert body["instructions"] == "SYSTEM PROMPT"
    assert body["store"] is False
    assert body["reasoning"] == {"effort": "xhigh"}
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["tools"][-1]["name"] == "submit_review"


def test_xhigh_only_where_the_model_has_it() -> None:
    from deep_review.panel.providers.openai_provider import reasoning_effort

    def effort(model: str) -> str:
        return reasoning_effort(
            ReviewerConfig(name="x", provider="openai", model=model, effort="xhigh")
        )

    assert effort("gpt-5.2") == "xhigh"
    assert effort("gpt-5.1-codex-max") == "xhigh"
    assert effort("gpt-5") == "high"
    assert effort("gpt-5.1") == "high"
    assert effort("o3") == "high"


def test_api_flavour_defaults() -> None:
    def flavour(**kw: Any) -> bool:
        return uses_responses_api(ReviewerConfig(name="x", **kw))

    assert flavour(provider="openai", model="gpt-5")
    assert flavour(provider="openai", model="o3")
    assert not flavour(provider="openai", model="gpt-4.1")
    assert not flavour(provider="openai-compatible", model="gpt-5")  # e.g. a vLLM proxy
    assert not flavour(provider="openai", model="gpt-5", api="chat")
    assert flavour(provider="openai", model="gpt-4.1", api="responses")


def test_scrub_removes_keys_and_key_shaped_fragments() -> None:
    text = f"Incorrect API key provided: {TEST_KEY}. Also sk-proj-****abcd1234 and AIzaSyA1234567"
    cleaned = scrub(text, (TEST_KEY,))
    assert TEST_KEY not in cleaned and "sk-proj" not in cleaned and "AIza" not in cleaned
    assert cleaned.startswith("Incorrect API key provided: [redacted].")


def test_retry_after_headers() -> None:
    assert retry_after_seconds({"Retry-After": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=5.0)
    assert 0.75 <= policy.backoff(0) <= 1.25
    assert 1.5 <= policy.backoff(1) <= 2.5
    assert 3.75 <= policy.backoff(10) <= 6.25


def test_retry_after_as_an_http_date() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    wait = retry_after_seconds({"retry-after": later})
    assert wait is not None and 25 < wait <= 30
