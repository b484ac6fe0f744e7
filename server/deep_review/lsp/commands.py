"""``workspace/executeCommand`` handlers: run, cancel, report, apply, dismiss, show."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest

from deep_review.lsp.code_actions import FixUnavailable, fix_workspace_edit
from deep_review.lsp.command_ids import CommandId
from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.diagnostics import line_range
from deep_review.model import ReconciledFinding, Review

READY_TIMEOUT_S = 30.0


async def _ready(ls: DeepReviewServer) -> None:
    """Commands sent right after ``initialize`` wait for the repository to be found."""
    try:
        await asyncio.wait_for(ls.ready.wait(), READY_TIMEOUT_S)
    except TimeoutError:
        raise JsonRpcInvalidRequest("Deep Review is still starting; try again.") from None


def _finding_id(args: tuple[Any, ...]) -> str:
    """The finding ID from ``["I2"]`` or ``[{"findingId": "I2"}]`` (a diagnostic's data)."""
    if args:
        first = args[0]
        if isinstance(first, str) and first.strip():
            return first.strip()
        if isinstance(first, dict):
            for key in ("findingId", "id"):
                value = first.get(key)
                if isinstance(value, str) and value.strip():
                    return value.strip()
    raise JsonRpcInvalidParams('Pass a finding ID, for example ["I2"].')


def _current_review(ls: DeepReviewServer) -> Review:
    if ls.state.review is None:
        raise JsonRpcInvalidRequest("There is no review yet: run deepReview.run first.")
    return ls.state.review


def _finding(ls: DeepReviewServer, args: tuple[Any, ...]) -> ReconciledFinding:
    review = _current_review(ls)
    finding_id = _finding_id(args)
    shown = ls.state.finding(finding_id)
    finding = shown.reconciled if shown is not None else review.finding(finding_id)
    if finding is None:
        raise JsonRpcInvalidParams(f"There is no finding {finding_id} in the current review.")
    return finding


def _options(args: tuple[Any, ...]) -> dict[str, Any]:
    return args[0] if args and isinstance(args[0], dict) else {}


async def run(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Queue a review of the branch; answers at once. ``[{"useCache": false}]`` forces a run."""
    await _ready(ls)
    use_cache = _options(args).get("useCache", True) is not False
    runner = ls.runner
    if runner is None or ls.repo_root is None:
        ls.show_message(
            "Deep Review: the workspace is not inside a git repository.", types.MessageType.Error
        )
        return {"status": "unavailable"}
    if not runner.start(use_cache=use_cache):
        ls.show_message(
            "Deep Review: a review is already running; cancel it first to start another.",
            types.MessageType.Info,
        )
        return {"status": "already-running"}
    return {"status": "queued"}


async def cancel(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Stop the running review; answers once it has stopped (within a second or so)."""
    await _ready(ls)
    runner = ls.runner
    if runner is None or not runner.cancel():
        return {"status": "idle"}
    await runner.wait()
    return {"status": "cancelled"}


async def generate_report(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Write the current review as Markdown and HTML; ask the editor to open the HTML."""
    await _ready(ls)
    review = _current_review(ls)
    paths = await asyncio.to_thread(_write_reports, ls, review)
    ls.state.report_html = paths.get("html", ls.state.report_html)
    ls.publish()
    html, markdown = paths.get("html"), paths.get("md")
    if ls.supports_show_document:
        shown = False
        if html is not None:
            shown = await _show(ls, html.as_uri(), external=True)
        if not shown and markdown is not None:
            await _show(ls, markdown.as_uri(), external=False)
    return {kind: str(path) for kind, path in paths.items()}


def _write_reports(ls: DeepReviewServer, review: Review) -> dict[str, Path]:
    from deep_review.lsp.reports import write_review_reports

    store = ls.store
    if store is None:
        raise JsonRpcInvalidRequest("The workspace is not inside a git repository.")
    return write_review_reports(store, review)


async def _show(
    ls: DeepReviewServer,
    uri: str,
    *,
    external: bool,
    selection: types.Range | None = None,
) -> bool:
    result = await ls.window_show_document_async(
        types.ShowDocumentParams(
            uri=uri, external=external or None, take_focus=True, selection=selection
        )
    )
    return bool(result and result.success)


async def apply_fix(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Send the finding's fix as ``workspace/applyEdit``; refuse when it no longer applies."""
    await _ready(ls)
    finding = _finding(ls, args)
    try:
        edit = fix_workspace_edit(ls, finding)
    except FixUnavailable as unavailable:
        ls.show_message(
            f"Deep Review: the fix for {finding.id} no longer applies: {unavailable.reason}",
            types.MessageType.Warning,
        )
        return {"applied": False, "reason": unavailable.reason}
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"Apply fix {finding.id}")
    )
    if not result.applied:
        reason = result.failure_reason or "the editor did not apply the edit"
        ls.show_message(f"Deep Review: fix {finding.id} not applied: {reason}")
        return {"applied": False, "reason": reason}
    shown = ls.state.finding(finding.id)
    if shown is not None:
        shown.fixed = True
        if shown.anchor is not None:
            shown.anchor.resolved = True
    ls.publish()
    ls.send_status()
    return {"applied": True}


async def dismiss(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Hide the finding now and in later rounds (persisted in ``.deep-review/``).

    ``{"findingId": "I2", "reason": "..."}`` records why; later reports list it with the reason.
    """
    await _ready(ls)
    finding = _finding(ls, args)
    reason = str(_options(args).get("reason") or "")
    store = ls.store
    if store is not None:
        await asyncio.to_thread(store.dismiss, finding, reason)
    ls.state.dismissed.add(finding.id.upper())
    ls.publish()
    ls.send_status()
    return {"dismissed": finding.id}


async def show_finding(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Reveal the finding's current location in the editor."""
    await _ready(ls)
    finding = _finding(ls, args)
    shown = ls.state.finding(finding.id)
    lines = ls.lines_for(finding.path) or []
    span = shown.attach(lines).span if shown is not None else None
    if span is None:
        from deep_review.lsp.tracking import LineSpan

        span = LineSpan(finding.start_line - 1, finding.end_line - 1)
    selection = line_range(lines, span, ls.codec)
    uri = ls.uri_for(finding.path)
    if not ls.supports_show_document:
        return {"uri": uri, "range": _range_json(selection), "shown": False}
    shown_ok = await _show(ls, uri, external=False, selection=selection)
    return {"uri": uri, "range": _range_json(selection), "shown": shown_ok}


async def open_in_report(ls: DeepReviewServer, *args: Any) -> dict[str, Any]:
    """Open the HTML report at the finding's section (writing the report if needed)."""
    await _ready(ls)
    finding = _finding(ls, args)
    if ls.state.report_html is None or not ls.state.report_html.exists():
        await generate_report_quietly(ls)
    href = ls.report_href(finding)
    if href is None:
        return {"shown": False}
    shown = await _show(ls, href, external=True) if ls.supports_show_document else False
    return {"uri": href, "shown": shown}


async def generate_report_quietly(ls: DeepReviewServer) -> None:
    """Write the report without opening it (for links into it)."""
    review = _current_review(ls)
    paths = await asyncio.to_thread(_write_reports, ls, review)
    ls.state.report_html = paths.get("html", ls.state.report_html)


def _range_json(selection: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": selection.start.line, "character": selection.start.character},
        "end": {"line": selection.end.line, "character": selection.end.character},
    }


COMMANDS = {
    CommandId.RUN: run,
    CommandId.CANCEL: cancel,
    CommandId.GENERATE_REPORT: generate_report,
    CommandId.APPLY_FIX: apply_fix,
    CommandId.DISMISS: dismiss,
    CommandId.SHOW_FINDING: show_finding,
    CommandId.OPEN_IN_REPORT: open_in_report,
}
