"""A saved review shows up at start-up, with hover, code actions and commands over it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from deep_review.store import ReviewStore
from tests.lsp.editor import Editor, editor_session
from tests.lsp.project import APP, APP_WITH_SHELL_FIX, SHELL_FIX, findings, save_review
from tests.support.gitrepo import GitRepo


def by_code(editor: Editor, path: str) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in editor.diagnostics(path)}


async def loaded(editor: Editor) -> None:
    """Wait until the saved review is on screen (status ``done`` follows the publishing)."""
    await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status))


async def test_saved_review_is_published_at_start_up(project: GitRepo, profile: str) -> None:
    save_review(project)
    async with editor_session(project.root, profile) as editor:
        await loaded(editor)
        app = by_code(editor, "app.py")
        assert sorted(app) == ["C1", "I1", "S1"]
        shell = app["C1"]
        assert shell.severity == types.DiagnosticSeverity.Error
        assert app["I1"].severity == types.DiagnosticSeverity.Warning
        assert app["S1"].severity == types.DiagnosticSeverity.Information
        assert shell.source == "deep-review"
        assert shell.message == "Shell injection through run() (claude, codex)"
        # Reported as lines 13-14 (1-based): `def run(cmd):` and `os.system(cmd)`.
        assert (shell.range.start.line, shell.range.end.line) == (12, 13)
        assert shell.range.end.character == len("    os.system(cmd)")
        assert shell.data["findingId"] == "C1"
        assert shell.code_description is not None
        html, anchor = shell.code_description.href.split("#")
        assert anchor == "finding-c1"
        assert html.endswith(".html") and Path(html.removeprefix("file://")).is_file()
        assert shell.related_information is not None
        related = shell.related_information[0]
        assert related.message == "caller"
        assert related.location.uri == editor.uri("app.py")
        assert related.location.range.start.line == 7
        assert [str(d.code) for d in editor.diagnostics("emoji.py")] == ["S2"]
        assert editor.status[-1]["counts"] == {"critical": 1, "important": 1, "suggestion": 2}


async def test_no_saved_review_for_a_moved_change(project: GitRepo) -> None:
    save_review(project)
    project.write("app.py", APP + "\n\ndef more():\n    pass\n")
    async with editor_session(project.root) as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "idle")
        assert editor.client.diagnostics == {}
        assert any("no saved review" in m.message for m in editor.client.log_messages)


async def test_hover_shows_the_whole_finding(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "neovim") as editor:
        await loaded(editor)
        hover = await editor.hover("app.py", 8)
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        text = hover.contents.value
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert "### I1 · File handle never closed" in text
        assert "The handle leaks until garbage collection." in text
        assert "data = open(path).read()" in text
        assert "```diff" in text and "+    with open(path) as handle:" in text
        assert "**Raised by** codex" in text
        assert hover.range is not None and hover.range.start.line == 8
        assert await editor.hover("app.py", 1) is None


async def test_code_actions_offer_fix_dismiss_and_report(project: GitRepo, profile: str) -> None:
    save_review(project)
    async with editor_session(project.root, profile) as editor:
        await loaded(editor)
        actions = await editor.code_actions("app.py", 13)
        titles = [action.title for action in actions]
        assert titles == ["Apply fix C1 (claude, codex)", "Dismiss C1", "Open C1 in report"]
        fix = actions[0]
        assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
        assert fix.diagnostics and fix.diagnostics[0].code == "C1"
        assert fix.edit is not None
        suggestion_actions = await editor.code_actions("app.py", 4)
        assert [a.title for a in suggestion_actions] == ["Dismiss S1", "Open S1 in report"]


async def test_quick_fix_edit_round_trip(project: GitRepo, profile: str) -> None:
    save_review(project)
    async with editor_session(project.root, profile) as editor:
        await loaded(editor)
        editor.open("app.py")
        fix = (await editor.code_actions("app.py", 13))[0]
        assert fix.edit is not None
        editor.apply_workspace_edit(fix.edit)
        assert (project.root / "app.py").read_text() == APP_WITH_SHELL_FIX
        # The evidence is gone from the buffer: the finding is resolved, its diagnostic removed.
        await editor.wait_for(lambda: "C1" not in by_code(editor, "app.py"))
        assert sorted(by_code(editor, "app.py")) == ["I1", "S1"]


async def test_apply_fix_command_sends_a_multi_file_edit(project: GitRepo, profile: str) -> None:
    save_review(project)
    async with editor_session(project.root, profile) as editor:
        await loaded(editor)
        result = await editor.command("deepReview.applyFix", "i1")
        assert result == {"applied": True}
        app = (project.root / "app.py").read_text()
        assert "    with open(path) as handle:\n        data = handle.read()\n" in app
        assert (project.root / "emoji.py").read_text() == (
            'def label(name):\n    return f"😀 日本 {name}"  # 🎉\n'
        )
        edit = editor.applied_edits[-1]
        uris = (
            {change.text_document.uri for change in edit.document_changes or []}  # type: ignore[union-attr]
            if profile == "vscode"
            else set(edit.changes or {})
        )
        assert uris == {editor.uri("app.py"), editor.uri("emoji.py")}
        await editor.wait_for(lambda: "I1" not in by_code(editor, "app.py"))


async def test_a_fix_that_no_longer_applies_is_disabled_and_refused(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await loaded(editor)
        editor.open("app.py")
        # The user rewrites the function header the fix quotes as context; the evidence stays.
        editor.edit(
            "app.py",
            types.Range(
                start=types.Position(line=12, character=0),
                end=types.Position(line=12, character=13),
            ),
            "def run(command_line, cmd=None):",
        )
        actions = await editor.code_actions("app.py", 13)
        fix = actions[0]
        assert fix.title == "Apply fix C1 (claude, codex)"
        assert fix.edit is None and fix.disabled is not None and fix.disabled.reason
        result = await editor.command("deepReview.applyFix", "C1")
        assert result["applied"] is False
        warnings = editor.messages(types.MessageType.Warning)
        assert any("fix for C1 no longer applies" in message for message in warnings)
        assert editor.applied_edits == []


async def test_show_finding_reveals_its_location(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "neovim") as editor:
        await loaded(editor)
        result = await editor.command("deepReview.showFinding", "I1")
        assert result["shown"] is True
        shown = editor.client.shown_documents[-1]
        assert shown.uri == editor.uri("app.py")
        assert shown.selection is not None and shown.selection.start.line == 8
        assert not shown.external


async def test_generate_report_writes_and_opens_it(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await loaded(editor)
        paths = await editor.command("deepReview.generateReport")
        html, markdown = Path(paths["html"]), Path(paths["md"])
        assert "Shell injection through run()" in markdown.read_text()
        assert 'id="finding-c1"' in html.read_text()
        shown = editor.client.shown_documents[-1]
        assert shown.uri == html.as_uri() and shown.external


async def test_dismiss_hides_the_finding_now_and_after_a_restart(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root) as editor:
        await loaded(editor)
        assert await editor.command("deepReview.dismiss", "S1") == {"dismissed": "S1"}
        await editor.wait_for(lambda: "S1" not in by_code(editor, "app.py"))
        assert sorted(by_code(editor, "app.py")) == ["C1", "I1"]
    assert [d.finding_id for d in ReviewStore(project.root).dismissals()] == ["S1"]
    async with editor_session(project.root) as editor:
        await loaded(editor)
        assert sorted(by_code(editor, "app.py")) == ["C1", "I1"]


async def test_unknown_finding_is_a_clear_error(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root) as editor:
        await loaded(editor)
        with pytest.raises(JsonRpcException, match="no finding X9 in the current review"):
            await editor.command("deepReview.showFinding", "X9")


async def test_shutdown_with_a_command_in_flight_exits_cleanly(project: GitRepo) -> None:
    # pygls #606: shutdown while an executeCommand awaits the client used to fail with
    # "dictionary changed size during iteration".
    save_review(project)
    gate = asyncio.Event()
    async with editor_session(project.root, apply_edit_gate=gate) as editor:
        await loaded(editor)
        pending = asyncio.ensure_future(editor.command("deepReview.applyFix", "C1"))
        await editor.wait_for(lambda: editor.edit_requests == 1)
        await editor.client.shutdown_async(None)  # answered, not an internal error
        with pytest.raises(JsonRpcException, match="canceled"):
            await pending
        gate.set()
        editor.client.exit(None)
        server = editor.client._server
        assert server is not None and await asyncio.wait_for(server.wait(), 15) == 0
        editor.client.capabilities = None  # already shut down: the session must not repeat it


async def test_open_in_report_shows_the_findings_section(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await loaded(editor)
        result = await editor.command("deepReview.openInReport", {"findingId": "I1"})
        assert result["shown"] is True and result["uri"].endswith(".html#finding-i1")
        shown = editor.client.shown_documents[-1]
        assert shown.uri == result["uri"] and shown.external


async def test_a_review_saved_from_the_command_line_is_picked_up(project: GitRepo) -> None:
    async with editor_session(project.root, "vscode") as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "idle")
        await editor.wait_for(lambda: editor.registrations)
        [registration] = editor.registrations
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        save_review(project)  # what `deep-review review` in a terminal does
        [cached] = (project.root / ".deep-review" / "cache").glob("*.json")
        editor.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=cached.as_uri(), type=types.FileChangeType.Created)]
            )
        )
        await loaded(editor)
        assert sorted(by_code(editor, "app.py")) == ["C1", "I1", "S1"]


async def test_a_fix_that_would_break_the_syntax_is_disabled_with_the_line(
    project: GitRepo,
) -> None:
    broken = findings()
    broken[0] = broken[0].model_copy(update={"fix": SHELL_FIX.replace("check=True)", "check=True")})
    save_review(project, broken)
    async with editor_session(project.root, "vscode") as editor:
        await loaded(editor)
        editor.open("app.py")
        actions = await editor.code_actions("app.py", 13)
        fix = actions[0]
        assert fix.title.startswith("Apply fix C1")
        assert fix.edit is None and fix.disabled is not None
        assert "would break the syntax of app.py at line" in fix.disabled.reason


async def test_a_headerless_fix_for_a_related_file_is_offered_in_the_editor_as_in_the_cli(
    project: GitRepo,
) -> None:
    # The quick fix once gathered files with its own rules and left out related locations:
    # the CLI applied this fix, the editor called it stale.
    from deep_review.model import RelatedLocation

    fix = (
        "```diff\n def run(cmd):\n-    os.system(cmd)\n+    os.system(shlex.quote(cmd))\n```\n"
        "```diff\n def label(name):\n"
        '-    return "😀 日本 " + name  # 🎉\n+    return f"😀 日本 {name}"  # 🎉\n```\n'
    )
    spanning = findings()
    spanning[0] = spanning[0].model_copy(
        update={
            "fix": fix,
            "related": [RelatedLocation(path="emoji.py", start_line=1, end_line=2, note="same")],
        }
    )
    save_review(project, spanning)
    async with editor_session(project.root, "vscode") as editor:
        await loaded(editor)
        editor.open("app.py")
        actions = await editor.code_actions("app.py", 13)
        fix_action = actions[0]
        assert fix_action.title.startswith("Apply fix C1")
        assert fix_action.disabled is None and fix_action.edit is not None
        changes = fix_action.edit.document_changes or []
        uris = {change.text_document.uri for change in changes}  # type: ignore[union-attr]
        assert uris == {editor.uri("app.py"), editor.uri("emoji.py")}
