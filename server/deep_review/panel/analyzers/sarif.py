"""The ``sarif-command`` reviewer: any tool printing SARIF 2.1.0 (semgrep, golangci-lint...)."""

from __future__ import annotations

import json
import os
import posixpath
import shlex
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

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
    reviewed_tree,
    unified_diff,
)
from deep_review.panel.process import run_process, scrubbed_env
from deep_review.panel.sandbox import RepoSandbox, SandboxError

SARIF_OUTPUT_CAP = 64 * 1024 * 1024
_LEVELS: dict[str, Severity] = {"error": "important", "warning": "suggestion", "note": "suggestion"}


class SarifError(Exception):
    """The command's output is not usable SARIF."""


def build_argv(template: str, paths: list[str]) -> list[str]:
    """The command's argv: ``{files}`` becomes the shell-quoted paths, then split (no shell)."""
    files = " ".join(shlex.quote(p) for p in paths)
    try:
        argv = shlex.split(template.replace("{files}", files))
    except ValueError as error:
        raise SarifError(f"cannot parse the command template: {error}") from None
    if not argv:
        raise SarifError("the command template is empty")
    return argv


async def run_sarif_command(
    reviewer: ReviewerConfig, change: Change, sandbox: RepoSandbox, *, on_event: EventSink
) -> AgentReview:
    """Runs the configured command and turns its SARIF results on changed lines into findings."""
    started = time.monotonic()
    if not reviewer.command:
        return failed_review(
            reviewer, f"{reviewer.name}: a sarif-command reviewer needs `command`", started
        )
    files = reviewable_files(change)
    try:
        argv = build_argv(reviewer.command, [f.path for f in files])
    except SarifError as error:
        return failed_review(reviewer, f"{reviewer.name}: {error}", started)
    tool = os.path.basename(argv[0])
    model = reviewer.model or tool
    calls = {tool: 1}
    if "{files}" in reviewer.command and not files:
        return AgentReview(
            reviewer=reviewer.name,
            provider=reviewer.provider,
            model=model,
            summary="No changed files to check.",
            stats=AgentStats(duration_s=time.monotonic() - started),
        )
    on_event(ToolCalled(reviewer=reviewer.name, tool=tool, total_calls=1))
    try:
        async with reviewed_tree(change, sandbox) as root:
            result = await run_process(
                argv,
                cwd=root,
                env=scrubbed_env(),
                timeout=reviewer.deadline_s,
                output_cap=SARIF_OUTPUT_CAP,
            )
    except SandboxError as error:
        return failed_review(
            reviewer, f"{reviewer.name}: cannot export the reviewed commit: {error}", started
        )
    except (FileNotFoundError, PermissionError) as error:
        return failed_review(
            reviewer,
            f"{reviewer.name}: cannot run {argv[0]!r}: {error.strerror or error}",
            started,
            model=model,
            tool_calls=calls,
        )
    stderr = result.stderr.decode("utf-8", "replace").strip()
    if result.timed_out:
        return failed_review(
            reviewer,
            f"{reviewer.name}: {tool} took longer than {reviewer.deadline_s:g}s",
            started,
            model=model,
            tool_calls=calls,
        )
    stdout = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0 and not stdout.strip():
        detail = stderr.splitlines()[-1] if stderr else "no output"
        return failed_review(
            reviewer,
            f"{reviewer.name}: {tool} exited with status {result.returncode}: {detail}",
            started,
            model=model,
            tool_calls=calls,
        )
    try:
        results = parse_sarif(stdout)
    except SarifError as error:
        return failed_review(
            reviewer,
            f"{reviewer.name}: {tool} printed invalid SARIF: {error}",
            started,
            model=model,
            tool_calls=calls,
            raw_output=stdout[:4000],
        )
    by_path = {f.path: f for f in files}
    findings = [
        finding for item in results if (finding := _finding(item, by_path, root)) is not None
    ]
    return AgentReview(
        reviewer=reviewer.name,
        provider=reviewer.provider,
        model=model,
        summary=f"{tool}: {len(findings)} result(s) on changed lines ({len(results)} in total).",
        findings=findings,
        coverage=[FileCoverage(path=f.path, status="reviewed", note=tool) for f in files],
        stats=AgentStats(duration_s=time.monotonic() - started, tool_calls=calls),
    )


def parse_sarif(text: str) -> list[dict[str, Any]]:
    """Every result of every run, each with its effective ``level`` and ``_uri`` filled in."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SarifError(f"not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or not isinstance(document.get("runs"), list):
        raise SarifError("no 'runs' array")
    version = document.get("version")
    if version is not None and not str(version).startswith("2.1"):
        raise SarifError(f"version {version!r} is not SARIF 2.1.0")
    results: list[dict[str, Any]] = []
    for run in document["runs"]:
        if not isinstance(run, dict):
            raise SarifError("a run is not an object")
        levels = _rule_levels(run)
        bases = run.get("originalUriBaseIds") or {}
        for result in run.get("results") or []:
            if not isinstance(result, dict):
                continue
            rule = result.get("ruleId") or (result.get("rule") or {}).get("id") or ""
            level = result.get("level") or levels.get(rule) or "warning"
            results.append({**result, "ruleId": rule, "level": level, "_bases": bases})
    return results


def _rule_levels(run: dict[str, Any]) -> dict[str, str]:
    rules = ((run.get("tool") or {}).get("driver") or {}).get("rules") or []
    levels: dict[str, str] = {}
    for rule in rules:
        if isinstance(rule, dict) and rule.get("id"):
            level = (rule.get("defaultConfiguration") or {}).get("level")
            if level:
                levels[str(rule["id"])] = str(level)
    return levels


def _relative_path(uri: str, base: str, bases: dict[str, Any], root: Path) -> str | None:
    """The repository-relative path a SARIF artifact URI names, or None when outside."""
    prefix = ""
    if base and isinstance(bases.get(base), dict):
        prefix = str(bases[base].get("uri") or "")
    parsed = urlparse(prefix + uri if prefix and "://" not in uri else uri)
    raw = unquote(parsed.path if parsed.scheme == "file" else uri)
    if parsed.scheme == "file" or raw.startswith("/"):
        try:
            relative = os.path.relpath(os.path.realpath(raw), root)
        except ValueError:
            return None
        raw = relative.replace(os.sep, "/")
    normal = posixpath.normpath(raw)
    if normal.startswith("../") or normal == "..":
        return None
    return normal


def _finding(result: dict[str, Any], files: dict[str, ChangedFile], root: Path) -> Finding | None:
    level = str(result.get("level"))
    if level == "none":
        return None
    locations = result.get("locations") or []
    if not locations:
        return None
    physical = (locations[0] or {}).get("physicalLocation") or {}
    artifact = physical.get("artifactLocation") or {}
    path = _relative_path(
        str(artifact.get("uri") or ""),
        str(artifact.get("uriBaseId") or ""),
        result["_bases"],
        root,
    )
    changed = files.get(path or "")
    if changed is None:
        return None
    region = physical.get("region") or {}
    start_line = max(int(region.get("startLine") or 1), 1)
    end_line = max(int(region.get("endLine") or start_line), start_line)
    if not on_changed_lines(changed, start_line, end_line):
        return None
    text = changed.text or ""
    message = str((result.get("message") or {}).get("text") or "").strip()
    rule = str(result.get("ruleId") or "")
    first_line = message.splitlines()[0] if message else rule
    title = f"{rule}: {first_line}" if rule and first_line != rule else first_line or "finding"
    quoted = evidence(text, start_line, end_line)
    if not quoted:
        quoted = str((region.get("snippet") or {}).get("text") or "").rstrip("\n")
    return Finding(
        path=changed.path,
        start_line=start_line,
        end_line=end_line,
        severity=_LEVELS.get(level, "suggestion"),
        category="regression",
        title=title[:200],
        body=message or rule,
        evidence=quoted,
        fix=_sarif_fix(result, changed),
    )


def _sarif_fix(result: dict[str, Any], changed: ChangedFile) -> str | None:
    """The result's first SARIF fix touching this file, as a unified diff."""
    text = changed.text or ""
    starts = line_starts(text)
    for fix in result.get("fixes") or []:
        edits: list[TextEdit] = []
        for change in (fix or {}).get("artifactChanges") or []:
            uri = str(((change or {}).get("artifactLocation") or {}).get("uri") or "")
            if posixpath.normpath(unquote(uri.removeprefix("file://"))) != changed.path:
                continue
            for replacement in change.get("replacements") or []:
                region = replacement.get("deletedRegion") or {}
                if "startLine" not in region:
                    continue
                row = int(region["startLine"])
                column = int(region.get("startColumn") or 1)
                end_row = int(region.get("endLine") or row)
                end_column = region.get("endColumn")
                begin = offset_of(starts, text, row, column)
                finish = (
                    offset_of(starts, text, end_row, int(end_column))
                    if end_column is not None
                    else offset_of(starts, text, end_row + 1, 1)
                )
                content = str((replacement.get("insertedContent") or {}).get("text") or "")
                edits.append(TextEdit(begin, finish, content))
        if edits:
            fixed = apply_edits(text, edits)
            if fixed is not None:
                return unified_diff(changed.path, text, fixed)
    return None
