"""How many tokens a turn may answer with, within the reviewer's context window."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from deep_review.config import ReviewerConfig
from deep_review.panel.providers.base import FatalProviderError, ToolSpec

DEFAULT_OUTPUT_TOKENS = 16_000
# A local server without a budget generates until its context is full: minutes per turn.
LOCAL_OUTPUT_TOKENS = 4_096
# Tokenizers average 3.5-4 characters per token on code and JSON; 3 errs on the safe side.
CHARS_PER_TOKEN = 3.0
MIN_ANSWER_TOKENS = 256


def estimated_prompt_tokens(messages: Sequence[Any], tools: Sequence[ToolSpec]) -> int:
    """A cautious estimate of the prompt's size in tokens (messages and tool schemas)."""
    specs = [{"name": t.name, "description": t.description, "input": t.input_schema} for t in tools]
    text = json.dumps(list(messages), ensure_ascii=False, default=str) + json.dumps(specs)
    return int(len(text) / CHARS_PER_TOKEN) + 1


def output_budget(
    reviewer: ReviewerConfig, messages: Sequence[Any], tools: Sequence[ToolSpec]
) -> int:
    """The turn's ``max_tokens``: the configured budget, cut to what the context window leaves.

    A prompt that leaves no room for an answer is refused before it is sent, naming the
    sizes, instead of failing on the server after a long wait.
    """
    wanted = reviewer.max_output_tokens or (
        LOCAL_OUTPUT_TOKENS if reviewer.provider == "openai-compatible" else DEFAULT_OUTPUT_TOKENS
    )
    if reviewer.context_tokens is None:
        return wanted
    prompt = estimated_prompt_tokens(messages, tools)
    room = reviewer.context_tokens - prompt
    if room < MIN_ANSWER_TOKENS:
        raise FatalProviderError(
            f"reviewer {reviewer.name!r}: the prompt (about {prompt:,} tokens) does not fit its"
            f" context window of {reviewer.context_tokens:,} tokens: start the server with a"
            " larger context (llama.cpp --n_ctx, Ollama num_ctx) and raise context_tokens, or"
            " review fewer files"
        )
    return min(wanted, room)
