"""The three wire formats the scripted server speaks: whole bodies and SSE event sequences."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from deep_review.panel.scripted.transcript import Answer

SseEvent = tuple[str | None, dict[str, Any] | str]


@dataclass(frozen=True)
class Tokens:
    input: int
    output: int
    cached: int


def _call_id(prefix: str, turn: int, index: int) -> str:
    return f"{prefix}_{turn:03d}_{index:02d}"


def signature(turn: int) -> str:
    """The opaque token a thinking block (or reasoning item) of ``turn`` carries."""
    return f"scripted-signature-{turn:03d}"


# --- Anthropic Messages -------------------------------------------------------------------


def anthropic_message(model: str, answer: Answer, turn: int, tokens: Tokens) -> dict[str, Any]:
    """A Messages API ``message`` object."""
    content: list[dict[str, Any]] = []
    if answer.thinking:
        content.append(
            {"type": "thinking", "thinking": answer.thinking, "signature": signature(turn)}
        )
    if answer.text:
        content.append({"type": "text", "text": answer.text})
    for index, call in enumerate(answer.calls):
        content.append(
            {
                "type": "tool_use",
                "id": _call_id("toolu", turn, index),
                "name": call.name,
                "input": call.input,
            }
        )
    return {
        "id": f"msg_scripted_{turn:03d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if answer.calls else "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": tokens.input - tokens.cached,
            "output_tokens": tokens.output,
            "cache_read_input_tokens": tokens.cached,
            "cache_creation_input_tokens": 0,
        },
    }


def anthropic_events(message: dict[str, Any]) -> list[SseEvent]:
    """The SSE events that stream ``message``."""
    start = {**message, "content": [], "stop_reason": None}
    start["usage"] = {**message["usage"], "output_tokens": 1}
    events: list[SseEvent] = [("message_start", {"type": "message_start", "message": start})]
    for index, block in enumerate(message["content"]):
        deltas: list[dict[str, Any]]
        if block["type"] == "text":
            opening: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": block["text"]}]
        elif block["type"] == "thinking":
            opening = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": block["thinking"]},
                {"type": "signature_delta", "signature": block["signature"]},
            ]
        else:
            opening = {**block, "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": opening},
            )
        )
        events += [
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            for d in deltas
        ]
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events += [
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                "usage": {"output_tokens": message["usage"]["output_tokens"]},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events


def anthropic_error(status: int, message: str) -> dict[str, Any]:
    """An Anthropic error body."""
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        429: "rate_limit_error",
        529: "overloaded_error",
    }
    return {"type": "error", "error": {"type": kinds.get(status, "api_error"), "message": message}}


# --- OpenAI Chat Completions --------------------------------------------------------------


def _openai_tool_calls(answer: Answer, turn: int) -> list[dict[str, Any]]:
    return [
        {
            "id": _call_id("call", turn, index),
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.input)},
        }
        for index, call in enumerate(answer.calls)
    ]


def _chat_usage(tokens: Tokens) -> dict[str, Any]:
    return {
        "prompt_tokens": tokens.input,
        "completion_tokens": tokens.output,
        "total_tokens": tokens.input + tokens.output,
        "prompt_tokens_details": {"cached_tokens": tokens.cached},
    }


def chat_completion(model: str, answer: Answer, turn: int, tokens: Tokens) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
    if answer.calls:
        message["tool_calls"] = _openai_tool_calls(answer, turn)
    return {
        "id": f"chatcmpl-scripted-{turn:03d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if answer.calls else "stop",
                "logprobs": None,
            }
        ],
        "usage": _chat_usage(tokens),
    }


def chat_events(completion: dict[str, Any], *, include_usage: bool) -> list[SseEvent]:
    """The ``chat.completion.chunk`` events that stream ``completion``."""
    base = {k: completion[k] for k in ("id", "created", "model")}
    base["object"] = "chat.completion.chunk"
    choice = completion["choices"][0]
    message = choice["message"]

    def chunk(delta: dict[str, Any], finish: str | None = None) -> SseEvent:
        return (None, {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    events = [chunk({"role": "assistant", "content": ""})]
    if message.get("content"):
        events.append(chunk({"content": message["content"]}))
    for index, call in enumerate(message.get("tool_calls", [])):
        head = {**call, "index": index, "function": {**call["function"], "arguments": ""}}
        events.append(chunk({"tool_calls": [head]}))
        args = {"index": index, "function": {"arguments": call["function"]["arguments"]}}
        events.append(chunk({"tool_calls": [args]}))
    events.append(chunk({}, choice["finish_reason"]))
    if include_usage:
        events.append((None, {**base, "choices": [], "usage": completion["usage"]}))
    events.append((None, "[DONE]"))
    return events


def openai_error(status: int, message: str) -> dict[str, Any]:
    """An OpenAI error body."""
    kinds = {
        400: "invalid_request_error",
        401: "invalid_api_key",
        403: "permission_denied",
        404: "model_not_found",
        429: "rate_limit_exceeded",
    }
    code = kinds.get(status, "server_error")
    return {"error": {"message": message, "type": code, "param": None, "code": code}}


# --- OpenAI Responses ---------------------------------------------------------------------


def response_object(model: str, answer: Answer, turn: int, tokens: Tokens) -> dict[str, Any]:
    """A Responses API ``response`` object."""
    output: list[dict[str, Any]] = []
    if answer.thinking:
        output.append(
            {
                "type": "reasoning",
                "id": f"rs_scripted_{turn:03d}",
                "summary": [{"type": "summary_text", "text": answer.thinking}],
                "encrypted_content": signature(turn),
            }
        )
    if answer.text:
        output.append(
            {
                "type": "message",
                "id": f"msg_scripted_{turn:03d}",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": answer.text, "annotations": []}],
            }
        )
    for index, call in enumerate(answer.calls):
        output.append(
            {
                "type": "function_call",
                "id": f"fc_scripted_{turn:03d}_{index:02d}",
                "call_id": _call_id("call", turn, index),
                "name": call.name,
                "arguments": json.dumps(call.input),
                "status": "completed",
            }
        )
    return {
        "id": f"resp_scripted_{turn:03d}",
        "object": "response",
        "created_at": int(time.time()),
        "model": model,
        "status": "completed",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": tokens.input,
            "output_tokens": tokens.output,
            "total_tokens": tokens.input + tokens.output,
            "input_tokens_details": {"cached_tokens": tokens.cached},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


def response_events(response: dict[str, Any]) -> list[SseEvent]:
    """The Responses API events that stream ``response``."""
    events: list[SseEvent] = []

    def emit(kind: str, payload: dict[str, Any]) -> None:
        events.append((kind, {"type": kind, "sequence_number": len(events), **payload}))

    emit("response.created", {"response": {**response, "status": "in_progress", "output": []}})
    for index, item in enumerate(response["output"]):
        ids = {"item_id": item["id"], "output_index": index}
        if item["type"] == "reasoning":
            emit("response.output_item.added", {"output_index": index, "item": item})
        elif item["type"] == "function_call":
            emit(
                "response.output_item.added",
                {"output_index": index, "item": {**item, "arguments": ""}},
            )
            emit("response.function_call_arguments.delta", {**ids, "delta": item["arguments"]})
            emit("response.function_call_arguments.done", {**ids, "arguments": item["arguments"]})
        else:
            part = item["content"][0]
            emit(
                "response.output_item.added",
                {"output_index": index, "item": {**item, "content": []}},
            )
            emit(
                "response.content_part.added",
                {**ids, "content_index": 0, "part": {**part, "text": ""}},
            )
            text = {**ids, "content_index": 0, "logprobs": []}
            emit("response.output_text.delta", {**text, "delta": part["text"]})
            emit("response.output_text.done", {**text, "text": part["text"]})
            emit("response.content_part.done", {**ids, "content_index": 0, "part": part})
        emit("response.output_item.done", {"output_index": index, "item": item})
    emit("response.completed", {"response": response})
    return events
