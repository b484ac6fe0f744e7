"""An API key never reaches a log, a report, a cache, the terminal or the editor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, project, submit
from tests.lsp.editor import editor_session
from tests.lsp.test_run import finished
from tests.support.gitrepo import GitRepo

KEY = "sk-ant-api03-LEAKME0123456789abcdefXYZ"


def transcripts() -> dict[str, list[dict[str, object]]]:
    """Endpoints that echo the key in their errors, and a model that echoes it in a finding."""
    return {
        "rejected": [{"status": 401, "message": f"invalid x-api-key: {KEY}"}],
        "broken": [{"status": 500, "message": f"upstream said Bearer {KEY}"}],
        "forbidden": [{"status": 403, "message": f"key {KEY[:24]} is not allowed"}],
        "echo": [submit(finding(body=f"Saw the key {KEY} in the environment."))],
    }


def assert_no_key_under(root: Path) -> None:
    stored = [p for p in (root / ".deep-review").rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        assert KEY[:24] not in path.read_text(errors="replace"), path


def test_the_cli_never_prints_or_stores_the_key(repo: GitRepo) -> None:
    project(repo)
    with ScriptedModelServer(transcripts()) as server:
        configure(repo, server, *transcripts())
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "deep_review",
                "review",
                "--repo",
                str(repo.root),
                "--format",
                "md",
                "--format",
                "html",
                "--format",
                "json",
                "--format",
                "sarif",
            ],
            env={**os.environ, KEY_ENV: KEY},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert "the API key was rejected (HTTP 401" in done.stderr  # the error is still explained
    assert KEY[:24] not in done.stdout + done.stderr
    assert_no_key_under(repo.root)


async def test_the_language_server_never_logs_the_key(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(repo)
    monkeypatch.setenv(KEY_ENV, KEY)
    with ScriptedModelServer(transcripts()) as server:
        configure(repo, server, *transcripts())
        async with editor_session(repo.root) as editor:
            await editor.command("deepReview.run")
            await finished(editor)
            await editor.command("deepReview.generateReport")
            seen = json.dumps(
                {
                    "log": [m.message for m in editor.client.log_messages],
                    "shown": editor.messages(),
                    "status": editor.status,
                    "diagnostics": [d.message for d in editor.diagnostics("app.py")],
                }
            )
    assert "rejected" in seen
    assert KEY[:24] not in seen
    assert_no_key_under(repo.root)


def test_key_echoed_in_the_lead_models_notes_is_cut_from_the_reconciled_review() -> None:
    from datetime import UTC, datetime

    from deep_review.model import AgentRetro, Review, ReviewHeader
    from deep_review.panel.runner import without_keys

    review = Review(
        header=ReviewHeader(date=datetime(2026, 1, 1, tzinfo=UTC)),
        executive_summary=f"The lead saw {KEY} in the environment.",
        retro=[AgentRetro(agent="claude", narrative=f"claude printed {KEY}")],
    )

    scrubbed = without_keys(review, [KEY])

    assert isinstance(scrubbed, Review)
    assert KEY not in scrubbed.model_dump_json()
    assert scrubbed.retro[0].narrative == "claude printed [redacted]"
