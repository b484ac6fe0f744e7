"""The provider-neutral conversation every model reviewer speaks, and the errors providers raise."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

StopReason = Literal["tool_use", "end_turn", "max_tokens", "other"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: its name, what it does, its JSON Schema input."""

    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """One tool call the model made; ``arguments`` is None when its JSON did not parse."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw_arguments: str


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0


@dataclass(frozen=True)
class ModelTurn:
    """What the model answered in one turn; ``native`` is echoed back to its own provider."""

    text: str
    tool_calls: list[ToolCall]
    usage: Usage
    stop: StopReason
    native: Any = None


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one tool call, fed back to the model."""

    call_id: str
    name: str
    text: str
    is_error: bool = False


@dataclass(frozen=True)
class UserText:
    text: str


Entry = UserText | ModelTurn | list[ToolOutcome]


@dataclass
class Conversation:
    """The system prompt and the turns so far, independent of any provider's wire format."""

    system: str
    entries: list[Entry] = field(default_factory=list)
    force_tool: str | None = None
    """When set, the next turn must call this tool (where the API can force one)."""

    def add_user(self, text: str) -> None:
        self.entries.append(UserText(text))

    def add_turn(self, turn: ModelTurn) -> None:
        self.entries.append(turn)

    def add_outcomes(self, outcomes: list[ToolOutcome]) -> None:
        self.entries.append(list(outcomes))


class Provider(Protocol):
    """One model endpoint: a single attempt at the next turn (retries live in ``retry``)."""

    async def send(self, conversation: Conversation, tools: list[ToolSpec]) -> ModelTurn: ...

    async def aclose(self) -> None: ...


class ProviderError(Exception):
    """A failed model call, described without secrets."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientProviderError(ProviderError):
    """Worth retrying: rate limits, 5xx, connection errors, timeouts, garbled bodies."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class FatalProviderError(ProviderError):
    """Retrying cannot help: bad key, no access, unknown model, rejected request."""


_CODE_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(.*?)\n?\s*```\s*$", re.DOTALL)


def parse_arguments(raw: str) -> dict[str, Any] | None:
    """Tool-call arguments as a dict, or None when the model sent something else.

    Lenient where weak models slip without ambiguity: raw control characters (a newline)
    inside strings, and the object wrapped in a Markdown code fence.
    """
    text = raw.strip()
    if not text:
        return {}
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text, strict=False)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def arguments_problem(raw: str) -> str:
    """Why ``raw`` is not a JSON object, with the position, for the model to fix."""
    text = raw.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        value = json.loads(text, strict=False)
    except json.JSONDecodeError as error:
        near = text[max(0, error.pos - 20) : error.pos + 20]
        return (
            f"invalid JSON at line {error.lineno} column {error.colno} ({error.msg}) near {near!r}"
        )
    return f"a JSON {type(value).__name__}, not an object"
