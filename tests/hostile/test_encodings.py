"""Non-UTF-8 and NUL bytes, odd file names, CRLF, a file deleted in the worktree."""

from __future__ import annotations

import json
import os

import pytest

from deep_review.change import collect_change
from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import BASE, CHANGED, KEY_ENV, configure, finding, latest_review, submit
from tests.support.gitrepo import GitRepo

CRLF_BASE = "def f():\r\n    return 1\r\n\r\ndef g():\r\n    return 2\r\n"
CRLF_FIX = (
    "--- a/crlf.py\n+++ b/crlf.py\n@@ -1,2 +1,2 @@\n def f():\n-    return 10\n+    return 11\n"
)


@pytest.fixture
def odd(repo: GitRepo) -> GitRepo:
    """A branch full of awkward bytes; gone.py changed in a commit, then deleted in the worktree."""
    repo.write("app.py", BASE)
    repo.write("gone.py", "def gone():\n    return 1\n")
    repo.write("crlf.py", CRLF_BASE)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app.py", CHANGED)
    repo.write("gone.py", "def gone():\n    return 2\n")
    (repo.root / "weird").mkdir()
    with open(os.fsencode(repo.root / "weird") + b"/caf\xe9.py", "wb") as latin_name:
        latin_name.write(b"x = '\xe9t\xe9'\n")
    repo.write("latin.py", b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n")
    repo.write("nul.py", b"a = 1\x00\nb = 2\n")
    repo.write("tab\tname.py", "t = 1\n")
    repo.write("new\nline.py", "n = 1\n")
    repo.commit("awkward bytes")
    (repo.root / "gone.py").unlink()
    repo.write("crlf.py", CRLF_BASE.replace("return 1\r", "return 10\r"))
    return repo


def test_awkward_bytes_are_reviewed_without_a_crash(
    odd: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [
        {"tool": "read_file", "input": {"path": "latin.py"}},
        {"tool": "grep", "input": {"pattern": "t"}},
        {"tool": "read_file", "input": {"path": "gone.py"}},
        submit(
            finding(),
            finding(
                "crlf.py",
                title="CRLF",
                start_line=2,
                end_line=2,
                evidence="    return 10",
                fix=CRLF_FIX,
            ),
            finding("gone.py", title="Gone", start_line=2, end_line=2, evidence="return 2"),
            finding("latin.py", title="Latin", start_line=2, end_line=2, evidence="name ="),
        ),
    ]
    with ScriptedModelServer({"claude-x": steps}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(odd, server, "claude-x", commit=False)
        code = main(
            [
                "review",
                "--repo",
                str(odd.root),
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
        prompt = json.dumps(server.requests[0].body, ensure_ascii=False)
        server_bodies = [r.body for r in server.requests[1:]]
        tool_results = json.dumps(server_bodies, ensure_ascii=False)

    assert code == 0
    assert "weird/caf\ufffd.py" in prompt and "tab\\tname.py" in prompt
    assert "name = '\ufffdt\ufffd'" in tool_results  # latin-1 shown with replacement characters
    assert "gone.py is deleted by this change; use show_base to read it" in tool_results
    review = latest_review(odd.root)
    assert {f.title for f in review.findings} == {"Shell injection through run()", "CRLF", "Latin"}
    assert {e.path: e.reason for e in review.excluded_files} == {"nul.py": "binary file"}
    dropped = json.dumps(review.model_dump(mode="json"))
    assert "`gone.py`" in dropped
    for written in (odd.root / ".deep-review" / "reviews").iterdir():
        written.read_text(encoding="utf-8")  # every report is valid UTF-8

    crlf = next(f for f in review.findings if f.title == "CRLF")
    assert crlf.fix_status == "applies"
    assert main(["apply", crlf.id, "--repo", str(odd.root)]) == 0
    assert (odd.root / "crlf.py").read_bytes() == CRLF_BASE.replace(
        "return 1\r", "return 11\r"
    ).encode()


def test_a_file_deleted_in_the_worktree_is_a_deletion_of_the_change(odd: GitRepo) -> None:
    change = collect_change(odd.root)
    statuses = {f.path: f.status for f in change.files}
    assert statuses["gone.py"] == "deleted"
    assert statuses["crlf.py"] == "modified"
    assert statuses["new\nline.py"] == "added"
