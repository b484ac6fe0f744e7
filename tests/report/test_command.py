"""``deep-review report``: re-render the latest saved review without any model call."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import Review
from deep_review.report import render_markdown, write_reports
from deep_review.store import ReviewStore
from tests.report.fixture_review import load_fixture_review
from tests.support.gitrepo import GitRepo


def test_no_review_yet_exits_2_with_a_clear_message(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--repo", str(repo.root)]) == 2
    assert "deep-review: no review yet: run deep-review review" in capsys.readouterr().err


def test_rerenders_latest_review_as_markdown_and_html_by_default(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    review = load_fixture_review()
    store = ReviewStore(repo.root)
    paths = store.save_review(review)
    (repo.root / "sub").mkdir()
    assert main(["report", "--repo", str(repo.root / "sub")]) == 0
    printed = capsys.readouterr().out.split()
    stem = paths["json"].with_suffix("")
    assert printed == [str(stem) + ".md", str(stem) + ".html"]
    assert Path(printed[0]).read_text() == render_markdown(review)
    assert "<!DOCTYPE html>" in Path(printed[1]).read_text()


def test_format_and_out_choose_what_is_written_where(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ReviewStore(repo.root).save_review(load_fixture_review())
    out = tmp_path / "ci" / "review"
    argv = ["report", "--repo", str(repo.root), "--format", "sarif", "--format", "json"]
    assert main([*argv, "--out", str(out)]) == 0
    assert capsys.readouterr().out.split() == [str(out) + ".sarif", str(out) + ".json"]
    assert json.loads((tmp_path / "ci" / "review.sarif").read_text())["version"] == "2.1.0"
    assert Review.model_validate_json((tmp_path / "ci" / "review.json").read_text())


def test_out_folder_gets_the_review_named_file(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ReviewStore(repo.root).save_review(load_fixture_review())
    folder = tmp_path / "reports"
    folder.mkdir()
    assert main(["report", "--repo", str(repo.root), "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "20260408-145125-pr-280.html",
        "20260408-145125-pr-280.md",
    ]
    capsys.readouterr()


def test_open_hands_the_html_to_the_users_browser(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ReviewStore(repo.root).save_review(load_fixture_review())
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n')
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    os.environ["BROWSER"] = str(browser)  # webbrowser honours $BROWSER (conftest restores env)
    assert main(["report", "--repo", str(repo.root), "--open"]) == 0
    html = next(line for line in capsys.readouterr().out.split() if line.endswith(".html"))
    for _ in range(100):
        if opened.exists() and opened.read_text():
            break
        time.sleep(0.05)
    assert opened.read_text() == Path(html).as_uri()


def test_write_reports_renders_everything_before_writing(tmp_path: Path) -> None:
    review = load_fixture_review()
    paths = write_reports(review, tmp_path / "r.md", ["md", "json", "md"])
    assert sorted(paths) == ["json", "md"]
    assert paths["md"] == tmp_path / "r.md"
    assert Review.model_validate_json(paths["json"].read_text()) == review
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temp files behind


def test_out_dash_prints_one_format_to_stdout(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    review = load_fixture_review()
    ReviewStore(repo.root).save_review(review)
    assert main(["report", "--repo", str(repo.root), "--format", "md", "--out", "-"]) == 0
    assert capsys.readouterr().out == render_markdown(review)
    assert main(["report", "--repo", str(repo.root), "--out", "-"]) == 2
    assert "pass exactly one --format" in capsys.readouterr().err
