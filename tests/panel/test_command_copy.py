"""run_command works in a throwaway copy of the reviewed tree: the user's tree is never written."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pytest

from deep_review.change import Change, collect_change
from deep_review.config import CommandsConfig, Settings
from deep_review.panel import run_panel
from deep_review.panel.redact import Redactor
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.panel.tools import Toolbox
from tests.panel.conftest import model_reviewer, submission
from tests.support.gitrepo import GitRepo

# Reads a tracked file, writes a new one, rewrites the tracked one and imports a module (which
# leaves __pycache__ behind): everything a test suite might do to a tree.
WRITER = """import pathlib, sys
sys.path.insert(0, ".")
import helper
print("settings:", pathlib.Path("settings.py").read_text().strip())
print("earlier out:", pathlib.Path("out.txt").read_text() if pathlib.Path("out.txt").exists()
      else "none")
pathlib.Path("out.txt").write_text("written by a command")
with open("settings.py", "a") as tracked:
    tracked.write("# touched by a command\\n")
print("script at", pathlib.Path(__file__).resolve())
print("helper", helper.VALUE)
"""
COMMAND = f"{sys.executable} writer.py"


def snapshot(root: Path) -> dict[str, str]:
    """Every file below ``root`` (outside .git) with a hash of its bytes and its mode."""
    found: dict[str, str] = {}
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != ".git"]
        for name in files:
            path = Path(directory, name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(root).as_posix()] = f"{digest} {path.stat().st_mode:o}"
    return found


@pytest.fixture
def edited(repo: GitRepo) -> GitRepo:
    """Committed writer script and settings; an uncommitted edit and an untracked file."""
    repo.write("writer.py", WRITER)
    repo.write("helper.py", "VALUE = 1\n")
    repo.write("settings.py", "DEBUG = False\n")
    repo.write(".gitignore", "ignored/\n")
    repo.commit("Add writer")
    repo.branch("feature")
    repo.write("helper.py", "VALUE = 2\n")
    repo.commit("Bump helper")
    repo.write("settings.py", "DEBUG = True  # uncommitted\n")
    repo.write("notes/untracked.txt", "draft\n")
    repo.write("ignored/build.log", "not part of the tree\n")
    repo.write(".env", "DB_PASSWORD=Tr0ub4dor&3\n")
    return repo


def toolbox_for(repo: GitRepo, *, ref: str | None = None, allow: list[str]) -> Toolbox:
    change = collect_change(repo.root, base="main")
    return Toolbox(
        RepoSandbox(repo.root, ref=ref), change, commands=CommandsConfig(allow=allow),
        redactor=Redactor(),
    )  # fmt: skip


async def test_a_writing_command_leaves_the_real_tree_byte_for_byte_unchanged(
    edited: GitRepo,
) -> None:
    status_before = edited.git("status", "--porcelain", "--ignored")
    files_before = snapshot(edited.root)
    toolbox = toolbox_for(edited, allow=[COMMAND])

    first = await toolbox.call("run_command", {"command": COMMAND})
    second = await toolbox.call("run_command", {"command": COMMAND})

    assert not first.is_error, first.text
    assert "settings: DEBUG = True  # uncommitted" in first.text  # sees the uncommitted edit
    assert "earlier out: none" in first.text
    assert "helper 2" in first.text
    assert "script at writer.py" in first.text  # the temp root reads as repo-relative
    assert "earlier out: written by a command" in second.text  # same copy, artefacts kept
    assert "[exit status 0]" in second.text
    assert edited.git("status", "--porcelain", "--ignored") == status_before
    assert snapshot(edited.root) == files_before
    assert not (edited.root / "out.txt").exists()
    assert not (edited.root / "__pycache__").exists()

    copy = toolbox.workcopy.root
    assert copy is not None and (copy / "out.txt").read_text() == "written by a command"
    await toolbox.aclose()
    assert not copy.exists() and not copy.parent.exists()


async def test_the_copy_holds_the_reviewed_working_tree_without_secrets_or_ignored_files(
    edited: GitRepo,
) -> None:
    (edited.root / "run.sh").write_text("#!/bin/sh\necho ran\n")
    (edited.root / "run.sh").chmod(0o755)
    os.symlink("helper.py", edited.root / "alias.py")
    os.symlink("/etc/hostname", edited.root / "outside")
    os.symlink(edited.root / "helper.py", edited.root / "absolute.py")
    async with toolbox_for(edited, allow=[COMMAND]) as toolbox:
        copy = await toolbox.workcopy.ensure()
        names = {p.relative_to(copy).as_posix() for p in copy.rglob("*") if not p.is_dir()}
        assert names == {
            ".gitignore", "absolute.py", "alias.py", "helper.py", "notes/untracked.txt", "run.sh",
            "settings.py", "writer.py",
        }  # fmt: skip
        assert (copy / "settings.py").read_text() == "DEBUG = True  # uncommitted\n"
        assert os.access(copy / "run.sh", os.X_OK)
        assert os.readlink(copy / "alias.py") == "helper.py"
        # An absolute link into the repo is re-pointed into the copy, never at the real tree.
        assert Path(os.path.realpath(copy / "absolute.py")) == (copy / "helper.py").resolve()
        assert not (copy / ".git").exists()
    assert not copy.exists()


async def test_a_committed_review_runs_commands_over_the_head_tree(edited: GitRepo) -> None:
    os.symlink("/etc/hostname", edited.root / "outside")
    os.symlink("helper.py", edited.root / "alias.py")
    head = edited.commit("Add links", "outside", "alias.py")
    toolbox = toolbox_for(edited, ref=head, allow=[COMMAND])
    status_before = edited.git("status", "--porcelain", "--ignored")
    index_before = (edited.root / ".git" / "index").read_bytes()
    try:
        result = await toolbox.call("run_command", {"command": COMMAND})
        assert not result.is_error, result.text
        assert "settings: DEBUG = False" in result.text  # HEAD, not the uncommitted edit
        assert "helper 2" in result.text
        copy = toolbox.workcopy.root
        assert copy is not None and not (copy / "notes").exists() and not (copy / ".env").exists()
        assert os.readlink(copy / "alias.py") == "helper.py"
        assert not os.path.lexists(copy / "outside")  # a link out of the repo is not recreated
    finally:
        await toolbox.aclose()
    assert (edited.root / ".git" / "index").read_bytes() == index_before
    assert edited.git("status", "--porcelain", "--ignored") == status_before


async def test_no_copy_is_made_when_no_command_runs(edited: GitRepo) -> None:
    async with toolbox_for(edited, allow=[COMMAND]) as toolbox:
        await toolbox.call("read_file", {"path": "settings.py"})
        assert toolbox.workcopy.root is None


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temp directory, so the test can see every copy the panel makes."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return private


async def test_the_panel_removes_the_copy_when_it_finishes(
    scripted: ScriptedModelServer, repo: GitRepo, env: dict[str, str], own_tmp: Path
) -> None:
    repo.write("writer.py", WRITER)
    repo.write("helper.py", "VALUE = 1\n")
    repo.write("settings.py", "DEBUG = False\n")
    repo.commit("Add writer")
    repo.branch("feature")
    repo.write("settings.py", "DEBUG = True\n")
    repo.commit("Debug on")
    repo.write("settings.py", "DEBUG = 'uncommitted'\n")
    change: Change = collect_change(repo.root, base="main")
    assert change.include_uncommitted
    files_before = snapshot(repo.root)
    scripted.add_transcript(
        "claude-m",
        [
            {"tool": "run_command", "input": {"command": COMMAND}},
            {"submit": submission(findings=[], coverage=[])},
        ],
    )
    settings = Settings(commands=CommandsConfig(allow=[COMMAND]))
    reviewer = model_reviewer(scripted, "claude", "anthropic", "claude-m")

    [review] = await run_panel(change, [reviewer], settings, on_event=lambda _e: None, env=env)

    assert review.status == "completed", review.error
    assert review.stats.tool_calls == {"run_command": 1}
    sent = "".join(r.text for r in scripted.requests_for("claude-m"))
    assert "settings: DEBUG = 'uncommitted'" in sent and "[exit status 0]" in sent
    assert snapshot(repo.root) == files_before
    assert list(own_tmp.iterdir()) == []  # the copy is gone once the panel returns
