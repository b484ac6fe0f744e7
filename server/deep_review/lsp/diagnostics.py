"""Findings as LSP diagnostics: severity, message, ranges in the client's position encoding."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition, ServerTextRange

from deep_review.lsp.tracking import LineSpan
from deep_review.model import Finding, ReconciledFinding, Severity
from deep_review.rounds.history import diagnostic_note

SOURCE = "deep-review"
UNVERIFIED_PREFIX = "[unverified] "

SEVERITY_TO_LSP: dict[Severity, types.DiagnosticSeverity] = {
    "critical": types.DiagnosticSeverity.Error,
    "important": types.DiagnosticSeverity.Warning,
    "suggestion": types.DiagnosticSeverity.Information,
}

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

TextLookup = Callable[[str], "list[str] | None"]
"""Repository-relative path → the document's lines (open buffer first, else disk)."""


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them: only CR, LF and CRLF break a line."""
    return _LINE_BREAK.split(text)


def line_range(lines: list[str], span: LineSpan, codec: PositionCodec) -> types.Range:
    """The span from its first non-blank character to the end of its last line, client units."""
    last = max(len(lines) - 1, 0)
    start_line = min(max(span.start, 0), last)
    end_line = min(max(span.end, start_line), last)
    first = lines[start_line] if lines else ""
    indent = len(first) - len(first.lstrip())
    end_text = lines[end_line] if lines else ""
    server_range = ServerTextRange(
        start=ServerTextPosition(start_line, indent if indent < len(first) else 0),
        end=ServerTextPosition(end_line, len(end_text)),
    )
    return codec.range_to_client_units(lines or [""], server_range)


@dataclass(frozen=True)
class DiagnosticContext:
    """What every diagnostic of one review shares."""

    codec: PositionCodec
    uri_for: Callable[[str], str]
    text_for: TextLookup
    review_key: str
    report_href: Callable[[ReconciledFinding], str | None]


def finding_message(finding: Finding, agents: list[str]) -> str:
    """The title followed by who raised it."""
    return f"{finding.title} ({', '.join(agents)})" if agents else finding.title


def reconciled_diagnostic(
    finding: ReconciledFinding, span: LineSpan, lines: list[str], context: DiagnosticContext
) -> types.Diagnostic:
    """One reconciled finding as a diagnostic the code actions and hover can find again."""
    href = context.report_href(finding)
    data: dict[str, Any] = {
        "findingId": finding.id,
        "reviewKey": context.review_key,
        "hasFix": bool(finding.fix),
    }
    message = finding_message(finding, finding.agents)
    note = diagnostic_note(finding)
    if note:
        message += f" — {note}"
        data["prior"] = note
    return types.Diagnostic(
        range=line_range(lines, span, context.codec),
        severity=SEVERITY_TO_LSP[finding.severity],
        code=finding.id,
        code_description=types.CodeDescription(href=href) if href else None,
        source=SOURCE,
        message=message,
        related_information=_related(finding, context) or None,
        data=data,
    )


def preliminary_diagnostic(
    finding: Finding,
    reviewer: str,
    key: str,
    span: LineSpan,
    lines: list[str],
    codec: PositionCodec,
) -> types.Diagnostic:
    """One reviewer's finding before reconciliation, labelled as unverified."""
    return types.Diagnostic(
        range=line_range(lines, span, codec),
        severity=SEVERITY_TO_LSP[finding.severity],
        code=key,
        source=SOURCE,
        message=UNVERIFIED_PREFIX + finding_message(finding, [reviewer]),
        data={"preliminary": True, "reviewer": reviewer, "key": key},
    )


def _related(
    finding: ReconciledFinding, context: DiagnosticContext
) -> list[types.DiagnosticRelatedInformation]:
    related = []
    for location in finding.related:
        lines = context.text_for(location.path) or [""]
        span = LineSpan(location.start_line - 1, location.end_line - 1)
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=context.uri_for(location.path),
                    range=line_range(lines, span, context.codec),
                ),
                message=location.note or "related location",
            )
        )
    return related
