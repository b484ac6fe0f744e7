"""``deep-review diff`` through the real CLI entry point and as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import AgentReview
from tests.support.gitrepo import GitRepo


@pytest.fixture
def feature(repo: GitRepo) -> GitRepo:
    repo.write("app.py", "def greet(name):\n    return 'hi ' + name\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app.py", "def greet(name):\n    return 'hello ' + name\n")
    repo.commit("Be polite")
    repo.write("notes/todo list.md", "- ship\n")
    repo.write("package-lock.json", "{}\n")
    repo.write(".env", "API_TOKEN=abc123\n")
    return repo


def test_diff_text_lists_files_exclusions_base_and_tokens(
    feature: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", "--repo", str(feature.root)])

    out = capsys.readouterr().out
    assert code == 0
    assert "(merge-base with main)" in out
    assert "on feature · 1 commit, commits + uncommitted work" in out
    table = out.split("Excluded")[0]
    assert "modified  app.py" in table and "+1" in table and "-1" in table
    assert "added     notes/todo list.md" in table
    assert "package-lock.json  lockfile" in out
    assert ".env               may hold secrets (matches .env); content not read" in out
    assert "2 files to review, 2 excluded · ~" in out and "prompt tokens" in out
    assert "abc123" not in out


def test_diff_json_is_the_change_without_texts(
    feature: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", "--repo", str(feature.root / "notes"), "--format", "json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["branch"] == "feature" and data["base_ref"] == "main"
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {".env", "app.py", "notes/todo list.md", "package-lock.json"}
    assert "text" not in files["app.py"]
    assert files["app.py"]["hunks"][0]["added_lines"] == [2]
    assert {e["path"]: e["reason"] for e in data["excluded"]}["package-lock.json"] == "lockfile"
    assert isinstance(data["estimated_prompt_tokens"], int) and data["estimated_prompt_tokens"] > 0
    assert [c["subject"] for c in data["commits"]] == ["Be polite"]


def test_committed_only_flag(feature: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    main(["diff", "--repo", str(feature.root), "--format", "json", "--committed-only"])

    data = json.loads(capsys.readouterr().out)
    assert [f["path"] for f in data["files"]] == ["app.py"]
    assert data["include_uncommitted"] is False


def test_base_comes_from_configuration(
    feature: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    first = feature.git("rev-parse", "HEAD~1")
    feature.write(".deep-review.toml", f'base = "{first}"\n')

    main(["diff", "--repo", str(feature.root), "--format", "json"])

    data = json.loads(capsys.readouterr().out)
    assert data["base_resolution"] == f"configured base {first}"


def test_not_a_repository_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", "--repo", str(tmp_path)])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == f"deep-review: {tmp_path.resolve()} is not inside a git repository.\n"


def test_bad_base_and_bad_config_exit_2(
    feature: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--repo", str(feature.root), "--base", "nope"]) == 2
    assert capsys.readouterr().err == (
        "deep-review: --base 'nope' is not a commit in this repository.\n"
    )
    feature.write(".deep-review.toml", "colour = 'blue'\n")
    assert main(["diff", "--repo", str(feature.root)]) == 2
    assert "Unknown key 'colour' in" in capsys.readouterr().err


def test_real_subprocess_run(feature: GitRepo, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "server")}

    ok = subprocess.run(
        [sys.executable, "-m", "deep_review", "diff", "--format", "json"],
        cwd=feature.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = subprocess.run(
        [sys.executable, "-m", "deep_review", "diff"],
        cwd=plain,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["branch"] == "feature"
    assert failed.returncode == 2
    assert failed.stderr.strip().count("\n") == 0
    assert "is not inside a git repository" in failed.stderr
    assert "Traceback" not in failed.stderr


# -- `--out` names a file: its suffix is the format -----------------------------------------


def _agent_review(tmp_path: Path) -> Path:
    review = AgentReview.model_validate(
        {
            "reviewer": "claude",
            "findings": [
                {
                    "path": "app.py", "start_line": 1, "end_line": 1, "severity": "important",
                    "category": "regression", "title": "Division by zero",
                    "evidence": "x = 1 / 0",
                }
            ],
        }
    )  # fmt: skip
    path = tmp_path / "claude.json"
    path.write_text(review.model_dump_json())
    return path


def test_reconcile_out_with_a_markdown_name_writes_markdown_there(
    feature: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = _agent_review(tmp_path)
    out = tmp_path / "r.md"

    code = main(["reconcile", str(saved), "--repo", str(feature.root), "--out", str(out)])

    assert code == 0
    assert out.read_text().startswith("#")
    assert not (tmp_path / "r.json").exists()
    assert f"md: {out}" in capsys.readouterr().err


def test_reconcile_out_whose_suffix_disagrees_with_format_says_so(
    feature: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = _agent_review(tmp_path)
    out = tmp_path / "r.md"

    code = main(
        [
            "reconcile",
            str(saved),
            "--repo",
            str(feature.root),
            "--out",
            str(out),
            "--format",
            "json",
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert "names a .md file but --format asks for json" in err
    assert not out.exists() and not (tmp_path / "r.json").exists()


def test_review_out_with_a_sarif_name_writes_only_sarif(feature: GitRepo, tmp_path: Path) -> None:
    out = tmp_path / "results.sarif"

    main(["review", "--repo", str(feature.root), "--reviewers", "ruff", "--out", str(out)])

    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("results")) == [
        "results.sarif"
    ]
