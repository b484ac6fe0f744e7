"""Anthropic Messages API with tools, prompt caching on the stable prefix, extended thinking."""

from __future__ import annotations

import json
from typing import Any

from deep_review.config import ReviewerConfig
from deep_review.panel.providers.base import (
    Conversation,
    ModelTurn,
    StopReason,
    ToolCall,
    ToolOutcome,
    ToolSpec,
    TransientProviderError,
    Usage,
    UserText,
)
from deep_review.panel.providers.errors import classify

THINKING_BUDGET: dict[str, int] = {"low": 0, "medium": 4_000, "high": 16_000, "xhigh": 32_000}
ANSWER_TOKENS = 16_000
# Model families that accept ``thinking`` (older ones reject the parameter outright).
_THINKING_MODELS = (
    "claude-opus-4",
    "claude-sonnet-4",
    "claude-haiku-4",
    "claude-3-7-sonnet",
    "claude-mythos",
)
# Newer models think adaptively: the effort goes in ``output_config`` instead of a budget
# (the SDK warns that a fixed budget is deprecated for them).
_ADAPTIVE_MODELS = ("claude-opus-4-6", "claude-opus-4-7", "claude-sonnet-4-6", "claude-mythos")
_CACHE: dict[str, Any] = {"type": "ephemeral"}


def thinking_budget(reviewer: ReviewerConfig) -> int:
    """Tokens of extended thinking for this reviewer: 0 when off."""
    enabled = reviewer.thinking
    if enabled is None:
        enabled = reviewer.model.startswith(_THINKING_MODELS)
    return THINKING_BUDGET[reviewer.effort] if enabled else 0


def thinking_parameters(reviewer: ReviewerConfig) -> dict[str, Any]:
    """The ``thinking`` (and, for adaptive models, ``output_config``) request parameters."""
    budget = thinking_budget(reviewer)
    if reviewer.model.startswith(_ADAPTIVE_MODELS) and reviewer.thinking is not False:
        extra: dict[str, Any] = {"output_config": {"effort": reviewer.effort}}
        if budget:
            extra["thinking"] = {"type": "adaptive"}
        return extra
    return {"thinking": {"type": "enabled", "budget_tokens": budget}} if budget else {}


def _system(text: str) -> Any:
    # The prompt is cached in the order tools, system, messages: this breakpoint covers both
    # stable parts (the one on the last tool lets the tools be reused on their own).
    return [{"type": "text", "text": text, "cache_control": _CACHE}]


def _messages(conversation: Conversation) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for entry in conversation.entries:
        if isinstance(entry, UserText):
            messages.append({"role": "user", "content": [{"type": "text", "text": entry.text}]})
        elif isinstance(entry, ModelTurn):
            messages.append({"role": "assistant", "content": entry.native})
        else:
            messages.append({"role": "user", "content": [_tool_result(o) for o in entry]})
    if messages and messages[-1]["role"] == "user":
        # A moving breakpoint on the newest turn: the next turn reads the whole conversation so
        # far from the cache instead of paying for it again (3 breakpoints of the 4 allowed).
        last = messages[-1]["content"]
        last[-1] = {**last[-1], "cache_control": _CACHE}
    return messages


def _tool_result(outcome: ToolOutcome) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": outcome.call_id,
        "content": outcome.text,
        "is_error": outcome.is_error,
    }


def _tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema}
        for t in tools
    ]
    if specs:
        # A breakpoint on the last tool caches system + every tool: the stable prefix.
        specs[-1] = {**specs[-1], "cache_control": _CACHE}
    return specs


_STOPS: dict[str, StopReason] = {
    "tool_use": "tool_use",
    "end_turn": "end_turn",
    "max_tokens": "max_tokens",
}


class AnthropicProvider:
    """One reviewer's connection to the Messages API (or a compatible endpoint)."""

    def __init__(self, reviewer: ReviewerConfig, api_key: str) -> None:
        from anthropic import AsyncAnthropic  # imported lazily: ~1 s

        self._reviewer = reviewer
        self._secrets = (api_key,)
        self._client = AsyncAnthropic(
            api_key=api_key,
            base_url=reviewer.base_url,
            timeout=reviewer.request_timeout_s,
            max_retries=0,
        )

    async def send(self, conversation: Conversation, tools: list[ToolSpec]) -> ModelTurn:
        """One attempt at the next turn."""
        budget = thinking_budget(self._reviewer)
        params: dict[str, Any] = {
            "model": self._reviewer.model,
            "max_tokens": ANSWER_TOKENS + budget,
            "system": _system(conversation.system),
            "messages": _messages(conversation),
            "tools": _tools(tools),
            **thinking_parameters(self._reviewer),
        }
        if conversation.force_tool and not budget:
            # Forcing a tool is refused while extended thinking is on.
            params["tool_choice"] = {"type": "tool", "name": conversation.force_tool}
        try:
            if self._reviewer.stream:
                async with self._client.messages.stream(**params) as stream:
                    message = await stream.get_final_message()
            else:
                message = await self._client.messages.create(**params)
        except Exception as exc:  # every SDK failure is classified
            raise classify(exc, reviewer=self._reviewer.name, secrets=self._secrets) from None
        return self._turn(message)

    def _turn(self, message: Any) -> ModelTurn:
        from anthropic.types import Message

        if not isinstance(message, Message):
            # A 200 whose body is not a Message (an HTML error page from a proxy, say).
            raise TransientProviderError(
                f"reviewer {self._reviewer.name!r}: the model endpoint returned"
                " a response that is not a Messages API message"
            )
        text_parts: list[str] = []
        calls: list[ToolCall] = []
        for block in message.content:
            if block.type == "text":
                text_parts.append(block.text)
            elif block.type == "tool_use":
                raw = json.dumps(block.input)
                arguments = block.input if isinstance(block.input, dict) else None
                calls.append(ToolCall(block.id, block.name, arguments, raw))
        usage = message.usage
        cached = usage.cache_read_input_tokens or 0
        return ModelTurn(
            text="".join(text_parts),
            tool_calls=calls,
            usage=Usage(
                input_tokens=usage.input_tokens + cached + (usage.cache_creation_input_tokens or 0),
                output_tokens=usage.output_tokens,
                cached_tokens=cached,
            ),
            stop=_STOPS.get(message.stop_reason or "", "other"),
            native=[block.model_dump(mode="json", exclude_none=True) for block in message.content],
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()
