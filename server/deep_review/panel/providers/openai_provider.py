"""OpenAI Chat Completions and Responses APIs; any OpenAI-compatible endpoint by ``base_url``."""

from __future__ import annotations

import re
from typing import Any

from deep_review.config import ReviewerConfig
from deep_review.panel.providers.base import (
    Conversation,
    FatalProviderError,
    ModelTurn,
    StopReason,
    ToolCall,
    ToolSpec,
    TransientProviderError,
    Usage,
    UserText,
    parse_arguments,
)
from deep_review.panel.providers.budget import output_budget
from deep_review.panel.providers.chat_stream import collect_chat_stream
from deep_review.panel.providers.errors import classify, scrub

_REASONING_MODEL = re.compile(r"^(o\d|gpt-5|gemini-2\.5|gemini-3)")
_RESPONSES_MODEL = re.compile(r"^(o\d|gpt-5)")


def is_reasoning_model(reviewer: ReviewerConfig) -> bool:
    """Whether to send a reasoning effort (explicit ``thinking`` wins over the model name)."""
    if reviewer.thinking is not None:
        return reviewer.thinking
    return bool(_REASONING_MODEL.match(reviewer.model))


def uses_responses_api(reviewer: ReviewerConfig) -> bool:
    """Responses API when asked for, or by default for OpenAI's own reasoning models."""
    if reviewer.api is not None:
        return reviewer.api == "responses"
    return reviewer.provider == "openai" and bool(_RESPONSES_MODEL.match(reviewer.model))


_XHIGH_MODEL = re.compile(r"^gpt-5\.(?:[2-9]|\d{2,})|codex-max")


def reasoning_effort(reviewer: ReviewerConfig) -> str:
    """Our effort as the API's ``reasoning_effort`` (``xhigh`` only where the model has it)."""
    if reviewer.effort == "xhigh" and not _XHIGH_MODEL.search(reviewer.model):
        return "high"
    return reviewer.effort


class OpenAIProvider:
    """One reviewer's connection to OpenAI or an OpenAI-compatible server."""

    def __init__(self, reviewer: ReviewerConfig, api_key: str) -> None:
        from openai import AsyncOpenAI  # imported lazily

        self._reviewer = reviewer
        self._secrets = (api_key,)
        self._responses = uses_responses_api(reviewer)
        self._reasoning = is_reasoning_model(reviewer)
        self._client = AsyncOpenAI(
            api_key=api_key,
            base_url=reviewer.base_url,
            timeout=reviewer.request_timeout_s,
            max_retries=0,
        )

    async def send(self, conversation: Conversation, tools: list[ToolSpec]) -> ModelTurn:
        """One attempt at the next turn."""
        try:
            if self._responses:
                return self._responses_turn(await self._create_response(conversation, tools))
            return self._chat_turn(await self._create_chat(conversation, tools))
        except TransientProviderError:
            raise
        except Exception as exc:
            raise classify(exc, reviewer=self._reviewer.name, secrets=self._secrets) from None

    async def _create_chat(self, conversation: Conversation, tools: list[ToolSpec]) -> Any:
        extra: dict[str, Any] = {}
        if self._reasoning:
            extra["reasoning_effort"] = reasoning_effort(self._reviewer)
        if tools:
            extra["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.input_schema,
                    },
                }
                for t in tools
            ]
            extra["tool_choice"] = chat_tool_choice(
                conversation.force_tool or self._reviewer.tool_choice
            )
        messages = _chat_messages(conversation)
        budget = output_budget(self._reviewer, messages, tools)
        # Reasoning models take only max_completion_tokens; local servers know only max_tokens.
        extra["max_completion_tokens" if self._reasoning else "max_tokens"] = budget
        if self._reviewer.stream:
            from openai import APIError
            from openai.types.chat import ChatCompletion

            stream = await self._client.chat.completions.create(
                model=self._reviewer.model,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
                **extra,
            )
            try:
                assembled = await collect_chat_stream(stream)
            except APIError as error:
                if getattr(error, "status_code", None) is not None:
                    raise
                # An error event inside a 200 stream: the same request fails the same way.
                raise FatalProviderError(
                    f"reviewer {self._reviewer.name!r}: the model endpoint reported an error"
                    f" mid-stream: {scrub(str(error.message), self._secrets)[:300]} (if this"
                    " server cannot stream tool calls, set stream = false for this reviewer)"
                ) from None
            finally:
                await stream.close()
            if assembled is None:
                raise TransientProviderError(
                    f"reviewer {self._reviewer.name!r}: the model endpoint sent a malformed"
                    " stream (no events; if this server cannot stream tool calls, as"
                    " llama-cpp-python's cannot with tool_choice auto, set stream = false for"
                    " this reviewer)"
                )
            return ChatCompletion.model_validate(assembled)
        return await self._client.chat.completions.create(
            model=self._reviewer.model, messages=messages, **extra
        )

    async def _create_response(self, conversation: Conversation, tools: list[ToolSpec]) -> Any:
        extra: dict[str, Any] = {}
        if self._reasoning:
            extra["reasoning"] = {"effort": reasoning_effort(self._reviewer)}
            # Stateless (store=False) but reasoning carries over between turns.
            extra["include"] = ["reasoning.encrypted_content"]
        params: dict[str, Any] = {
            "model": self._reviewer.model,
            "instructions": conversation.system,
            "input": _response_input(conversation),
            "tools": [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.input_schema,
                    "strict": False,
                }
                for t in tools
            ],
            "store": False,
            "max_output_tokens": output_budget(self._reviewer, [], tools),
            **extra,
        }
        if tools:
            params["tool_choice"] = responses_tool_choice(
                conversation.force_tool or self._reviewer.tool_choice
            )
        if self._reviewer.stream:
            async with self._client.responses.stream(**params) as stream:
                return await stream.get_final_response()
        return await self._client.responses.create(**params)

    def _malformed(self, what: str) -> TransientProviderError:
        return TransientProviderError(
            f"reviewer {self._reviewer.name!r}: the model endpoint returned a response"
            f" that is not {what}"
        )

    def _chat_turn(self, completion: Any) -> ModelTurn:
        from openai.types.chat import ChatCompletion

        if not isinstance(completion, ChatCompletion) or not completion.choices:
            raise self._malformed("a chat completion")
        choice = completion.choices[0]
        message = choice.message
        calls = [
            ToolCall(
                call.id,
                call.function.name,
                parse_arguments(call.function.arguments or ""),
                call.function.arguments or "",
            )
            for call in (message.tool_calls or [])
            if call.type == "function"
        ]
        # Some servers (llama.cpp) reject a null content in the next request: send "".
        native: dict[str, Any] = {"role": "assistant", "content": message.content or ""}
        if calls:
            native["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.raw_arguments},
                }
                for c in calls
            ]
        usage = completion.usage
        details = usage.prompt_tokens_details if usage else None
        stop: StopReason = "tool_use" if calls else "end_turn"
        if choice.finish_reason == "length":
            stop = "max_tokens"
        return ModelTurn(
            text=message.content or "",
            tool_calls=calls,
            usage=Usage(
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
                cached_tokens=(details.cached_tokens or 0) if details else 0,
            ),
            stop=stop,
            native=native,
        )

    def _responses_turn(self, response: Any) -> ModelTurn:
        from openai.types.responses import Response

        if not isinstance(response, Response):
            raise self._malformed("a Responses API response")
        text_parts: list[str] = []
        calls: list[ToolCall] = []
        for item in response.output:
            if item.type == "function_call":
                calls.append(
                    ToolCall(
                        item.call_id, item.name, parse_arguments(item.arguments), item.arguments
                    )
                )
            elif item.type == "message":
                text_parts.extend(part.text for part in item.content if part.type == "output_text")
        usage = response.usage
        stop: StopReason = "tool_use" if calls else "end_turn"
        if response.status == "incomplete":
            stop = "max_tokens"
        return ModelTurn(
            text="".join(text_parts),
            tool_calls=calls,
            usage=Usage(
                input_tokens=usage.input_tokens if usage else 0,
                output_tokens=usage.output_tokens if usage else 0,
                cached_tokens=usage.input_tokens_details.cached_tokens if usage else 0,
            ),
            stop=stop,
            native=[item.model_dump(mode="json", exclude_none=True) for item in response.output],
        )

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.close()


def _chat_messages(conversation: Conversation) -> list[Any]:
    messages: list[Any] = [{"role": "system", "content": conversation.system}]
    for entry in conversation.entries:
        if isinstance(entry, UserText):
            messages.append({"role": "user", "content": entry.text})
        elif isinstance(entry, ModelTurn):
            messages.append(entry.native)
        else:
            messages.extend(
                {
                    "role": "tool",
                    "tool_call_id": o.call_id,
                    "content": _tool_text(o.text, o.is_error),
                }
                for o in entry
            )
    return messages


def _response_input(conversation: Conversation) -> list[Any]:
    items: list[Any] = []
    for entry in conversation.entries:
        if isinstance(entry, UserText):
            items.append({"role": "user", "content": entry.text})
        elif isinstance(entry, ModelTurn):
            items.extend(entry.native)
        else:
            items.extend(
                {
                    "type": "function_call_output",
                    "call_id": o.call_id,
                    "output": _tool_text(o.text, o.is_error),
                }
                for o in entry
            )
    return items


def _tool_text(text: str, is_error: bool) -> str:
    # Chat and Responses have no error flag on tool results: say it in the text.
    return f"ERROR: {text}" if is_error else text


def chat_tool_choice(choice: str) -> str | dict[str, Any]:
    """``tool_choice`` for Chat Completions: a mode, or the named tool forced."""
    if choice in ("auto", "required", "none"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def responses_tool_choice(choice: str) -> str | dict[str, Any]:
    """``tool_choice`` for the Responses API: a mode, or the named tool forced."""
    if choice in ("auto", "required", "none"):
        return choice
    return {"type": "function", "name": choice}
