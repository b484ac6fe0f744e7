"""A reviewer that tries to read, list, search or run its way out of the repository."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import CHANGED, KEY_ENV, configure, finding, project, submit
from tests.support.gitrepo import GitRepo

HIDDEN = "HIDDEN_TOKEN_5c1d"

ESCAPES: list[tuple[str, dict[str, Any]]] = [
    ("read_file", {"path": "../outside/secret.txt"}),
    ("read_file", {"path": "{outside}/secret.txt"}),
    ("read_file", {"path": "link.txt"}),
    ("read_file", {"path": "linkdir/secret.txt"}),
    ("read_file", {"path": ".git/config"}),
    ("read_file", {"path": "~/secret.txt"}),
    ("read_file", {"path": "app.py\u0000../../outside/secret.txt"}),
    ("show_base", {"path": "../outside/secret.txt"}),
    ("git_blame", {"path": "link.txt", "start_line": 1, "end_line": 1}),
    ("git_log", {"path": "../outside"}),
    ("diff", {"path": "../outside/secret.txt"}),
    ("list_files", {"glob": "../**"}),
    ("list_files", {"glob": "linkdir/**"}),
    ("grep", {"pattern": "HIDDEN_TOKEN"}),
    ("grep", {"pattern": "HIDDEN_TOKEN", "glob": "../**"}),
    ("grep", {"pattern": "HIDDEN_TOKEN", "glob": "linkdir/*"}),
    ("run_command", {"command": "git -c core.pager='touch pwned' status"}),
    ("run_command", {"command": "touch pwned"}),
    ("run_command", {"command": "git log --output=app.py"}),
    ("run_command", {"command": "git log -p --output app.py"}),
    ("run_command", {"command": "git status /etc"}),
]
# No shell runs the command: these metacharacters reach git as (harmless) pathspecs.
NO_SHELL: list[tuple[str, dict[str, Any]]] = [
    ("run_command", {"command": "git status; touch pwned"}),
    ("run_command", {"command": "git status && touch pwned"}),
    ("run_command", {"command": "git status $(touch pwned)"}),
]


def test_every_escape_is_refused_and_nothing_outside_is_read_or_written(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(HIDDEN + "\n")
    project(repo)
    os.symlink(outside / "secret.txt", repo.root / "link.txt")
    os.symlink(outside, repo.root / "linkdir")
    repo.commit("symlinks out")
    calls = [
        {"tool": tool, "input": json.loads(json.dumps(args).replace("{outside}", str(outside)))}
        for tool, args in ESCAPES + NO_SHELL
    ]
    with ScriptedModelServer({"mallory": [{"calls": calls}, submit(finding())]}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(repo, server, "mallory", commit=False)
        with (repo.root / ".deep-review.toml").open("a") as config:
            config.write('\n[commands]\nallow = ["git status", "git log"]\n')
        assert main(["review", "--repo", str(repo.root)]) == 0
        answer = server.requests[-1].body["messages"][-1]["content"]

    results = {item["tool_use_id"]: item for item in answer if item["type"] == "tool_result"}
    assert len(results) == len(ESCAPES) + len(NO_SHELL)
    attempts = zip(ESCAPES + NO_SHELL, results.values(), strict=True)
    for index, ((tool, args), result) in enumerate(attempts):
        text = result["content"] if isinstance(result["content"], str) else str(result["content"])
        assert HIDDEN not in text, (tool, args)
        if index < len(ESCAPES) and tool not in ("grep", "list_files", "git_log"):
            assert result.get("is_error") is True, (tool, args, text)
    assert (repo.root / "app.py").read_text() == CHANGED
    assert not list(repo.root.rglob("pwned")) and not list(tmp_path.rglob("pwned"))
    assert not Path.cwd().joinpath("pwned").exists()
    for stored in (repo.root / ".deep-review").rglob("*"):
        assert not stored.is_file() or HIDDEN not in stored.read_text(errors="replace")
