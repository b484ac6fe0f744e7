"""Quick fixes for a finding: apply its fix (a WorkspaceEdit), dismiss it, open it in the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from deep_review.fixes.text import PositionEncoding
from deep_review.lsp.command_ids import CommandId
from deep_review.model import ReconciledFinding

if TYPE_CHECKING:
    from deep_review.fixes import TextEdit
    from deep_review.lsp.core import DeepReviewServer


class FixUnavailable(Exception):
    """The fix cannot be turned into an edit now; ``reason`` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _encoding(ls: DeepReviewServer) -> PositionEncoding:
    encoding = ls.workspace.position_encoding
    if encoding == "utf-8":
        return "utf-8"
    if encoding == "utf-32":
        return "utf-32"
    return "utf-16"


def fix_workspace_edit(ls: DeepReviewServer, finding: ReconciledFinding) -> types.WorkspaceEdit:
    """The finding's fix against the current texts (open buffers, else disk), as one edit."""
    from deep_review.fixes import fix_paths, patch_edits
    from deep_review.fixes.errors import FixDoesNotApply

    if not finding.fix:
        raise FixUnavailable(f"{finding.id} has no suggested fix.")
    try:
        # The same question `deep-review apply` asks: every file the fix may touch (its own,
        # the finding's and its related locations'), planned with the finding as the hint.
        files: dict[str, str] = {}
        for path in fix_paths(finding.fix, finding):
            text = ls.text_for(path)
            if text is not None:
                files[path] = text
        edits = patch_edits(files, finding.fix, hint=finding, encoding=_encoding(ls))
    except FixDoesNotApply as error:
        raise FixUnavailable(error.reason) from error
    if not any(edits.values()):
        raise FixUnavailable(f"The fix for {finding.id} changes nothing in the current files.")
    for path in edits:
        if ls.confined(path) is None:
            raise FixUnavailable(f"The fix names {path}, which is outside the repository.")
    return _workspace_edit(ls, edits)


def _lsp_edit(edit: TextEdit) -> types.TextEdit:
    return types.TextEdit(
        range=types.Range(
            start=types.Position(line=edit.start_line, character=edit.start_char),
            end=types.Position(line=edit.end_line, character=edit.end_char),
        ),
        new_text=edit.new_text,
    )


def _workspace_edit(ls: DeepReviewServer, edits: dict[str, list[TextEdit]]) -> types.WorkspaceEdit:
    by_uri = {
        ls.uri_for(path): [_lsp_edit(edit) for edit in file_edits]
        for path, file_edits in sorted(edits.items())
        if file_edits
    }
    if not ls.supports_document_changes:
        return types.WorkspaceEdit(changes=by_uri)
    changes: list[Any] = []
    for uri, text_edits in by_uri.items():
        document = ls.workspace.text_documents.get(uri)
        version = document.version if document is not None else None
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        changes.append(
            types.TextDocumentEdit(
                text_document=identifier,
                edits=text_edits,
            )
        )
    return types.WorkspaceEdit(document_changes=changes)


def _agents(finding: ReconciledFinding) -> str:
    return f" ({', '.join(finding.agents)})" if finding.agents else ""


def actions_for(
    ls: DeepReviewServer, finding: ReconciledFinding, file_diagnostics: list[types.Diagnostic]
) -> list[types.CodeAction]:
    """Apply fix (preferred; disabled with the reason when stale), Dismiss, Open in report."""
    actions: list[types.CodeAction] = []
    diagnostics = [d for d in file_diagnostics if d.code == finding.id]
    if finding.fix:
        title = f"Apply fix {finding.id}{_agents(finding)}"
        try:
            edit = fix_workspace_edit(ls, finding)
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=diagnostics,
                    is_preferred=True,
                    edit=edit,
                )
            )
        except FixUnavailable as unavailable:
            if ls.supports_disabled_actions:
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=diagnostics,
                        disabled=types.CodeActionDisabled(reason=unavailable.reason),
                    )
                )
    actions.append(
        types.CodeAction(
            title=f"Dismiss {finding.id}",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=diagnostics,
            command=types.Command(
                title=f"Dismiss {finding.id}", command=CommandId.DISMISS, arguments=[finding.id]
            ),
        )
    )
    if ls.state.report_html is not None or ls.supports_show_document:
        actions.append(
            types.CodeAction(
                title=f"Open {finding.id} in report",
                command=types.Command(
                    title=f"Open {finding.id} in report",
                    command=CommandId.OPEN_IN_REPORT,
                    arguments=[finding.id],
                ),
            )
        )
    return actions


def code_actions(
    ls: DeepReviewServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    """Actions for every reconciled finding whose range touches the requested range."""
    path = ls.path_for(params.text_document.uri)
    if path is None or ls.state.review is None:
        return None
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    file_diagnostics = ls.diagnostics_by_uri(only_path=path).get(ls.uri_for(path), [])
    for finding in findings_at(ls, path, params.range.start.line, params.range.end.line):
        for action in actions_for(ls, finding, file_diagnostics):
            if wanted and action.kind is not None and not _kind_matches(action.kind, wanted):
                continue
            actions.append(action)
    return actions or None


def _kind_matches(kind: str, wanted: Sequence[str]) -> bool:
    return any(kind == only or kind.startswith(f"{only}.") for only in wanted)


def findings_at(
    ls: DeepReviewServer, path: str, first_line: int, last_line: int
) -> list[ReconciledFinding]:
    """Reconciled, visible findings in ``path`` whose lines overlap ``first_line..last_line``."""
    found = []
    for shown in ls.state.visible(ls.editor.shows):
        reconciled = shown.reconciled
        if reconciled is None or shown.preliminary or reconciled.path != path:
            continue
        lines = ls.lines_for(path) or []
        span = shown.attach(lines).span
        if shown.anchor is not None and shown.anchor.resolved:
            continue
        if span.start <= last_line and first_line <= span.end:
            found.append(reconciled)
    return found
