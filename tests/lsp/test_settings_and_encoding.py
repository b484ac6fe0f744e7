"""Editor settings (initializationOptions, workspace/configuration); position encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from tests.lsp.editor import Editor, editor_session
from tests.lsp.project import save_review
from tests.support.gitrepo import GitRepo


def codes(editor: Editor, path: str = "app.py") -> list[str]:
    return sorted(str(d.code) for d in editor.diagnostics(path))


async def ready(editor: Editor) -> None:
    await editor.wait_for(lambda: any(s["state"] == "done" for s in editor.status))


async def test_initialization_options_set_the_minimum_severity(project: GitRepo) -> None:
    save_review(project)
    options = {"deepReview": {"minimumSeverity": "important"}}
    async with editor_session(project.root, "neovim", init_options=options) as editor:
        await ready(editor)
        assert codes(editor) == ["C1", "I1"]
        assert editor.diagnostics("emoji.py") == []


async def test_pushed_configuration_change_hides_suggestions(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await ready(editor)
        assert codes(editor) == ["C1", "I1", "S1"]
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"deepReview": {"minimumSeverity": "critical"}}
            )
        )
        await editor.wait_for(lambda: codes(editor) == ["C1"])
        # emoji.py had only a suggestion: its diagnostics are cleared, not left stale.
        await editor.wait_for(lambda: editor.diagnostics("emoji.py") == [])
        assert editor.status[-1]["counts"] == {"critical": 1, "important": 0, "suggestion": 0}


async def test_configuration_is_pulled_when_the_client_only_signals_a_change(
    project: GitRepo,
) -> None:
    save_review(project)
    configuration = {"deepReview": {"minimumSeverity": "important"}}
    async with editor_session(project.root, "vscode", configuration=configuration) as editor:
        await ready(editor)
        assert codes(editor) == ["C1", "I1"]  # pulled after `initialized`
        editor.client.set_configuration({"deepReview": {"minimumSeverity": "suggestion"}})
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None)
        )
        await editor.wait_for(lambda: codes(editor) == ["C1", "I1", "S1"])


async def test_invalid_settings_are_reported_and_the_previous_kept(project: GitRepo) -> None:
    save_review(project)
    async with editor_session(project.root, "vscode") as editor:
        await ready(editor)
        editor.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(
                settings={"deepReview": {"minimumSeverity": "urgent"}}
            )
        )
        await editor.wait_for(lambda: editor.messages(types.MessageType.Error))
        [message] = editor.messages(types.MessageType.Error)
        assert "Invalid deepReview settings: minimumSeverity" in message
        assert codes(editor) == ["C1", "I1", "S1"]


def _capabilities_with(encodings: list[str]) -> types.ClientCapabilities:
    capabilities = client_capabilities("visual-studio-code")
    capabilities.general = types.GeneralClientCapabilities(
        position_encodings=[types.PositionEncodingKind(e) for e in encodings]
    )
    return capabilities


# `    return "😀 日本 " + name  # 🎉`: 😀 and 🎉 are 2 UTF-16 units / 4 UTF-8 bytes, 日本 are
# 1 UTF-16 unit / 3 UTF-8 bytes each; the line is 30 code points long.
@pytest.mark.parametrize(
    ("offered", "negotiated", "end"),
    [
        (None, "utf-16", 32),
        (["utf-16"], "utf-16", 32),
        (["utf-8", "utf-16"], "utf-8", 40),
        (["utf-32", "utf-16"], "utf-32", 30),
    ],
)
async def test_ranges_use_the_negotiated_position_encoding(
    project: GitRepo, offered: list[str] | None, negotiated: str, end: int
) -> None:
    save_review(project)
    if offered is None:
        capabilities = client_capabilities("visual-studio-code")
    else:
        capabilities = _capabilities_with(offered)
    async with editor_session(project.root, capabilities=capabilities) as editor:
        assert editor.encoding == negotiated
        await ready(editor)
        [label] = editor.diagnostics("emoji.py")
        assert (label.range.start.line, label.range.start.character) == (1, 4)
        assert (label.range.end.line, label.range.end.character) == (1, end)
        # The two-file fix's edit in emoji.py is expressed in the same units.
        result = await editor.command("deepReview.applyFix", "I1")
        assert result == {"applied": True}
        assert (project.root / "emoji.py").read_text().splitlines()[1] == (
            '    return f"😀 日本 {name}"  # 🎉'
        )


async def test_a_folder_outside_git_is_explained_not_crashed(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    async with editor_session(folder, "vscode") as editor:
        await editor.wait_for(lambda: editor.status and editor.status[-1]["state"] == "idle")
        assert await editor.command("deepReview.run") == {"status": "unavailable"}
        [error] = editor.messages(types.MessageType.Error)
        assert "not inside a git repository" in error
