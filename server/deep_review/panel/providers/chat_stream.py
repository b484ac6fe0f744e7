"""A streamed Chat Completions answer put back together, robust to servers' quirks.

The SDK's own accumulator concatenates every ``name`` and ``id`` delta it sees; llama.cpp's
server repeats the full name and id in each delta, so ``submit_review`` became
``submit_reviewsubmit_review``. Here a repeated full name or id is the name or id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


def merge_fragment(current: str, fragment: str) -> str:
    """A name or id so far plus a delta: a repetition of the whole is not appended."""
    if not current or fragment == current:
        return fragment or current
    return current + fragment


async def collect_chat_stream(chunks: AsyncIterator[Any]) -> dict[str, Any] | None:
    """The chat completion (as the API's JSON shape) assembled from its stream chunks.

    None when the body held no chunk at all (an HTML error page, say): not a stream.
    """
    content: list[str] = []
    calls: dict[int, _Call] = {}
    finish: str | None = None
    usage: Any = None
    identity: dict[str, Any] = {"id": "", "model": "", "created": 0}
    seen = False
    async for chunk in chunks:
        seen = True
        identity = {
            "id": chunk.id or identity["id"],
            "model": chunk.model or identity["model"],
            "created": chunk.created or identity["created"],
        }
        if getattr(chunk, "usage", None) is not None:
            usage = chunk.usage
        for choice in chunk.choices or []:
            delta = choice.delta
            if delta is not None and delta.content:
                content.append(delta.content)
            for tool in (delta.tool_calls or []) if delta is not None else []:
                call = calls.setdefault(
                    tool.index if tool.index is not None else len(calls), _Call()
                )
                if tool.id:
                    call.id = merge_fragment(call.id, tool.id)
                if tool.function is not None:
                    if tool.function.name:
                        call.name = merge_fragment(call.name, tool.function.name)
                    if tool.function.arguments:
                        call.arguments.append(tool.function.arguments)
            if choice.finish_reason:
                finish = choice.finish_reason
    if not seen:
        return None
    message: dict[str, Any] = {"role": "assistant", "content": "".join(content) or None}
    if calls:
        message["tool_calls"] = [
            {
                "id": call.id or f"call_{index}",
                "type": "function",
                "function": {"name": call.name, "arguments": "".join(call.arguments)},
            }
            for index, call in sorted(calls.items())
        ]
    return {
        **identity,
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": finish or "stop"}],
        "usage": usage.model_dump() if usage is not None else None,
    }
