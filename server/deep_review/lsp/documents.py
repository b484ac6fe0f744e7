"""Document sync: findings follow the text as it is edited, reopened and saved."""

from __future__ import annotations

from lsprotocol import types

from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.tracking import LineEdit
from deep_review.model import Severity


def _line_edits(changes: list[types.TextDocumentContentChangeEvent]) -> list[LineEdit]:
    edits = []
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            edits.append(
                LineEdit(
                    start_line=change.range.start.line,
                    start_character=change.range.start.character,
                    end_line=change.range.end.line,
                    end_character=change.range.end.character,
                    new_text=change.text,
                )
            )
    return edits


def follow_text(ls: DeepReviewServer, path: str, edits: list[LineEdit]) -> None:
    """Move every finding in ``path`` with ``edits``, resolving those whose code is gone."""
    lines = ls.lines_for(path)
    if lines is None:
        return
    for shown in ls.state.all_shown():
        if shown.finding.path == path and shown.anchor is not None:
            shown.anchor.follow(edits, lines)


def recheck_text(ls: DeepReviewServer, path: str) -> None:
    """Check every finding in ``path`` against its whole current text (found code returns)."""
    lines = ls.lines_for(path)
    if lines is None:
        return
    for shown in ls.state.all_shown():
        if shown.finding.path == path and shown.anchor is not None and not shown.fixed:
            shown.anchor.revalidate(lines)


def publish_with_counts(ls: DeepReviewServer, path: str, before: dict[Severity, int]) -> None:
    """Publish ``path``'s diagnostics; tell status bars when the counts moved (a fix landed)."""
    ls.publish_path(path)
    if ls.state.counts(ls.editor.shows) != before:
        ls.send_status()


def did_open(ls: DeepReviewServer, params: types.DidOpenTextDocumentParams) -> None:
    """Check the findings against the buffer just opened (it may differ from disk)."""
    path = ls.path_for(params.text_document.uri)
    if path is not None:
        before = ls.state.counts(ls.editor.shows)
        recheck_text(ls, path)
        publish_with_counts(ls, path, before)


def did_change(ls: DeepReviewServer, params: types.DidChangeTextDocumentParams) -> None:
    """Shift ranges with inserted/deleted lines; drop findings whose code is gone."""
    path = ls.path_for(params.text_document.uri)
    if path is None:
        return
    edits = _line_edits(list(params.content_changes))
    before = ls.state.counts(ls.editor.shows)
    follow_text(ls, path, edits)
    publish_with_counts(ls, path, before)


def did_close(ls: DeepReviewServer, params: types.DidCloseTextDocumentParams) -> None:
    """Back to the file on disk (unsaved edits are gone, and the code they removed is back)."""
    path = ls.path_for(params.text_document.uri)
    if path is not None:
        before = ls.state.counts(ls.editor.shows)
        recheck_text(ls, path)
        publish_with_counts(ls, path, before)


def did_save(ls: DeepReviewServer, params: types.DidSaveTextDocumentParams) -> None:
    """In ``onSave`` run mode, a save schedules a (debounced) review."""
    if ls.editor.run_mode == "onSave" and ls.runner is not None and ls.repo_root is not None:
        ls.runner.schedule_on_save()
