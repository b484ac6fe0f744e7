"""deepReview.run end to end against the scripted model server: stream, reconcile, fix, cache."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from lsprotocol import types

from deep_review.panel.scripted import ScriptedModelServer
from deep_review.store import ReviewStore
from tests.lsp.editor import Editor, editor_session
from tests.lsp.panel import FSTRING, LEAK, SHELL, configure, submit
from tests.lsp.project import APP_WITH_SHELL_FIX, save_review
from tests.support.gitrepo import GitRepo


@pytest.fixture
def models() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


async def finished(editor: Editor) -> None:
    """Wait for the run to end (done or failed)."""
    await editor.wait_for(lambda: any(s["state"] == "running" for s in editor.status), 30)
    await editor.wait_for(lambda: editor.status[-1]["state"] in ("done", "failed"), 60)


def messages_in(editor: Editor, path: str) -> list[str]:
    return sorted(d.message for d in editor.diagnostics(path))


async def test_run_streams_then_reconciles_then_fixes(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    # codex answers at once; claude reads a file and answers a second later, so codex's
    # findings are on screen (unverified) before reconciliation replaces them.
    models.add_transcript("codex-script", [submit(SHELL, LEAK)])
    models.add_transcript(
        "claude-script",
        [{"tool": "read_file", "input": {"path": "app.py"}}, submit(SHELL, FSTRING, delay_s=1.5)],
    )
    configure(project, models, ("claude", "claude-script"), ("codex", "codex-script"))
    async with editor_session(project.root, "vscode") as editor:
        assert await editor.command("deepReview.run") == {"status": "queued"}
        await editor.wait_for(
            lambda: any(m.startswith("[unverified] ") for m in messages_in(editor, "app.py"))
        )
        assert messages_in(editor, "app.py") == [
            "[unverified] File handle never closed (codex)",
            "[unverified] Shell injection through run() (codex)",
        ]
        await finished(editor)
        assert editor.status[-1]["state"] == "done"
        final = {str(d.code): d for d in editor.diagnostics("app.py")}
        assert final["C1"].message == "Shell injection through run() (claude, codex)"
        assert final["C1"].severity == types.DiagnosticSeverity.Error
        assert not any(d.message.startswith("[unverified]") for d in final.values())
        assert sorted(final) == ["C1", "I1", "S1"]

        # Progress: created by the server, cancellable, per-reviewer reports, always ended.
        [reports] = [r for r in editor.client.progress_reports.values() if r]
        assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        assert reports[-1].message == "Review done: 1 critical, 1 important, 1 suggestion."
        texts = [r.message or "" for r in reports if isinstance(r, types.WorkDoneProgressReport)]
        assert any("codex: done, 2 findings" in text for text in texts)
        assert any("claude: 1 tool call," in text for text in texts)
        reviewers = {r["name"]: r for r in editor.status[-1]["reviewers"]}
        assert reviewers["claude"]["toolCalls"] == 1 and reviewers["claude"]["state"] == "done"

        # The reconciled finding's quick fix, applied by the editor, changes the file.
        editor.open("app.py")
        fix = (await editor.code_actions("app.py", 13))[0]
        assert fix.title == "Apply fix C1 (claude, codex)" and fix.edit is not None
        editor.apply_workspace_edit(fix.edit)
        assert (project.root / "app.py").read_text() == APP_WITH_SHELL_FIX
        await editor.wait_for(
            lambda: "C1" not in {str(d.code) for d in editor.diagnostics("app.py")}
        )


async def test_restart_loads_the_review_from_cache_without_model_calls(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(SHELL)])
    configure(project, models, ("codex", "codex-script"))
    async with editor_session(project.root, "neovim") as editor:
        await editor.command("deepReview.run")
        await finished(editor)
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]
    requests = len(models.requests)
    assert requests > 0
    async with editor_session(project.root, "neovim") as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "done")
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]
    assert len(models.requests) == requests


async def test_cancel_stops_the_review_and_saves_nothing(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(LEAK)])
    models.add_transcript("claude-script", [{"hang": True}])
    configure(project, models, ("claude", "claude-script"), ("codex", "codex-script"))
    async with editor_session(project.root, "vscode") as editor:
        await editor.command("deepReview.run")
        await editor.wait_for(
            lambda: any(m.startswith("[unverified] ") for m in messages_in(editor, "app.py"))
        )
        assert await editor.command("deepReview.cancel") == {"status": "cancelled"}
        assert editor.status[-1]["state"] == "idle"
        # The unverified findings of an unfinished run go away; nothing was saved.
        await editor.wait_for(lambda: not editor.diagnostics("app.py"))
        [reports] = [r for r in editor.client.progress_reports.values() if r]
        assert isinstance(reports[-1], types.WorkDoneProgressEnd)
        assert reports[-1].message == "Review cancelled."
        assert ReviewStore(project.root).latest_review() is None
        # The user stopped it: no warning that a reviewer "failed: cancelled".
        assert not [m for m in editor.messages(types.MessageType.Warning) if "failed" in m]
        assert await editor.command("deepReview.cancel") == {"status": "idle"}


async def test_cancel_from_the_progress_notification(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("claude-script", [{"hang": True}])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode") as editor:
        await editor.command("deepReview.run")
        await editor.wait_for(lambda: any(editor.client.progress_reports.values()))
        [token] = list(editor.client.progress_reports)
        await editor.wait_for(lambda: models.requests)
        editor.client.window_work_done_progress_cancel(
            types.WorkDoneProgressCancelParams(token=token)
        )
        await editor.wait_for(
            lambda: isinstance(editor.client.progress_reports[token][-1], types.WorkDoneProgressEnd)
        )
        await editor.wait_for(lambda: editor.status[-1]["state"] == "idle")
        assert ReviewStore(project.root).latest_review() is None


async def test_a_failing_reviewer_leaves_the_others_on_screen(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(SHELL)])
    models.add_transcript("gemini-script", [{"status": 500, "message": "model overloaded"}])
    configure(project, models, ("codex", "codex-script"), ("gemini", "gemini-script"))
    async with editor_session(project.root, "neovim") as editor:
        await editor.command("deepReview.run")
        await finished(editor)
        assert editor.status[-1]["state"] == "done"
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]
        warnings = editor.messages(types.MessageType.Warning)
        assert any("reviewer gemini failed" in message for message in warnings)
        reviewers = {r["name"]: r["state"] for r in editor.status[-1]["reviewers"]}
        assert reviewers == {"codex": "done", "gemini": "failed"}


async def test_a_second_run_while_one_runs_is_refused(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("claude-script", [{"hang": True}])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode") as editor:
        assert await editor.command("deepReview.run") == {"status": "queued"}
        assert await editor.command("deepReview.run") == {"status": "already-running"}
        assert any("already running" in m for m in editor.messages(types.MessageType.Info))
        assert await editor.command("deepReview.cancel") == {"status": "cancelled"}


async def test_shutdown_during_a_run_exits_cleanly(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    # The review task is cancelled on shutdown; the server exits 0 (shutdown was answered).
    models.add_transcript("claude-script", [{"hang": True}])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode") as editor:
        await editor.command("deepReview.run")
        await editor.wait_for(lambda: models.requests)
        server = editor.client._server
    assert server is not None and server.returncode == 0
    assert ReviewStore(project.root).latest_review() is None


async def test_on_save_mode_reviews_after_a_save(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(SHELL)])
    configure(project, models, ("codex", "codex-script"))
    options = {"deepReview": {"runMode": "onSave", "debounceMs": 50}}
    async with editor_session(project.root, "neovim", init_options=options) as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "idle")
        assert models.requests == []
        editor.open("app.py")
        editor.save("app.py")
        await finished(editor)
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]


async def test_a_dismissed_finding_stays_hidden_in_the_next_round(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(SHELL, FSTRING)])
    configure(project, models, ("codex", "codex-script"))
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "done")
        await editor.command("deepReview.dismiss", "S1")
        await editor.wait_for(
            lambda: "S1" not in {str(d.code) for d in editor.diagnostics("app.py")}
        )
        editor.status.clear()
        assert await editor.command("deepReview.run", {"useCache": False}) == {"status": "queued"}
        await finished(editor)
        # Round 2 of the branch: the saved review was round 1. Its C1 is raised again; its I1,
        # still in the code though no reviewer repeated it, is carried over; S1 stays dismissed.
        assert sorted(d.message for d in editor.diagnostics("app.py")) == [
            "File handle never closed — round 1 I1, unaddressed",
            "Shell injection through run() (codex) — round 1 C1, unaddressed",
        ]
        assert editor.status[-1]["counts"] == {"critical": 1, "important": 1, "suggestion": 1}


async def test_reviewers_named_in_the_settings_are_the_only_ones_run(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    # The VS Code extension sends `reviewers` as a list of names.
    models.add_transcript("codex-script", [submit(LEAK)])
    models.add_transcript("claude-script", [submit(SHELL)])
    configure(project, models, ("claude", "claude-script"), ("codex", "codex-script"))
    options = {"deepReview": {"reviewers": ["codex"], "baseRef": ""}}
    async with editor_session(project.root, "vscode", init_options=options) as editor:
        await editor.command("deepReview.run")
        await finished(editor)
        assert [d.message for d in editor.diagnostics("app.py")] == [
            "File handle never closed (codex)"
        ]
    assert {request.model for request in models.requests} == {"codex-script"}


async def test_exit_without_shutdown_during_a_run_writes_nothing_after_exit(
    project: GitRepo, models: ScriptedModelServer, capfd: pytest.CaptureFixture[str]
) -> None:
    # The cancelled run's clean-up publishes and reports; after `exit` those writes must be
    # dropped, not turned into error reports that fail to write in turn.
    models.add_transcript("claude-script", [{"hang": True}])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode") as editor:
        await editor.command("deepReview.run")
        await editor.wait_for(lambda: models.requests)
        editor.client.exit(None)
        server = editor.client._server
        assert server is not None
        assert await asyncio.wait_for(server.wait(), 15) == 1  # exit before shutdown: 1
        editor.client.capabilities = None  # gone: nothing to shut down
    errors = capfd.readouterr().err
    assert "Error sending data" not in errors and "Failed to report error" not in errors
    assert ReviewStore(project.root).latest_review() is None


async def test_a_minimal_client_gets_no_progress_but_the_same_results(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("codex-script", [submit(SHELL)])
    configure(project, models, ("codex", "codex-script"))
    bare = types.ClientCapabilities()
    async with editor_session(project.root, capabilities=bare) as editor:
        await editor.command("deepReview.run")
        await finished(editor)
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]
        assert editor.client.progress_reports == {}
        # No showDocument support: the location is returned instead of shown.
        result = await editor.command("deepReview.showFinding", "C1")
        assert result["shown"] is False and result["uri"] == editor.uri("app.py")
        assert editor.client.shown_documents == []


async def test_a_broken_repository_config_fails_clearly_and_keeps_the_review(
    project: GitRepo,
) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "done")
        before = sorted(str(d.code) for d in editor.diagnostics("app.py"))
        (project.root / ".deep-review.toml").write_text('[[reviewers]]\nname = "x"\nmodle = 1\n')
        await editor.command("deepReview.run", {"useCache": False})
        await finished(editor)
        assert editor.status[-1]["state"] == "failed"
        [error] = editor.messages(types.MessageType.Error)
        assert error.startswith("Deep Review: ") and ".deep-review.toml" in error
        assert sorted(str(d.code) for d in editor.diagnostics("app.py")) == before
