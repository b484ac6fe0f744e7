"""The provider-agnostic tool loop: send, run the tools, feed results back, until submit."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import anyio
from pydantic import BaseModel, ValidationError

from deep_review.config import ReviewerConfig
from deep_review.events import (
    EventSink,
    ReviewerFailed,
    ReviewerRetrying,
    ReviewerStarted,
    TokensUsed,
    ToolCalled,
)
from deep_review.model import AgentStats, ReviewerStatus, SubmittedReview
from deep_review.panel.providers import (
    Conversation,
    ModelTurn,
    Provider,
    ProviderError,
    ToolCall,
    ToolOutcome,
    ToolSpec,
    make_provider,
)
from deep_review.panel.providers.base import arguments_problem
from deep_review.panel.providers.retry import RetryPolicy, send_with_retries

M = TypeVar("M", bound=BaseModel)

SUBMIT_TOOL = "submit_review"
MAX_REPAIRS = 2
MAX_TOOL_CALLS_PER_TURN = 16
MAX_NUDGES = 2
# Warn the model to wrap up when this much of its deadline is left (the smaller of the two).
WRAP_UP_FRACTION = 0.2
WRAP_UP_MAX_S = 60.0
_VALIDATION_DETAIL_LIMIT = 20


class ToolSpecLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def input_schema(self) -> dict[str, Any]: ...


class ToolResultLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def is_error(self) -> bool: ...


class ToolRunner(Protocol):
    """What the loop needs from ``panel.tools.Toolbox``."""

    def specs(self) -> Sequence[ToolSpecLike]: ...

    async def call(self, name: str, arguments: dict[str, Any]) -> ToolResultLike: ...


@dataclass
class AgentRun(Generic[M]):
    """How one agent run ended: the validated submission, or why there is none."""

    result: M | None
    stats: AgentStats
    status: ReviewerStatus
    error: str | None = None
    raw_output: str | None = None


class _Failed(Exception):
    def __init__(self, message: str, raw_output: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.raw_output = raw_output


@dataclass
class _Loop(Generic[M]):
    reviewer: ReviewerConfig
    provider: Provider
    toolbox: ToolRunner
    submit_model: type[M]
    submit_tool: str
    on_event: EventSink
    policy: RetryPolicy
    deadline: float
    stats: AgentStats = field(default_factory=AgentStats)
    repairs: int = 0
    nudges: int = 0
    warned_deadline: bool = False
    last_rejection: str | None = None

    def tools(self) -> list[ToolSpec]:
        offered = [
            ToolSpec(s.name, s.description, dict(s.input_schema)) for s in self.toolbox.specs()
        ]
        submit = ToolSpec(
            self.submit_tool,
            "Submit your complete review. Call exactly once, when you are done; the input must"
            " match the schema. Invalid input is returned to you with the validation errors.",
            self.submit_model.model_json_schema(),
        )
        return [t for t in offered if t.name != self.submit_tool] + [submit]

    async def run(self, conversation: Conversation) -> M:
        tools = self.tools()
        for turn_number in range(1, self.reviewer.max_turns + 1):
            # The last turn can only submit: a weak model otherwise spends it on one more tool.
            if turn_number == self.reviewer.max_turns and turn_number > 1:
                conversation.force_tool = self.submit_tool
            turn = await send_with_retries(
                self.provider,
                conversation,
                tools,
                policy=self.policy,
                deadline=self.deadline,
                on_retry=self._retrying,
            )
            self._count(turn)
            conversation.add_turn(turn)
            if not turn.tool_calls:
                conversation.add_user(self._nudge(turn))
                continue
            result, outcomes = await self._handle_calls(turn.tool_calls)
            if result is not None:
                return result
            warning = self._wrap_up_warning(turn_number)
            if warning:
                # Said inside a tool result: every provider accepts that after its tool calls.
                last = outcomes[-1]
                outcomes[-1] = ToolOutcome(
                    last.call_id, last.name, f"{last.text}\n\n{warning}", last.is_error
                )
            conversation.add_outcomes(outcomes)
        if self.last_rejection is not None:
            raise _Failed(
                f"reviewer {self.reviewer.name!r} used all {self.reviewer.max_turns} turns; its"
                f" last {self.submit_tool} was invalid: {self.last_rejection}"
            )
        raise _Failed(
            f"reviewer {self.reviewer.name!r} used all {self.reviewer.max_turns} turns"
            f" without calling {self.submit_tool}"
        )

    def _wrap_up_warning(self, turn_number: int) -> str:
        """Tell the model to submit before the turn limit or the deadline ends its review."""
        finish = (
            f" Call {self.submit_tool} now with the findings you have verified; mark the files"
            " you could not review as not-reviewed.]"
        )
        if turn_number == self.reviewer.max_turns - 1:
            return "[deep-review: this is your last turn." + finish
        remaining = self.deadline - time.monotonic()
        threshold = min(WRAP_UP_MAX_S, WRAP_UP_FRACTION * self.reviewer.deadline_s)
        if not self.warned_deadline and remaining < threshold:
            self.warned_deadline = True
            return f"[deep-review: about {remaining:.0f} s of your time limit remain." + finish
        return ""

    def _retrying(self, reason: str, delay: float) -> None:
        self.on_event(ReviewerRetrying(reviewer=self.reviewer.name, reason=reason, delay_s=delay))

    def _count(self, turn: ModelTurn) -> None:
        self.stats.turns += 1
        self.stats.input_tokens += turn.usage.input_tokens
        self.stats.output_tokens += turn.usage.output_tokens
        self.stats.cached_tokens += turn.usage.cached_tokens
        self.on_event(
            TokensUsed(
                reviewer=self.reviewer.name,
                input_tokens=self.stats.input_tokens,
                output_tokens=self.stats.output_tokens,
                cached_tokens=self.stats.cached_tokens,
            )
        )

    def _nudge(self, turn: ModelTurn) -> str:
        self.nudges += 1
        if self.nudges > MAX_NUDGES:
            raise _Failed(
                f"reviewer {self.reviewer.name!r} stopped without calling {self.submit_tool}",
                raw_output=turn.text or None,
            )
        return (
            f"You answered without calling a tool. Continue the review with the tools, and"
            f" finish by calling {self.submit_tool} with your complete review."
        )

    async def _handle_calls(self, calls: list[ToolCall]) -> tuple[M | None, list[ToolOutcome]]:
        outcomes: dict[str, ToolOutcome] = {}
        work = [c for c in calls if c.name != self.submit_tool]
        # A model asking for dozens of tools at once (60 parallel test runs) gets a few.
        for call in work[MAX_TOOL_CALLS_PER_TURN:]:
            outcomes[call.id] = ToolOutcome(
                call.id,
                call.name,
                f"Not run: at most {MAX_TOOL_CALLS_PER_TURN} tool calls are run per turn;"
                " ask for this one again in a later turn if you still need it.",
                is_error=True,
            )
        async with anyio.create_task_group() as group:
            for call in work[:MAX_TOOL_CALLS_PER_TURN]:
                group.start_soon(self._run_tool, call, outcomes)
        for call in calls:
            if call.name == self.submit_tool:
                result = self._accept(call, outcomes)
                if result is not None:
                    return result, []
        return None, [outcomes[c.id] for c in calls]

    async def _run_tool(self, call: ToolCall, outcomes: dict[str, ToolOutcome]) -> None:
        known = [spec.name for spec in self.toolbox.specs()]
        if call.arguments is None:
            problem = arguments_problem(call.raw_arguments)
            text, is_error = (
                f"The arguments to {call.name} were not a JSON object: {problem}.",
                True,
            )
        elif call.name not in known:
            tools = ", ".join([*known, self.submit_tool])
            text = f"There is no tool {call.name!r}. The tools are: {tools}."
            if call.name != "run_command":
                text += f" When you are done, call {self.submit_tool} with your review."
            else:
                text = f"run_command is not enabled for this repository. The tools are: {tools}."
            is_error = True
        else:
            try:
                result = await self.toolbox.call(call.name, call.arguments)
                text, is_error = result.text, result.is_error
            except Exception as exc:
                text, is_error = f"{call.name} failed: {type(exc).__name__}: {exc}", True
        outcomes[call.id] = ToolOutcome(call.id, call.name, text, is_error)
        self.stats.tool_calls[call.name] = self.stats.tool_calls.get(call.name, 0) + 1
        self.on_event(
            ToolCalled(
                reviewer=self.reviewer.name,
                tool=call.name,
                total_calls=self.stats.total_tool_calls,
                refused=is_error,
            )
        )

    def _validate(self, arguments: dict[str, Any]) -> M:
        try:
            return self.submit_model.model_validate(arguments)
        except ValidationError as error:
            wrong = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
            decoded = _decode_nested_json(arguments, wrong)
            if decoded == arguments:
                raise
            try:
                return self.submit_model.model_validate(decoded)
            except ValidationError:
                raise error from None

    def _accept(self, call: ToolCall, outcomes: dict[str, ToolOutcome]) -> M | None:
        try:
            if call.arguments is None:
                raise ValueError(
                    f"the input was not a JSON object: {arguments_problem(call.raw_arguments)}"
                )
            submitted = self._validate(call.arguments)
            empty = submitted.emptiness() if isinstance(submitted, SubmittedReview) else None
            if empty:
                raise ValueError(empty)
            return submitted
        except (ValidationError, ValueError) as exc:
            self.last_rejection = _describe(exc)
            self.repairs += 1
            raw = call.raw_arguments
            if self.repairs > MAX_REPAIRS:
                raise _Failed(
                    f"reviewer {self.reviewer.name!r} submitted an invalid review"
                    f" {self.repairs} times: {_describe(exc)}",
                    raw_output=raw,
                ) from None
            outcomes[call.id] = ToolOutcome(
                call.id,
                call.name,
                f"Your {self.submit_tool} input is invalid; nothing was recorded."
                f" Fix these problems and call {self.submit_tool} again:\n{_describe(exc)}",
                is_error=True,
            )
            return None


def _decode_nested_json(arguments: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    """Top-level values a model sent as JSON text (``"findings": "[...]"``) decoded.

    Several models double-encode nested arrays in tool input; the content is right, only the
    wrapping is not, so it is not worth a repair round trip. Only ``keys`` (the fields that
    failed validation) are decoded: a string field that merely looks like JSON is never touched.
    """
    decoded = dict(arguments)
    for key, value in arguments.items():
        if key in keys and isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                decoded[key] = json.loads(value)
    return decoded


def _describe(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return str(exc)
    lines = []
    for error in exc.errors(include_url=False)[:_VALIDATION_DETAIL_LIMIT]:
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        lines.append(f"- {where}: {error['msg']}")
    if exc.error_count() > _VALIDATION_DETAIL_LIMIT:
        lines.append(f"- ... and {exc.error_count() - _VALIDATION_DETAIL_LIMIT} more")
    return "\n".join(lines)


async def run_agent(
    reviewer: ReviewerConfig,
    *,
    system: str,
    prompt: str,
    toolbox: ToolRunner,
    submit_model: type[M],
    on_event: EventSink,
    env: Mapping[str, str],
    submit_tool: str = SUBMIT_TOOL,
    retry_policy: RetryPolicy | None = None,
) -> AgentRun[M]:
    """Run one model agent to its submission; never raises except when cancelled.

    Emits ReviewerStarted, ToolCalled, TokensUsed (running totals) and ReviewerRetrying; on
    cancellation it emits ReviewerFailed and re-raises. The final outcome is the returned
    ``AgentRun``: the caller, which knows what the submission means, announces it.
    """
    on_event(ReviewerStarted(reviewer=reviewer.name, model=reviewer.model))
    started = time.monotonic()
    policy = retry_policy or RetryPolicy(max_retries=reviewer.max_retries)
    stats = AgentStats()
    try:
        provider = make_provider(reviewer, env)
    except ProviderError as error:
        return AgentRun(None, stats, "failed", error.message)
    loop = _Loop(
        reviewer=reviewer,
        provider=provider,
        toolbox=toolbox,
        submit_model=submit_model,
        submit_tool=submit_tool,
        on_event=on_event,
        policy=policy,
        deadline=started + reviewer.deadline_s,
        stats=stats,
    )
    conversation = Conversation(system)
    conversation.add_user(prompt)
    try:
        with anyio.move_on_after(reviewer.deadline_s):
            result = await loop.run(conversation)
            return AgentRun(result, stats, "completed")
        return AgentRun(
            None,
            stats,
            "timed-out",
            f"reviewer {reviewer.name!r} did not finish within its {reviewer.deadline_s:g} s"
            " deadline",
        )
    except _Failed as failure:
        return AgentRun(None, stats, "failed", failure.message, failure.raw_output)
    except ProviderError as error:
        return AgentRun(None, stats, "failed", error.message)
    except anyio.get_cancelled_exc_class():
        on_event(ReviewerFailed(reviewer=reviewer.name, error="cancelled"))
        raise
    finally:
        stats.duration_s = round(time.monotonic() - started, 3)
        with anyio.CancelScope(shield=True):
            await provider.aclose()
