"""The scripted model server, driven through the official SDKs exactly as the reviewers use them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import anthropic
import openai
import pytest

from deep_review.panel.scripted import ScriptedModelServer, TranscriptError
from tests.panel.conftest import TEST_KEY

TOOL = {"tool": "read_file", "input": {"path": "echo/server.py"}}
SUBMIT = {"submit": {"summary": "fine", "findings": []}}
TOOLS_ANTHROPIC = [{"name": "read_file", "description": "read", "input_schema": {"type": "object"}}]
TOOLS_CHAT = [
    {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}
]


def anthropic_client(server: ScriptedModelServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0, timeout=5)


def openai_client(server: ScriptedModelServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=TEST_KEY, base_url=server.openai_url, max_retries=0, timeout=5)


def test_anthropic_tool_use_then_submit(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("m", [{"text": "Reading first.", **TOOL}, SUBMIT])
    client = anthropic_client(scripted)
    first = client.messages.create(
        model="m",
        max_tokens=100,
        messages=[{"role": "user", "content": "review"}],
        tools=TOOLS_ANTHROPIC,  # type: ignore[arg-type]
    )
    assert first.stop_reason == "tool_use"
    assert first.content[0].type == "text" and first.content[0].text == "Reading first."
    call = first.content[1]
    assert call.type == "tool_use" and call.name == "read_file"
    assert call.input == {"path": "echo/server.py"}

    second = client.messages.create(
        model="m",
        max_tokens=100,
        messages=[
            {"role": "user", "content": "review"},
            {"role": "assistant", "content": first.content},  # type: ignore[typeddict-item]
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "x = 1"}],
            },
        ],
    )
    submitted = second.content[0]
    assert submitted.type == "tool_use" and submitted.name == "submit_review"
    assert submitted.input == {"summary": "fine", "findings": []}
    assert [r.turn for r in scripted.requests_for("m")] == [0, 1]
    # The server saw the tool result come back.
    assert "x = 1" in scripted.requests[1].text


def test_anthropic_streaming_accumulates_to_the_same_message(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("m", [{"text": "Looking.", **TOOL}])
    client = anthropic_client(scripted)
    with client.messages.stream(
        model="m", max_tokens=100, messages=[{"role": "user", "content": "review"}]
    ) as stream:
        message = stream.get_final_message()
    assert [block.type for block in message.content] == ["text", "tool_use"]
    assert message.content[1].input == {"path": "echo/server.py"}  # type: ignore[union-attr]
    assert message.stop_reason == "tool_use"
    assert scripted.requests[0].body["stream"] is True


def test_chat_completions_tool_calls_and_streaming(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("gpt-x", [TOOL])
    client = openai_client(scripted)
    completion = client.chat.completions.create(
        model="gpt-x",
        messages=[{"role": "user", "content": "review"}],
        tools=TOOLS_CHAT,  # type: ignore[list-item]
    )
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "read_file"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"path": "echo/server.py"}  # type: ignore[union-attr]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.usage is not None and completion.usage.prompt_tokens > 0

    chunks = list(
        client.chat.completions.create(
            model="gpt-x",
            messages=[{"role": "user", "content": "review"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    streamed = "".join(
        tc.function.arguments or ""
        for chunk in chunks
        for choice in chunk.choices
        for tc in choice.delta.tool_calls or []
        if tc.function
    )
    assert json.loads(streamed) == {"path": "echo/server.py"}
    assert chunks[-1].usage is not None


def test_responses_api_function_calls_and_streaming(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("o-x", [TOOL, SUBMIT])
    client = openai_client(scripted)
    response = client.responses.create(model="o-x", input="review")
    item = response.output[0]
    assert item.type == "function_call" and item.name == "read_file"
    second = client.responses.create(
        model="o-x",
        input=[
            {"role": "user", "content": "review"},
            item.model_dump(exclude_none=True),  # type: ignore[list-item]
            {"type": "function_call_output", "call_id": item.call_id, "output": "x = 1"},
        ],
    )
    assert second.output[0].type == "function_call"
    assert second.output[0].name == "submit_review"

    with client.responses.stream(model="o-x", input="review") as stream:
        final = stream.get_final_response()
    assert final.output[0].type == "function_call"
    assert json.loads(final.output[0].arguments) == {"path": "echo/server.py"}


def test_faults_are_served_per_attempt_then_the_answer(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript(
        "m", [{"status": 429, "retry_after": 0.2}, {"status": 500}, {"malformed": "html"}, SUBMIT]
    )
    client = anthropic_client(scripted)
    request = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    with pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(**request)  # type: ignore[call-overload]
    assert limited.value.response.headers["retry-after"] == "0.2"
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(**request)  # type: ignore[call-overload]
    html = client.messages.create(**request)  # type: ignore[call-overload]
    assert isinstance(html, str) and "Bad Gateway" in html
    answer = client.messages.create(**request)  # type: ignore[call-overload]
    assert answer.content[0].name == "submit_review"
    # A retry of an answered turn gets the same answer again, deterministically.
    again = client.messages.create(**request)  # type: ignore[call-overload]
    assert again.content[0].input == answer.content[0].input
    assert [r.attempt for r in scripted.requests] == [0, 1, 2, 3, 4]


def test_malformed_json_breaks_the_sdk_parser(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("gpt-x", [{"malformed": "json"}, SUBMIT])
    client = openai_client(scripted)
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="gpt-x", messages=[{"role": "user", "content": "x"}])


def test_unknown_model_is_a_404_and_an_exhausted_transcript_a_400(
    scripted: ScriptedModelServer,
) -> None:
    scripted.add_transcript("m", [SUBMIT])
    client = openai_client(scripted)
    with pytest.raises(openai.NotFoundError, match="no transcript"):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "x"}])
    messages = [
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": "done"},
        {"role": "user", "content": "more"},
    ]
    with pytest.raises(openai.BadRequestError, match="no step for turn 2"):
        client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]


def test_hang_times_out_the_client_and_close_releases_it() -> None:
    server = ScriptedModelServer({"m": [{"hang": True}]}).start()
    client = anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        client.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    assert time.monotonic() - started < 3
    before = threading.active_count()
    server.close()
    assert threading.active_count() < before
    assert not [t for t in threading.enumerate() if t.name.startswith("scripted-model-server")]


def test_api_keys_are_masked_in_recorded_headers(scripted: ScriptedModelServer) -> None:
    scripted.add_transcript("m", [SUBMIT])
    anthropic_client(scripted).messages.create(
        model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}]
    )
    recorded = scripted.requests[0]
    sent = {k: v for k, v in recorded.headers.items() if k in ("x-api-key", "authorization")}
    assert sent and set(sent.values()) == {"[redacted]"}
    assert TEST_KEY not in json.dumps(recorded.headers)


def test_works_inside_a_running_event_loop(scripted: ScriptedModelServer) -> None:
    import anyio

    scripted.add_transcript("m", [SUBMIT])

    async def ask() -> str:
        client = anthropic.AsyncAnthropic(
            api_key=TEST_KEY, base_url=scripted.url, max_retries=0, timeout=5
        )
        async with client:
            message = await client.messages.create(
                model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}]
            )
        return message.content[0].name  # type: ignore[union-attr]

    assert anyio.run(ask) == "submit_review"


def test_transcript_folder_and_errors(tmp_path: Path) -> None:
    (tmp_path / "claude-x.json").write_text(json.dumps([SUBMIT]))
    (tmp_path / "other.json").write_text(json.dumps({"model": "gpt-y", "steps": [SUBMIT]}))
    with ScriptedModelServer(tmp_path) as server:
        listed = openai_client(server).models.list()
        assert sorted(m.id for m in listed) == ["claude-x", "gpt-y"]

    (tmp_path / "bad.json").write_text(json.dumps([{"bogus": 1}]))
    with pytest.raises(TranscriptError, match=r"transcript 'bad' step 1: expected one of"):
        ScriptedModelServer(tmp_path)


def test_standalone_cli_serves_transcripts(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps([SUBMIT]))
    process = subprocess.Popen(
        [sys.executable, "-m", "deep_review.panel.scripted", "--transcripts", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("listening http://127.0.0.1:")
        url = line.split(" ", 1)[1]
        client = anthropic.Anthropic(api_key=TEST_KEY, base_url=url, max_retries=0, timeout=5)
        message = client.messages.create(
            model="m", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
        assert message.content[0].name == "submit_review"  # type: ignore[union-attr]
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"malformed": "xml"}, "malformed must be 'html' or 'json'"),
        ({"status": 200}, "status must be an HTTP error code"),
        ({"tool": 3}, "a tool call needs a tool name and an input object"),
        ({"submit": "done"}, "submit must be a JSON object"),
        ("text", "a step must be a JSON object"),
    ],
)
def test_bad_steps_are_named(step: object, message: str) -> None:
    with pytest.raises(TranscriptError, match=f"transcript 'm' step 2: {message}"):
        ScriptedModelServer({"m": [SUBMIT, step]})  # type: ignore[list-item]


def test_standalone_cli_reports_a_missing_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deep_review.panel.scripted", "--transcripts", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"scripted model server: transcript folder {tmp_path / 'x'} does not exist"
    )
