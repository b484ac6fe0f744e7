"""Transcripts: what a scripted model does, turn by turn, keyed by the request's model name.

A model may have several scripts: each conditional one names text (``when``) that the
conversation's opening must contain; the first script that matches plays, else the default one.
"""

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


@dataclass(frozen=True)
class Script:
    """One transcript for a model, played when every ``when`` text occurs in the opening."""

    plans: list[TurnPlan]
    when: tuple[str, ...] = ()
    source: str = ""

    @property
    def is_default(self) -> bool:
        """A script without ``when``: plays when no conditional script matches."""
        return not self.when

    def matches(self, opening: str) -> bool:
        """Whether a conversation with this opening text should follow this script."""
        return all(text in opening for text in self.when)


def choose_script(scripts: Sequence[Script], opening: str) -> Script | None:
    """The first conditional script whose ``when`` texts occur in ``opening``, else the default."""
    for script in scripts:
        if not script.is_default and script.matches(opening):
            return script
    return next((script for script in scripts if script.is_default), None)


def parse_when(model: str, value: object) -> tuple[str, ...]:
    """A ``when`` value (a text or a list of texts, all of which must occur) as a tuple."""
    texts = [value] if isinstance(value, str) else value
    if (
        not isinstance(texts, list)
        or not texts
        or not all(isinstance(text, str) and text for text in texts)
    ):
        raise TranscriptError(
            f"transcript {model!r}: when must be a non-empty text or a list of non-empty texts"
        )
    return tuple(texts)


def parse_script(model: str, steps: Sequence[Mapping[str, Any]], when: object = None) -> Script:
    """One script for ``model``: its steps and, unless ``when`` is None, its condition."""
    condition = () if when is None else parse_when(model, when)
    return Script(parse_steps(model, steps), condition)


def add_script(scripts: dict[str, list[Script]], model: str, script: Script) -> None:
    """Append ``script`` to ``model``'s scripts; a second default or a repeated ``when`` fails."""
    existing = scripts.setdefault(model, [])
    for other in existing:
        if other.when == script.when:
            what = "default script (without when)" if script.is_default else f"when {script.when}"
            where = ", ".join(name for name in (other.source, script.source) if name)
            raise TranscriptError(
                f"model {model!r} has two scripts with the same {what}"
                + (f" ({where})" if where else "")
            )
    existing.append(script)


def load_transcripts(folder: Path) -> dict[str, list[Script]]:
    """Every ``*.json`` transcript in a folder, in file-name order, as scripts per model."""
    if not folder.is_dir():
        raise TranscriptError(f"transcript folder {folder} does not exist")
    scripts: dict[str, list[Script]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TranscriptError(f"transcript {path.name} is not valid JSON: {exc}") from None
        for model, script in _file_scripts(path, data):
            add_script(scripts, model, script)
    return scripts


def _file_scripts(path: Path, data: Any) -> list[tuple[str, Script]]:
    """A file's scripts: a list of steps, a ``{"model", "when"?, "steps"}`` object, or a list."""
    if isinstance(data, list) and data and all(_is_script_object(item) for item in data):
        objects: list[Any] = data
    elif isinstance(data, list):
        return [(path.stem, _named(path, parse_script(path.stem, data)))]
    elif _is_script_object(data):
        objects = [data]
    else:
        raise TranscriptError(
            f"transcript {path.name}: expected a list of steps, a {{'model', 'when', 'steps'}}"
            " object, or a list of such objects"
        )
    found: list[tuple[str, Script]] = []
    for item in objects:
        model = str(item.get("model", path.stem))
        found.append((model, _named(path, parse_script(model, item["steps"], item.get("when")))))
    return found


def _is_script_object(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("steps"), list)


def _named(path: Path, script: Script) -> Script:
    return Script(script.plans, script.when, path.name)
