"""Transcripts: what a scripted model does, turn by turn, keyed by the request's model name."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deep_review.errors import DeepReviewError

SUBMIT_TOOL = "submit_review"
_ANSWER_KEYS = ("tool", "calls", "submit", "text", "thinking")
_FAULT_KEYS = ("status", "hang", "malformed")
_MALFORMED_KINDS = ("html", "json")


class TranscriptError(DeepReviewError):
    """A transcript file that cannot be used."""


@dataclass(frozen=True)
class ScriptedCall:
    name: str
    input: dict[str, Any]


@dataclass(frozen=True)
class Answer:
    """What the model says in one turn: text and/or tool calls."""

    text: str = ""
    calls: tuple[ScriptedCall, ...] = ()
    delay_s: float = 0.0
    thinking: str = ""


@dataclass(frozen=True)
class Fault:
    """A failed attempt: an HTTP error, a hang, or a garbled 200."""

    status: int | None = None
    retry_after: float | None = None
    message: str = ""
    hang: bool = False
    malformed: str | None = None
    delay_s: float = 0.0


@dataclass
class TurnPlan:
    """Attempts at one turn: each fault answers one request, then the answer for all later ones."""

    faults: list[Fault] = field(default_factory=list)
    answer: Answer | None = None


def parse_steps(model: str, steps: Sequence[Mapping[str, Any]]) -> list[TurnPlan]:
    """Group steps into turns; raises TranscriptError naming the model and the step."""
    plans: list[TurnPlan] = []
    current = TurnPlan()
    pending_delay = 0.0
    for index, step in enumerate(steps):
        where = f"transcript {model!r} step {index + 1}"
        if not isinstance(step, Mapping):
            raise TranscriptError(f"{where}: a step must be a JSON object")
        delay = float(step.get("delay_s", 0.0)) + pending_delay
        if any(key in step for key in _ANSWER_KEYS):
            current.answer = _answer(step, delay, where)
            plans.append(current)
            current, pending_delay = TurnPlan(), 0.0
        elif any(key in step for key in _FAULT_KEYS):
            current.faults.append(_fault(step, delay, where))
            pending_delay = 0.0
        elif "delay_s" in step:
            pending_delay = delay
        else:
            raise TranscriptError(
                f"{where}: expected one of tool, calls, submit, text, thinking, status, hang,"
                " malformed, delay_s"
            )
    if current.faults:
        plans.append(current)  # trailing faults: every attempt fails the same way
    return plans


def _answer(step: Mapping[str, Any], delay: float, where: str) -> Answer:
    calls: list[ScriptedCall] = []
    if "tool" in step:
        calls.append(_call(step, where))
    for item in step.get("calls", []):
        calls.append(_call(item, where))
    if "submit" in step:
        submission = step["submit"]
        if not isinstance(submission, Mapping):
            raise TranscriptError(f"{where}: submit must be a JSON object")
        calls.append(ScriptedCall(str(step.get("tool_name", SUBMIT_TOOL)), dict(submission)))
    return Answer(
        text=str(step.get("text", "")),
        calls=tuple(calls),
        delay_s=delay,
        thinking=str(step.get("thinking", "")),
    )


def _call(step: Mapping[str, Any], where: str) -> ScriptedCall:
    name = step.get("tool")
    arguments = step.get("input", {})
    if not isinstance(name, str) or not isinstance(arguments, Mapping):
        raise TranscriptError(f"{where}: a tool call needs a tool name and an input object")
    return ScriptedCall(name, dict(arguments))


def _fault(step: Mapping[str, Any], delay: float, where: str) -> Fault:
    malformed = step.get("malformed")
    if malformed is not None and malformed not in _MALFORMED_KINDS:
        raise TranscriptError(f"{where}: malformed must be 'html' or 'json'")
    status = step.get("status")
    if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
        raise TranscriptError(f"{where}: status must be an HTTP error code (400-599)")
    retry_after = step.get("retry_after")
    return Fault(
        status=status,
        retry_after=None if retry_after is None else float(retry_after),
        message=str(step.get("message", "")),
        hang=bool(step.get("hang", False)),
        malformed=malformed,
        delay_s=delay,
    )


def load_transcripts(folder: Path) -> dict[str, list[TurnPlan]]:
    """Every ``*.json`` transcript in a folder: ``{"model": ..., "steps": [...]}`` or a list."""
    if not folder.is_dir():
        raise TranscriptError(f"transcript folder {folder} does not exist")
    plans: dict[str, list[TurnPlan]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TranscriptError(f"transcript {path.name} is not valid JSON: {exc}") from None
        if isinstance(data, list):
            model, steps = path.stem, data
        elif isinstance(data, dict) and isinstance(data.get("steps"), list):
            model, steps = str(data.get("model", path.stem)), data["steps"]
        else:
            raise TranscriptError(
                f"transcript {path.name}: expected a list of steps or {{'model', 'steps'}}"
            )
        plans[model] = parse_steps(model, steps)
    return plans
