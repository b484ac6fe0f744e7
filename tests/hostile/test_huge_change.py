"""Thousands of files, a 20 MB one-line file, a binary renamed to .py: excluded, said, bounded."""

from __future__ import annotations

import os

import pytest

from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, latest_review, project, submit
from tests.support.gitrepo import GitRepo


def test_a_huge_change_completes_with_its_exclusions_named(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project(repo)
    for index in range(5000):
        repo.write(f"gen/m{index // 100}/f{index}.py", f"VALUE_{index} = {index}\n")
    repo.write("static/app.min.js", "var a=1;" * 2_500_000)
    repo.write("src/payload.py", "X = [" + "1," * 10_000_000 + "]")
    repo.write("blob.bin", os.urandom(300_000))
    repo.commit("generated code, a bundle, a payload and a blob")
    repo.git("mv", "blob.bin", "blob.py")
    repo.commit("rename the blob")
    steps = [
        {"tool": "read_file", "input": {"path": "src/payload.py"}},
        {"tool": "read_file", "input": {"path": "blob.py"}},
        submit(finding()),
    ]
    with ScriptedModelServer({"claude-x": steps}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        configure(repo, server, "claude-x")
        code = main(["review", "--repo", str(repo.root)])
        bodies = [request.raw for request in server.requests]

    assert code == 0
    review = latest_review(repo.root)
    excluded = {item.path: item.reason for item in review.excluded_files}
    assert excluded["blob.py"] == "binary file"
    assert "512 KiB cap" in excluded["src/payload.py"]
    assert "*.min.js" in excluded["static/app.min.js"]
    assert [f.title for f in review.findings] == ["Shell injection through run()"]
    assert max(len(body) for body in bodies) < 2_000_000  # 20 MB of change, a bounded prompt
    refusals = " ".join(bodies[1:])
    assert "file too large to read" in refusals and "binary file refused" in refusals
    assert "X = [1,1,1,1" not in " ".join(bodies)
    markdown = next((repo.root / ".deep-review" / "reviews").glob("*.md")).read_text()
    assert "src/payload.py" in markdown and "binary file" in markdown
