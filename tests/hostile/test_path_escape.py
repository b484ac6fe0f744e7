"""Findings and fixes that point outside the repository, into .git, or through symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import ReconciledFinding
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, latest_review, project, submit
from tests.lsp.editor import editor_session
from tests.lsp.project import save_review
from tests.support.gitrepo import GitRepo

MARKER = "OUTSIDE_SECRET_7f3a = 1"
HIDDEN = "HIDDEN_TOKEN_91b2 = 2"  # never in any model output: only a read of the file finds it


@pytest.fixture
def hostile(repo: GitRepo, tmp_path: Path) -> GitRepo:
    """The project, plus a secret beside it and committed symlinks that lead to it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(f"{MARKER}\n{HIDDEN}\n")
    project(repo)
    os.symlink(outside / "secret.py", repo.root / "link.py")
    os.symlink(outside, repo.root / "linkdir")
    repo.commit("symlinks")
    return repo


def hostile_fixes(outside: Path) -> dict[str, tuple[str, str]]:
    """Finding title → (finding path, fix) for every way a fix may try to leave the tree."""
    edit_secret = f"@@ -1 +1 @@\n-{MARKER}\n+pwned = 1\n"
    return {
        "dotdot": (
            "app.py",
            f"--- a/../outside/secret.py\n+++ b/../outside/secret.py\n{edit_secret}",
        ),
        "absolute": ("app.py", f"--- {outside}/secret.py\n+++ {outside}/secret.py\n{edit_secret}"),
        "hook": (
            "app.py",
            "--- /dev/null\n+++ b/.git/hooks/pre-commit\n@@ -0,0 +1,2 @@\n"
            "+#!/bin/sh\n+touch pwned\n",
        ),
        "config": (
            "app.py",
            "--- a/.git/config\n+++ b/.git/config\n@@ -1 +1,2 @@\n"
            " [core]\n+\tfsmonitor = touch pwned\n",
        ),
        "created": ("app.py", "--- /dev/null\n+++ b/../x.py\n@@ -0,0 +1 @@\n+escaped = 1\n"),
        "symlink": ("app.py", f"--- a/link.py\n+++ b/link.py\n{edit_secret}"),
        "symlink-dir": ("app.py", "--- /dev/null\n+++ b/linkdir/new.py\n@@ -0,0 +1 @@\n+new = 1\n"),
        "headerless-outside": ("../outside/secret.py", edit_secret),
        "headerless-symlink": ("link.py", edit_secret),
    }


def saved_findings(outside: Path) -> list[ReconciledFinding]:
    return [
        ReconciledFinding(
            id=f"C{index}",
            path=path,
            start_line=1,
            end_line=1,
            severity="critical",
            category="regression",
            title=title,
            body="A hostile fix.",
            fix=fix,
            agents=["mallory"],
        )
        for index, (title, (path, fix)) in enumerate(hostile_fixes(outside).items(), start=1)
    ]


def assert_nothing_escaped(repo: GitRepo, outside: Path) -> None:
    assert (outside / "secret.py").read_text() == f"{MARKER}\n{HIDDEN}\n"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]
    assert not (repo.root.parent / "x.py").exists()
    assert not (repo.root / ".git" / "hooks" / "pre-commit").exists()
    assert "fsmonitor" not in (repo.root / ".git" / "config").read_text()
    assert not list(repo.root.rglob("pwned"))


def test_review_drops_findings_outside_the_tree_and_never_embeds_their_content(
    hostile: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    paths = ["../outside/secret.py", str(outside / "secret.py"), ".git/config", "link.py"]
    findings = [finding(p, title=f"Look at {p}", evidence=MARKER) for p in paths]
    fixes = [finding(title=t, fix=fix) for t, (_, fix) in hostile_fixes(outside).items()]
    with ScriptedModelServer({"mallory": [submit(*findings, *fixes)]}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(hostile, server, "mallory")
        code = main(
            [
                "review",
                "--repo",
                str(hostile.root),
                "--format",
                "md",
                "--format",
                "html",
                "--format",
                "sarif",
                "--format",
                "json",
            ]
        )
    assert code == 0
    review = latest_review(hostile.root)
    assert {f.path for f in review.findings} <= {"app.py"}
    dropped = " ".join(str(value) for value in review.model_dump().values())
    for path in paths:
        assert f"`{path}` does not exist in the reviewed tree" in dropped
    for written in (hostile.root / ".deep-review").rglob("*"):
        if written.is_file():
            assert "HIDDEN_TOKEN" not in written.read_text(errors="replace"), written
    fixed = [kept for kept in review.findings if kept.fix]
    assert fixed
    for kept in fixed:
        assert kept.fix_status in ("invalid", "stale")  # never "applies" for an escaping fix
        assert main(["apply", kept.id, "--repo", str(hostile.root)]) == 1
    assert_nothing_escaped(hostile, outside)


@pytest.mark.parametrize("title", sorted(hostile_fixes(Path("/x"))))
def test_apply_refuses_fixes_that_leave_the_repository(
    hostile: GitRepo, tmp_path: Path, title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    findings = saved_findings(outside)
    save_review(hostile, findings)
    target = next(f for f in findings if f.title == title)

    code = main(["apply", target.id, "--repo", str(hostile.root)])

    assert code == 1
    err = capsys.readouterr().err
    assert f"the fix for {target.id} does not apply" in err
    assert "outside the repository" in err or ".git folder" in err
    assert MARKER not in err
    assert_nothing_escaped(hostile, outside)


async def test_language_server_refuses_fixes_that_leave_the_repository(
    hostile: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    findings = saved_findings(outside)
    save_review(hostile, findings)
    async with editor_session(hostile.root) as editor:
        await editor.wait_for(lambda: editor.diagnostics("app.py"))
        for target in findings:
            answer = await editor.command("deepReview.applyFix", target.id)
            assert answer["applied"] is False, target.title
        actions = await editor.code_actions("app.py", 0)
        assert all(action.edit is None for action in actions)
        assert editor.edit_requests == 0
        logged = " ".join(m.message for m in editor.client.log_messages)
        assert MARKER not in logged and "pwned" not in logged
    assert_nothing_escaped(hostile, outside)


@pytest.mark.parametrize("link", [".deep-review", ".deep-review/reviews"])
def test_a_committed_store_link_out_of_the_repository_is_refused_before_any_model_call(
    repo: GitRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    link: str,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project(repo)
    (repo.root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, repo.root / link)
    repo.commit("a store that leads elsewhere", link)
    with ScriptedModelServer({"claude-x": [submit(finding())]}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(repo, server, "claude-x")
        code = main(["review", "--repo", str(repo.root)])
        requests = len(server.requests)

    assert code == 2
    assert "outside the repository; refusing to write reviews there" in capsys.readouterr().err
    assert requests == 0
    assert list(elsewhere.iterdir()) == []
