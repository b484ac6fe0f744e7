"""The ``ruff`` reviewer: ruff's diagnostics on the change's lines, its fixes as diffs."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import anyio

from deep_review.change.model import Change, ChangedFile
from deep_review.config import ReviewerConfig
from deep_review.events import EventSink, ToolCalled
from deep_review.model import AgentReview, AgentStats, FileCoverage, Finding, Severity
from deep_review.panel.analyzers.common import (
    TextEdit,
    apply_edits,
    evidence,
    failed_review,
    line_starts,
    offset_of,
    on_changed_lines,
    reviewable_files,
    unified_diff,
)
from deep_review.panel.process import run_process, scrubbed_env
from deep_review.panel.sandbox import RepoSandbox

PYTHON_SUFFIXES = (".py", ".pyi")
RUFF_TIMEOUT_S = 120.0
_CONCURRENCY = 4

# Rules whose hits are bugs, not style: the code fails or misbehaves at run time.
_BUG_CODES = frozenset({"F811", "F821", "F822", "F823", "B006", "B008", "B023"})
_BUG_PREFIXES = ("E9", "F63", "F7", "F50", "F52", "PLE", "syntax", "invalid-syntax")


def ruff_command() -> list[str]:
    """How to start ruff: on PATH, next to this interpreter, else ``python -m ruff``."""
    found = shutil.which("ruff")
    if found:
        return [found]
    beside = Path(sys.executable).parent / "ruff"
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-m", "ruff"]


def severity_for(code: str) -> Severity:
    """``important`` for rule families that flag real bugs, ``suggestion`` for the rest."""
    if code in _BUG_CODES or code.startswith(_BUG_PREFIXES):
        return "important"
    return "suggestion"


async def _ruff_version(command: list[str], cwd: Path) -> str | None:
    try:
        result = await run_process(
            [*command, "--version"], cwd=cwd, env=scrubbed_env(), timeout=30, output_cap=4096
        )
    except OSError:
        return None
    if result.returncode != 0:
        return None
    text = result.stdout.decode("utf-8", "replace").strip()
    return text.removeprefix("ruff ").strip() or None


async def run_ruff(
    reviewer: ReviewerConfig, change: Change, sandbox: RepoSandbox, *, on_event: EventSink
) -> AgentReview:
    """Checks the changed Python files with ruff; never raises."""
    started = time.monotonic()
    command = ruff_command()
    version = await _ruff_version(command, sandbox.real_root)
    if version is None:
        return failed_review(
            reviewer,
            "ruff is not installed: install it (pip install ruff) or remove the "
            f"{reviewer.name!r} reviewer",
            started,
        )
    model = reviewer.model or f"ruff {version}"
    files = reviewable_files(change, PYTHON_SUFFIXES)
    findings: dict[str, list[Finding]] = {}
    errors: list[str] = []
    calls = 0
    limiter = anyio.CapacityLimiter(_CONCURRENCY)

    async def check(changed: ChangedFile) -> None:
        nonlocal calls
        async with limiter:
            calls += 1
            on_event(ToolCalled(reviewer=reviewer.name, tool="ruff", total_calls=calls))
            try:
                findings[changed.path] = await _check_file(command, changed, sandbox)
            except _RuffFailed as error:
                errors.append(f"{changed.path}: {error}")

    async with anyio.create_task_group() as group:
        for changed in files:
            group.start_soon(check, changed)
    stats = AgentStats(duration_s=time.monotonic() - started, tool_calls={"ruff": calls})
    if errors:
        review = failed_review(
            reviewer,
            f"ruff failed on {errors[0]}",
            started,
            model=model,
            tool_calls={"ruff": calls},
        )
        return review
    ordered = [f for changed in files for f in findings.get(changed.path, [])]
    noun = "file" if len(files) == 1 else "files"
    return AgentReview(
        reviewer=reviewer.name,
        provider=reviewer.provider,
        model=model,
        summary=(
            f"ruff {version}: {len(ordered)} diagnostic(s) on changed lines in "
            f"{len(files)} changed Python {noun}."
            if files
            else "No changed Python files to check."
        ),
        findings=ordered,
        coverage=[FileCoverage(path=f.path, status="reviewed", note="ruff") for f in files],
        stats=stats,
    )


class _RuffFailed(Exception):
    pass


async def _check_file(
    command: list[str], changed: ChangedFile, sandbox: RepoSandbox
) -> list[Finding]:
    assert changed.text is not None
    argv = [
        *command,
        "check",
        "--output-format",
        "json",
        "--no-cache",
        "--exit-zero",
        "--force-exclude",
        "--stdin-filename",
        changed.path,
        "-",
    ]
    result = await run_process(
        argv,
        cwd=sandbox.real_root,
        env=scrubbed_env(),
        timeout=RUFF_TIMEOUT_S,
        output_cap=32 * 1024 * 1024,
        stdin=changed.text.encode("utf-8"),
    )
    if result.timed_out:
        raise _RuffFailed(f"took longer than {RUFF_TIMEOUT_S:.0f}s")
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _RuffFailed(message[0] if message else f"exit status {result.returncode}")
    try:
        diagnostics = json.loads(result.stdout.decode("utf-8", "replace") or "[]")
    except json.JSONDecodeError as error:
        raise _RuffFailed(f"unreadable JSON output ({error})") from None
    if not isinstance(diagnostics, list):
        raise _RuffFailed("unexpected JSON output (not a list)")
    found = (_finding(d, changed) for d in diagnostics if isinstance(d, dict))
    return [f for f in found if f is not None]


def _finding(diagnostic: dict[str, Any], changed: ChangedFile) -> Finding | None:
    text = changed.text or ""
    code = str(diagnostic.get("code") or "syntax-error")
    start = diagnostic.get("location") or {}
    end = diagnostic.get("end_location") or start
    start_line = max(int(start.get("row", 1)), 1)
    end_line = max(int(end.get("row", start_line)), start_line)
    if end_line > start_line and int(end.get("column", 2)) == 1:
        end_line -= 1  # a span ending at column 1 ends on the previous line
    if not on_changed_lines(changed, start_line, end_line):
        return None
    message = str(diagnostic.get("message", "")).strip()
    name = diagnostic.get("name")
    body = f"ruff reports `{code}`" + (f" ({name})" if name else "") + f": {message}"
    if diagnostic.get("url"):
        body += f"\n\nRule: {diagnostic['url']}"
    fix, fix_note = _fix_diff(diagnostic.get("fix"), changed.path, text)
    if fix_note:
        body += f"\n\n{fix_note}"
    return Finding(
        path=changed.path,
        start_line=start_line,
        end_line=end_line,
        severity=severity_for(code),
        category="regression",
        title=f"{code}: {message}" if message else code,
        body=body,
        evidence=evidence(text, start_line, end_line),
        fix=fix,
    )


def _fix_diff(fix: Any, path: str, text: str) -> tuple[str | None, str]:
    """ruff's fix as a unified diff against the reviewed text, and a note for the body."""
    if not isinstance(fix, dict):
        return None, ""
    applicability = fix.get("applicability", "safe")
    if applicability == "display-only":
        return None, ""
    starts = line_starts(text)
    edits = []
    for edit in fix.get("edits") or []:
        begin, finish = edit.get("location") or {}, edit.get("end_location") or {}
        edits.append(
            TextEdit(
                offset_of(starts, text, int(begin.get("row", 1)), int(begin.get("column", 1))),
                offset_of(starts, text, int(finish.get("row", 1)), int(finish.get("column", 1))),
                str(edit.get("content", "")),
            )
        )
    fixed = apply_edits(text, edits)
    diff = unified_diff(path, text, fixed) if fixed is not None else None
    if diff is None:
        return None, ""
    note = f"Fix ({fix.get('message') or 'ruff'})"
    if applicability == "unsafe":
        note += ": ruff marks it unsafe (it may change behaviour); review it before applying."
    return diff, note + ("." if applicability != "unsafe" else "")
