"""Reviews through a real OpenAI-compatible server (llama.cpp + SmolLM2-135M), end to end.

The model is weak: these tests pin the tool's behaviour (requests the server accepts, tool
calls parsed, turns and budgets kept, failures named truthfully, nothing ungrounded in the
final list), never the quality of what the model finds.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import AgentReview, Review
from tests.hostile.scenario import CHANGED, latest_review, project
from tests.local_model.conftest import LocalServer, reviewer_table
from tests.lsp.editor import editor_session
from tests.support.gitrepo import GitRepo

pytestmark = pytest.mark.slow


def use_reviewer(server: LocalServer, **overrides: object) -> None:
    """The user's own config names the local server (as the README's recipe does)."""
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "deep-review" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(reviewer_table(server, **overrides), encoding="utf-8")


def local_review(review: Review) -> AgentReview:
    [local] = [a for a in review.agent_reviews if a.reviewer == "local"]
    return local


def log_size(server: LocalServer) -> int:
    return server.log.stat().st_size


def assert_behaved(review: Review, server: LocalServer, log_from: int) -> None:
    local = local_review(review)
    assert 1 <= local.stats.turns <= 4  # max_turns kept
    # Every request was valid for the server: no server-side traceback, no HTTP error named.
    with server.log.open("rb") as log:
        log.seek(log_from)
        assert b"Traceback" not in log.read()
    if local.status == "completed":
        assert local.summary or local.findings or local.coverage  # never an empty "Approve"
    else:
        assert local.error and "submit_review" in local.error, local.error
        assert "HTTP" not in local.error and "malformed" not in local.error, local.error
    lines = CHANGED.count("\n")
    for finding in review.findings:  # nothing ungrounded reaches the final list
        assert finding.path == "app.py"
        assert 1 <= finding.start_line <= finding.end_line <= lines


async def test_deep_review_review_through_the_real_server(
    repo: GitRepo, llama_server: LocalServer
) -> None:
    project(repo)
    use_reviewer(llama_server)
    log_from = log_size(llama_server)
    argv = ["review", "--repo", str(repo.root), "--no-cache", "--format", "md"]
    code = await asyncio.to_thread(main, argv)
    review = latest_review(repo.root)
    assert_behaved(review, llama_server, log_from)
    assert code == (0 if local_review(review).status == "completed" else 3)


async def test_a_server_that_cannot_stream_tool_calls_is_named_not_retried_blindly(
    repo: GitRepo, llama_server: LocalServer
) -> None:
    project(repo)
    use_reviewer(llama_server, stream=True, max_retries=0)
    await asyncio.to_thread(main, ["review", "--repo", str(repo.root), "--no-cache"])
    local = local_review(latest_review(repo.root))
    assert local.status == "failed"
    assert local.error is not None and "stream = false" in local.error


async def test_an_editor_review_through_the_real_server(
    repo: GitRepo, llama_server: LocalServer
) -> None:
    project(repo)
    use_reviewer(llama_server)
    log_from = log_size(llama_server)
    async with editor_session(repo.root, "vscode") as editor:
        await editor.command("deepReview.run")
        await editor.wait_for(lambda: any(s["state"] == "running" for s in editor.status), 60)
        await editor.wait_for(lambda: editor.status[-1]["state"] in ("done", "failed"), 400)
        assert editor.status[-1]["state"] == "done"
    assert_behaved(latest_review(repo.root), llama_server, log_from)
