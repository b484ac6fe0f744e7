"""The tool loop end to end: real SDKs over HTTP to the scripted server, real Toolbox over git."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deep_review.change import Change
from deep_review.config import ReviewerConfig
from deep_review.events import ReviewEvent
from deep_review.model import SubmittedReview
from deep_review.panel.agent import AgentRun, run_agent
from deep_review.panel.providers.retry import RetryPolicy
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.panel.tools import Toolbox
from tests.panel.conftest import TEST_KEY, finding, model_reviewer, submission

APIS = ["anthropic", "chat", "responses"]
FAST_RETRIES = RetryPolicy(max_retries=3, base_delay_s=0.05)


async def review(
    reviewer: ReviewerConfig,
    change: Change,
    env: dict[str, str],
    events: list[ReviewEvent] | None = None,
    policy: RetryPolicy = FAST_RETRIES,
) -> AgentRun[SubmittedReview]:
    toolbox = Toolbox(RepoSandbox(Path(change.repo_root)), change)
    sink = events.append if events is not None else (lambda _event: None)
    return await run_agent(
        reviewer,
        system="You review code.",
        prompt="Review the change to echo/server.py.",
        toolbox=toolbox,
        submit_model=SubmittedReview,
        on_event=sink,
        env=env,
        retry_policy=policy,
    )


def kinds(events: list[ReviewEvent]) -> list[str]:
    return [event.kind for event in events]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("api", APIS)
async def test_reads_greps_then_submits(
    api: str, stream: bool, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript(
        "claude-like",
        [
            {"tool": "read_file", "input": {"path": "echo/server.py", "start_line": 11}},
            {"tool": "grep", "input": {"pattern": "accept\\(", "glob": "*.py"}},
            {"submit": submission()},
        ],
    )
    events: list[ReviewEvent] = []
    reviewer = model_reviewer(scripted, "r", api, "claude-like", stream=stream)
    run = await review(reviewer, change, env, events)

    assert run.status == "completed", run.error
    assert run.result is not None
    assert run.result.findings[0].title.startswith("accept loop spins")
    assert run.stats.turns == 3
    assert run.stats.tool_calls == {"read_file": 1, "grep": 1}
    assert run.stats.input_tokens > 0 and run.stats.output_tokens > 0
    assert run.stats.duration_s > 0

    requests = scripted.requests_for("claude-like")
    assert [r.turn for r in requests] == [0, 1, 2]
    assert all(bool(r.body.get("stream")) is stream for r in requests)
    # The tool results went back to the model: the file as read_file numbered it, the grep hit.
    assert "conn, _ = listener.accept()" in requests[1].text
    assert "echo/server.py:13" in requests[2].text
    # submit_review is offered with the SubmittedReview schema.
    assert "submit_review" in requests[0].text and "testing_assessment" in requests[0].text

    assert kinds(events)[0] == "reviewer-started"
    tool_events = [e for e in events if e.kind == "tool-called"]
    assert [(e.tool, e.total_calls, e.refused) for e in tool_events] == [  # type: ignore[union-attr]
        ("read_file", 1, False),
        ("grep", 2, False),
    ]
    assert kinds(events).count("tokens-used") == 3


@pytest.mark.parametrize("api", APIS)
async def test_invalid_submission_goes_back_with_the_error_then_succeeds(
    api: str, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    broken = submission(findings=[finding(severity="blocker")])
    scripted.add_transcript("m", [{"submit": broken}, {"submit": submission()}])
    run = await review(model_reviewer(scripted, "r", api, "m"), change, env)

    assert run.status == "completed", run.error
    assert run.result is not None and run.result.findings[0].severity == "important"
    repair_request = scripted.requests_for("m")[1].text
    assert "findings.0.severity" in repair_request
    assert "submit_review again" in repair_request


@pytest.mark.parametrize("api", APIS)
async def test_three_invalid_submissions_fail_and_keep_the_raw_output(
    api: str, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    broken = {"summary": "x", "findings": [{"path": "echo/server.py", "title": "no lines"}]}
    scripted.add_transcript("m", [{"submit": broken}] * 3)
    run = await review(model_reviewer(scripted, "r", api, "m"), change, env)

    assert run.status == "failed"
    assert run.result is None
    assert run.error is not None and "submitted an invalid review 3 times" in run.error
    assert run.raw_output is not None and json.loads(run.raw_output) == broken
    assert len(scripted.requests_for("m")) == 3


@pytest.mark.parametrize("api", APIS)
async def test_rate_limit_is_retried_after_the_servers_delay(
    api: str, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript("m", [{"status": 429, "retry_after": 0.2}, {"submit": submission()}])
    events: list[ReviewEvent] = []
    run = await review(model_reviewer(scripted, "r", api, "m"), change, env, events)

    assert run.status == "completed", run.error
    retries = [e for e in events if e.kind == "reviewer-retrying"]
    assert len(retries) == 1
    assert retries[0].delay_s == pytest.approx(0.2)  # type: ignore[union-attr]
    assert "HTTP 429" in retries[0].reason  # type: ignore[union-attr]
    assert [r.attempt for r in scripted.requests_for("m")] == [0, 1]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    "fault", [{"status": 500}, {"status": 503}, {"malformed": "html"}, {"malformed": "json"}]
)
async def test_transient_failures_are_retried(
    api: str,
    stream: bool,
    fault: dict[str, Any],
    scripted: ScriptedModelServer,
    change: Change,
    env: dict[str, str],
) -> None:
    scripted.add_transcript("m", [fault, {"submit": submission()}])
    events: list[ReviewEvent] = []
    run = await review(model_reviewer(scripted, "r", api, "m", stream=stream), change, env, events)
    assert run.status == "completed", run.error
    assert kinds(events).count("reviewer-retrying") == 1


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("api", APIS)
async def test_a_malformed_body_every_time_fails_with_a_clear_error(
    api: str, stream: bool, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript("m", [{"malformed": "html"}])
    policy = RetryPolicy(max_retries=2, base_delay_s=0.01)
    reviewer = model_reviewer(scripted, "r", api, "m", stream=stream)
    run = await review(reviewer, change, env, policy=policy)
    assert run.status == "failed"
    what = "a malformed stream" if stream else "a response that is not"
    assert run.error is not None and run.error.startswith("reviewer 'r': the model endpoint")
    assert what in run.error and "gave up after 3 attempts" in run.error
    assert len(scripted.requests_for("m")) == 3


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("status", "cause"),
    [(401, "the API key was rejected"), (403, "access was denied"), (404, "unknown model")],
)
async def test_auth_and_unknown_model_fail_at_once_without_leaking_the_key(
    api: str,
    status: int,
    cause: str,
    scripted: ScriptedModelServer,
    change: Change,
    env: dict[str, str],
) -> None:
    # The body echoes the key, as some providers do; it must still never reach our messages.
    scripted.add_transcript("m", [{"status": status, "message": f"bad key {TEST_KEY}"}])
    events: list[ReviewEvent] = []
    run = await review(model_reviewer(scripted, "gpt-panel", api, "m"), change, env, events)

    assert run.status == "failed"
    assert run.error is not None
    assert "reviewer 'gpt-panel'" in run.error and cause in run.error
    assert len(scripted.requests_for("m")) == 1  # no retries
    everything = run.error + "".join(e.model_dump_json() for e in events)
    assert TEST_KEY not in everything
    assert TEST_KEY[:12] not in everything


async def test_missing_api_key_fails_naming_the_variable(
    scripted: ScriptedModelServer, change: Change
) -> None:
    run = await review(model_reviewer(scripted, "r", "anthropic", "m"), change, env={})
    assert run.status == "failed"
    assert run.error == (
        "reviewer 'r': no API key: set DEEP_REVIEW_TEST_MODEL_KEY in the environment"
    )
    assert scripted.requests == []


@pytest.mark.parametrize("api", APIS)
async def test_a_hung_request_times_out_at_the_deadline_keeping_stats(
    api: str, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript("m", [{"tool": "list_files", "input": {}}, {"hang": True}])
    reviewer = model_reviewer(scripted, "r", api, "m", deadline_s=1.0)
    run = await review(reviewer, change, env)

    assert run.status == "timed-out"
    assert run.error == "reviewer 'r' did not finish within its 1 s deadline"
    assert run.stats.turns == 1 and run.stats.tool_calls == {"list_files": 1}
    assert 1.0 <= run.stats.duration_s < 3.0


async def test_several_tool_calls_in_one_turn_all_get_answers(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript(
        "m",
        [
            {
                "calls": [
                    {"tool": "git_log", "input": {"max_count": 5}},
                    {"tool": "read_file", "input": {"path": "../outside.txt"}},
                    {"tool": "show_base", "input": {"path": "echo/server.py"}},
                ]
            },
            {"submit": submission()},
        ],
    )
    events: list[ReviewEvent] = []
    run = await review(model_reviewer(scripted, "r", "anthropic", "m"), change, env, events)

    assert run.status == "completed", run.error
    assert run.stats.tool_calls == {"git_log": 1, "read_file": 1, "show_base": 1}
    results = scripted.requests_for("m")[1].body["messages"][-1]["content"]
    assert [r["type"] for r in results] == ["tool_result"] * 3
    assert "Serve each connection in a thread" in results[0]["content"]
    assert results[1]["is_error"] is True and "refused" in results[1]["content"]
    assert "handle(conn)" in results[2]["content"]
    assert "threading" not in results[2]["content"]  # the base version, before the change
    refused = [e.refused for e in events if e.kind == "tool-called"]  # type: ignore[union-attr]
    assert sorted(refused) == [False, False, True]


async def test_answering_without_a_tool_is_nudged_then_fails(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript("m", [{"text": "Looks good to me!"}] * 3)
    run = await review(model_reviewer(scripted, "r", "chat", "m"), change, env)
    assert run.status == "failed"
    assert run.error == "reviewer 'r' stopped without calling submit_review"
    assert run.raw_output == "Looks good to me!"
    assert "finish by calling submit_review" in scripted.requests_for("m")[1].text


async def test_max_turns_ends_the_loop(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript("m", [{"tool": "list_files", "input": {}}] * 5)
    reviewer = model_reviewer(scripted, "r", "responses", "m", max_turns=2)
    run = await review(reviewer, change, env)
    assert run.status == "failed"
    assert run.error == "reviewer 'r' used all 2 turns without calling submit_review"
    requests = scripted.requests_for("m")
    assert len(requests) == 2
    assert "this is your last turn" not in requests[0].text
    assert "this is your last turn. Call submit_review now" in requests[1].text


async def test_a_retry_after_beyond_the_deadline_fails_at_once(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript(
        "m", [{"status": 429, "retry_after": 600, "message": "slow down"}, {"submit": submission()}]
    )
    events: list[ReviewEvent] = []
    reviewer = model_reviewer(scripted, "r", "anthropic", "m", deadline_s=5.0)
    run = await review(reviewer, change, env, events)
    assert run.status == "failed"
    assert run.error == (
        "reviewer 'r': HTTP 429 from the model endpoint: slow down"
        " (a retry would have to wait 600 s, past the reviewer's deadline)"
    )
    assert kinds(events).count("reviewer-retrying") == 0
    assert run.stats.duration_s < 5.0


@pytest.mark.parametrize("api", APIS)
async def test_an_unreachable_endpoint_is_retried_then_fails_clearly(
    api: str, change: Change, env: dict[str, str]
) -> None:
    with ScriptedModelServer() as gone:
        reviewer = model_reviewer(gone, "r", api, "m")
    # The server is closed now: nothing listens on its port any more.
    policy = RetryPolicy(max_retries=1, base_delay_s=0.01)
    events: list[ReviewEvent] = []
    run = await review(reviewer, change, env, events, policy=policy)
    assert run.status == "failed"
    assert run.error == (
        "reviewer 'r': could not connect to the model endpoint (gave up after 2 attempts)"
    )
    assert kinds(events).count("reviewer-retrying") == 1


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("api", ["anthropic", "responses"])
async def test_thinking_is_handed_back_with_its_signature(
    api: str, stream: bool, scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    scripted.add_transcript(
        "m",
        [
            {"thinking": "The accept loop changed.", "tool": "diff", "input": {}},
            {"submit": submission()},
        ],
    )
    reviewer = model_reviewer(scripted, "r", api, "m", thinking=True, stream=stream)
    run = await review(reviewer, change, env)
    assert run.status == "completed", run.error
    second = scripted.requests_for("m")[1].body
    if api == "anthropic":
        assert second["messages"][1]["content"][0] == {
            "type": "thinking",
            "thinking": "The accept loop changed.",
            "signature": "scripted-signature-000",
        }
    else:
        echoed = second["input"][1]
        assert echoed["type"] == "reasoning"
        assert echoed["encrypted_content"] == "scripted-signature-000"


async def test_a_double_encoded_findings_list_is_accepted(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    encoded = submission(findings=json.dumps([finding()]), summary="[]")
    scripted.add_transcript("m", [{"submit": encoded}])
    run = await review(model_reviewer(scripted, "r", "chat", "m"), change, env)
    assert run.status == "completed", run.error
    assert run.result is not None and run.result.findings[0].start_line == 12
    assert run.result.summary == "[]"


async def test_near_the_deadline_the_model_is_told_to_wrap_up(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    # Deadline 4 s, wrap-up warning below 0.8 s left: the first answer takes 3.4 s.
    scripted.add_transcript(
        "m", [{"delay_s": 3.4, "tool": "list_files", "input": {}}, {"submit": submission()}]
    )
    run = await review(model_reviewer(scripted, "r", "anthropic", "m", deadline_s=4.0), change, env)
    assert run.status == "completed", run.error
    requests = scripted.requests_for("m")
    assert "of your time limit remain" not in requests[0].text
    assert "of your time limit remain. Call submit_review now" in requests[1].text


async def test_dozens_of_tool_calls_in_one_turn_run_only_a_few(
    scripted: ScriptedModelServer, change: Change, env: dict[str, str]
) -> None:
    calls = [{"tool": "git_log", "input": {"max_count": 1}} for _ in range(40)]
    scripted.add_transcript("m", [{"calls": calls}, {"submit": submission()}])
    events: list[ReviewEvent] = []
    run = await review(model_reviewer(scripted, "r", "anthropic", "m"), change, env, events)

    assert run.status == "completed", run.error
    assert run.stats.tool_calls == {"git_log": 16}
    results = scripted.requests_for("m")[1].body["messages"][-1]["content"]
    assert len(results) == 40  # every call is answered, the surplus with the reason
    assert sum("at most 16 tool calls" in r["content"] for r in results) == 24
