"""The editor asks before a repository's own config sends code to its endpoints."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deep_review.panel.scripted import ScriptedModelServer
from tests.lsp.editor import Editor, editor_session
from tests.lsp.panel import SHELL, configure, submit
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.untrusted_workspace


@pytest.fixture
def models() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


async def finished(editor: Editor) -> None:
    await editor.wait_for(lambda: any(s["state"] == "running" for s in editor.status), 30)
    await editor.wait_for(lambda: editor.status[-1]["state"] in ("done", "failed"), 60)


async def test_trusting_in_the_editor_lets_the_review_use_the_repositorys_endpoint(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("claude-script", [submit(SHELL)])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode", answer_questions="Trust") as editor:
        await editor.command("deepReview.run")
        await finished(editor)
        assert len(editor.questions) == 1
        assert models.url in editor.questions[0]
        assert "Trust it as it is now?" in editor.questions[0]
        assert [str(d.code) for d in editor.diagnostics("app.py")] == ["C1"]
    assert len(models.requests) >= 1


async def test_declining_keeps_the_endpoint_out_and_is_not_asked_again(
    project: GitRepo, models: ScriptedModelServer
) -> None:
    models.add_transcript("claude-script", [submit(SHELL)])
    configure(project, models, ("claude", "claude-script"))
    async with editor_session(project.root, "vscode", answer_questions="Not now") as editor:
        for _ in range(2):
            editor.status.clear()
            await editor.command("deepReview.run")
            await finished(editor)
        assert len(editor.questions) == 1
        # Only the offline analyzer ran: nothing from the repository's endpoint.
        messages = [d.message for d in editor.diagnostics("app.py")]
        assert not any("Shell injection" in m for m in messages)
    assert models.requests == []
