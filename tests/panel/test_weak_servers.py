"""What weak or local OpenAI-compatible servers send, and how the panel copes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from deep_review.config import ReviewerConfig
from deep_review.model import SubmittedReview
from deep_review.panel.providers.base import FatalProviderError, arguments_problem, parse_arguments
from deep_review.panel.providers.budget import output_budget
from deep_review.panel.providers.chat_stream import collect_chat_stream
from deep_review.panel.providers.errors import scrub
from deep_review.panel.providers.openai_provider import chat_tool_choice


def chunk(**delta: Any) -> ChatCompletionChunk:
    finish = delta.pop("finish_reason", None)
    return ChatCompletionChunk.model_validate(
        {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "smollm2",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
    )


async def stream_of(*chunks: ChatCompletionChunk) -> AsyncIterator[ChatCompletionChunk]:
    for item in chunks:
        yield item


def call_delta(name: str | None, arguments: str, call_id: str | None) -> dict[str, Any]:
    function: dict[str, Any] = {"arguments": arguments}
    if name is not None:
        function["name"] = name
    return {"tool_calls": [{"index": 0, "id": call_id, "type": "function", "function": function}]}


async def test_a_server_repeating_the_tool_name_in_every_delta_still_names_the_tool() -> None:
    # llama.cpp's server repeats name and id in each delta; the SDK's accumulator concatenated them.
    assembled = await collect_chat_stream(
        stream_of(
            chunk(role="assistant", **call_delta("submit_review", '{"summ', "call_1")),
            chunk(**call_delta("submit_review", 'ary": "ok"}', "call_1")),
            chunk(finish_reason="tool_calls"),
        )
    )
    assert assembled is not None
    completion = ChatCompletion.model_validate(assembled)
    [call] = completion.choices[0].message.tool_calls or []
    assert call.function.name == "submit_review" and call.id == "call_1"
    assert call.function.arguments == '{"summary": "ok"}'


async def test_a_server_sending_the_name_in_pieces_is_joined() -> None:
    assembled = await collect_chat_stream(
        stream_of(
            chunk(**call_delta("submit_", "{}", "c")),
            chunk(**call_delta("review", "", None)),
        )
    )
    assert assembled is not None
    assert assembled["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == (
        "submit_review"
    )


async def test_a_body_with_no_events_is_not_a_completion() -> None:
    assert await collect_chat_stream(stream_of()) is None


def test_weak_model_json_is_read_where_unambiguous() -> None:
    assert parse_arguments('{"body": "line one\nline two"}') == {"body": "line one\nline two"}
    assert parse_arguments('```json\n{"path": "a.py"}\n```') == {"path": "a.py"}
    assert parse_arguments('{"path": "a.py"') is None
    problem = arguments_problem('{"path": "a.py",\n "x": }')
    assert "line 2 column" in problem


def test_the_tool_choice_forces_a_named_tool_or_passes_a_mode() -> None:
    assert chat_tool_choice("auto") == "auto"
    assert chat_tool_choice("required") == "required"
    assert chat_tool_choice("submit_review") == {
        "type": "function",
        "function": {"name": "submit_review"},
    }


def test_the_output_budget_fits_the_context_window() -> None:
    local = ReviewerConfig(name="l", provider="openai-compatible", model="m", base_url="http://x")
    assert output_budget(local, [], []) == 4096  # never "until the context is full"
    small = local.model_copy(update={"context_tokens": 2048, "max_output_tokens": 1024})
    messages = [{"role": "user", "content": "x" * 3600}]  # ~1,200 tokens
    assert 256 <= output_budget(small, messages, []) < 1024
    huge = [{"role": "user", "content": "x" * 30_000}]
    with pytest.raises(FatalProviderError, match="does not fit its context window of 2,048"):
        output_budget(small, huge, [])


def test_dummy_keys_are_not_scrubbed_out_of_words() -> None:
    message = "maximum context length exceeded"
    assert scrub(message, ("x",)) == message
    assert scrub(message, ("not-needed",)) == message
    assert (
        scrub("key sk-local-1234567 rejected", ("sk-local-1234567",)) == "key [redacted] rejected"
    )


def test_an_empty_submission_is_not_a_review() -> None:
    assert SubmittedReview().emptiness() is not None
    assert SubmittedReview(summary="Looked at app.py; nothing wrong.").emptiness() is None
