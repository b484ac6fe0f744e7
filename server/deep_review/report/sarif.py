"""Review → SARIF 2.1.0, for CI systems and code-scanning UIs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any
from urllib.parse import quote

from deep_review.model import ReconciledFinding, Review
from deep_review.report import escape
from deep_review.report.rounds import add_baseline_states
from deep_review.store.fingerprint import finding_fingerprint

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/deep-review/deep-review"
LEVELS = {"critical": "error", "important": "warning", "suggestion": "note"}
_PROBLEM_SEVERITY = {"critical": "error", "important": "warning", "suggestion": "recommendation"}
_CATEGORY_TEXT = {
    "regression": "a defect this change introduces",
    "gap": "something this change leaves out",
    "enhancement": "a way to make this change better",
}
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def tool_version() -> str:
    """The installed deep-review version."""
    try:
        return metadata.version("deep-review")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def rule_id(severity: str, category: str) -> str:
    """``important-regression``: one rule per severity and category."""
    return f"{severity}-{category}"


def _rules() -> list[dict[str, Any]]:
    rules = []
    for severity in ("critical", "important", "suggestion"):
        for category in ("regression", "gap", "enhancement"):
            name = f"{severity.capitalize()}{category.capitalize()}"
            rules.append(
                {
                    "id": rule_id(severity, category),
                    "name": name,
                    "shortDescription": {"text": f"{severity.capitalize()} {category}"},
                    "fullDescription": {
                        "text": f"A {severity} finding: {_CATEGORY_TEXT[category]}."
                    },
                    "defaultConfiguration": {"level": LEVELS[severity]},
                    "properties": {
                        "tags": [severity, category],
                        "problem.severity": _PROBLEM_SEVERITY[severity],
                    },
                }
            )
    return rules


@dataclass
class _Hunk:
    old_start: int
    old_length: int
    new_lines: list[str] = field(default_factory=list)
    old_seen: int = 0


def parse_hunks(patch: str, default_path: str) -> dict[str, list[_Hunk]] | None:
    """The hunks of a unified diff by file, or None when it is not a well-formed one."""
    files: dict[str, list[_Hunk]] = {}
    path = default_path
    hunk: _Hunk | None = None
    new_length = 0
    for line in patch.replace("\r\n", "\n").split("\n"):
        header = _HUNK_HEADER.match(line)
        if line.startswith("+++ ") and (hunk is None or _complete(hunk, new_length)):
            target = line[4:].split("\t")[0].strip()
            path = target[2:] if target.startswith("b/") else target
            hunk = None
        elif line.startswith("--- ") and (hunk is None or _complete(hunk, new_length)):
            hunk = None
        elif header:
            if hunk is not None and not _complete(hunk, new_length):
                return None
            old_length = int(header.group(2) or "1")
            new_length = int(header.group(4) or "1")
            hunk = _Hunk(int(header.group(1)), old_length)
            files.setdefault(path, []).append(hunk)
        elif hunk is not None and line[:1] in (" ", "-", "+"):
            if line[0] != "+":
                hunk.old_seen += 1
            if line[0] != "-":
                hunk.new_lines.append(line[1:])
        elif hunk is not None and (line.startswith("\\") or line == ""):
            continue
        elif line.strip():
            return None
    hunks = [h for group in files.values() for h in group]
    if not hunks or (hunk is not None and not _complete(hunk, new_length)):
        return None
    if path == "/dev/null":
        return None
    return files


def _complete(hunk: _Hunk, new_length: int) -> bool:
    return hunk.old_seen == hunk.old_length and len(hunk.new_lines) == new_length


def _replacement(hunk: _Hunk) -> dict[str, Any]:
    # Whole-line regions: from column 1 of the first old line to column 1 of the line after.
    start = hunk.old_start if hunk.old_length else hunk.old_start + 1
    region = {
        "startLine": max(start, 1),
        "startColumn": 1,
        "endLine": max(start, 1) + hunk.old_length,
        "endColumn": 1,
    }
    inserted = "".join(line + "\n" for line in hunk.new_lines)
    return {"deletedRegion": region, "insertedContent": {"text": inserted}}


def _fixes(finding: ReconciledFinding) -> list[dict[str, Any]]:
    # Only a fix whose hunk headers are right can become line-addressed SARIF replacements.
    if not finding.fix or finding.fix_status not in (None, "applies"):
        return []
    files = parse_hunks(finding.fix, finding.path)
    if files is None:
        return []
    changes = [
        {
            "artifactLocation": _artifact(path),
            "replacements": [_replacement(hunk) for hunk in hunks],
        }
        for path, hunks in files.items()
    ]
    return [
        {"description": {"text": f"Suggested fix for {finding.id}"}, "artifactChanges": changes}
    ]


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _location(finding: ReconciledFinding) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.start_line, "endLine": finding.end_line}
    if finding.evidence.strip():
        region["snippet"] = {"text": finding.evidence}
    return {"physicalLocation": {"artifactLocation": _artifact(finding.path), "region": region}}


def _result(finding: ReconciledFinding, rule_index: dict[str, int]) -> dict[str, Any]:
    rule = rule_id(finding.severity, finding.category)
    markdown = f"**{escape.inline(finding.title)}**"
    if finding.body.strip():
        markdown += "\n\n" + escape.block(finding.body)
    result: dict[str, Any] = {
        "ruleId": rule,
        "ruleIndex": rule_index[rule],
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.id}. {finding.title}", "markdown": markdown},
        "locations": [_location(finding)],
        "partialFingerprints": {"deepReviewFinding/v1": finding_fingerprint(finding)},
        "properties": {
            "id": finding.id,
            "severity": finding.severity,
            "category": finding.category,
            "agents": finding.agents,
            "consensus": finding.consensus,
            "confidence": finding.confidence,
            "verification": finding.verification.model_dump(),
            "outsideDiff": finding.outside_diff,
        },
    }
    if finding.related:
        result["relatedLocations"] = [
            {
                "id": number,
                "physicalLocation": {
                    "artifactLocation": _artifact(related.path),
                    "region": {"startLine": related.start_line, "endLine": related.end_line},
                },
                **({"message": {"text": related.note}} if related.note else {}),
            }
            for number, related in enumerate(finding.related, 1)
        ]
    if finding.fix:
        result["properties"]["suggestedFix"] = finding.fix
        if finding.fix_status:
            result["properties"]["fixStatus"] = finding.fix_status
    fixes = _fixes(finding)
    if fixes:
        result["fixes"] = fixes
    return result


def _invocation(review: Review) -> dict[str, Any]:
    failed = [retro for retro in review.retro if retro.status != "completed"]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"Reviewer {retro.agent} {retro.status}: {retro.error or ''}"},
        }
        for retro in failed
    ] + [{"level": "note", "message": {"text": notice}} for notice in review.notices]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def render_sarif(review: Review) -> dict[str, Any]:
    """The review as a SARIF 2.1.0 log (a JSON-ready dict)."""
    rules = _rules()
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    header = review.header
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "deep-review",
                "version": tool_version(),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "invocations": [_invocation(review)],
        "automationDetails": {
            "id": f"deep-review/{header.branch or 'detached'}/{header.date.isoformat()}"
        },
        "results": add_baseline_states(
            review, [_result(finding, rule_index) for finding in review.findings]
        ),
        "properties": {
            "verdict": header.verdict,
            "round": header.round,
            "baseSha": header.base_sha,
            "headSha": header.head_sha,
            "modelVerified": review.model_verified,
        },
    }
    if header.repo_url:
        provenance: dict[str, Any] = {"repositoryUri": header.repo_url}
        if header.head_sha:
            provenance["revisionId"] = header.head_sha
        if header.branch:
            provenance["branch"] = header.branch
        run["versionControlProvenance"] = [provenance]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
