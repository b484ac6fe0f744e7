"""The whole finding as Markdown, for hovers on its diagnostic range."""

from __future__ import annotations

from lsprotocol import types

from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.diagnostics import line_range
from deep_review.lsp.rounds_view import history_markdown
from deep_review.lsp.tracking import LineSpan
from deep_review.model import Finding, ReconciledFinding
from deep_review.report import escape


def _fence(text: str, language: str) -> str:
    # A fence longer than any backtick run inside keeps quoted code from closing it early.
    longest = max((len(run) for run in text.split("\n") if set(run) == {"`"}), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text.rstrip()}\n{ticks}"


def finding_markdown(finding: Finding, *, reviewer: str | None = None) -> str:
    """Title, severity, explanation, evidence, fix, verification and who raised it."""
    if isinstance(finding, ReconciledFinding):
        heading = f"### {finding.id} · {escape.inline(finding.title)}"
        where = finding.location_label
    else:
        heading = f"### [unverified] {escape.inline(finding.title)}"
        where = f"{finding.path}:{finding.start_line}-{finding.end_line}"
    parts = [heading, f"**{finding.severity}** · {finding.category} · `{where}`"]
    if finding.body:
        parts.append(escape.block(finding.body))  # model-written: no HTML, no images
    if finding.evidence:
        parts.append("**Evidence**\n\n" + _fence(finding.evidence, ""))
    if finding.fix:
        parts.append("**Suggested fix**\n\n" + _fence(finding.fix, "diff"))
    if isinstance(finding, ReconciledFinding):
        parts.extend(_reconciled_details(finding))
    elif reviewer:
        parts.append(f"**Raised by** {reviewer} (not yet reconciled or verified)")
    for related in finding.related:
        note = f" — {related.note}" if related.note else ""
        parts.append(f"*Related:* `{related.path}:{related.start_line}`{note}")
    return "\n\n".join(parts)


def _reconciled_details(finding: ReconciledFinding) -> list[str]:
    details = []
    verification = finding.verification
    line = f"**Verification** {verification.status}"
    if verification.verifier:
        line += f" by {verification.verifier}"
    if verification.note:
        line += f": {verification.note}"
    details.append(line)
    if finding.fix_status:
        reason = f" ({finding.fix_status_reason})" if finding.fix_status_reason else ""
        details.append(f"**Fix status** {finding.fix_status}{reason}")
    if finding.agents:
        details.append(f"**Raised by** {', '.join(finding.agents)}")
    return details


def hover(ls: DeepReviewServer, params: types.HoverParams) -> types.Hover | None:
    """The findings under the cursor, in full."""
    path = ls.path_for(params.text_document.uri)
    if path is None:
        return None
    lines = ls.lines_for(path) or []
    line = params.position.line
    parts: list[str] = []
    first_span: LineSpan | None = None
    for shown in ls.state.visible(ls.editor.shows):
        if shown.finding.path != path:
            continue
        anchor = shown.attach(lines)
        if anchor.resolved or not anchor.span.start <= line <= anchor.span.end:
            continue
        first_span = first_span or anchor.span
        parts.append(finding_markdown(shown.finding, reviewer=shown.reviewer))
        if isinstance(shown.finding, ReconciledFinding):
            history = history_markdown(ls, shown.finding)
            if history:
                parts[-1] += "\n\n" + history
    if not parts or first_span is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)
        ),
        range=line_range(lines, first_span, ls.codec),
    )
