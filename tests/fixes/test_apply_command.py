"""`deep-review apply ID`: a saved review's fix applied to a real git working tree."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import ReconciledFinding, RelatedLocation, Review, ReviewHeader
from deep_review.store import ReviewStore
from tests.support.gitrepo import GitRepo

APP = """\
def handler(request):
    data = request.json()
    return data["name"]
"""


def finding(finding_id: str, path: str, fix: str | None, line: int = 2) -> ReconciledFinding:
    return ReconciledFinding(
        id=finding_id,
        path=path,
        start_line=line,
        end_line=line + 1,
        severity="important",
        category="gap",
        title="Missing key crashes the handler",
        fix=fix,
    )


def save_review(
    repo: GitRepo, *findings: ReconciledFinding, stamp: str = "20261126-040000"
) -> Path:
    review = Review(
        header=ReviewHeader(date=datetime.strptime(stamp, "%Y%m%d-%H%M%S"), branch="main"),
        findings=list(findings),
    )
    # Through the store: it trusts only the reviews it wrote itself (not planted files).
    return ReviewStore(repo.root).save_review(review)["json"]


@pytest.fixture
def app_repo(repo: GitRepo) -> GitRepo:
    repo.write("app.py", APP)
    repo.commit("app")
    return repo


NAME_FIX = """\
--- a/app.py
+++ b/app.py
@@ -1,3 +1,3 @@
 def handler(request):
     data = request.json()
-    return data["name"]
+    return data.get("name", "")
"""


def run(repo: GitRepo, *args: str) -> int:
    return main(["apply", *args, "--repo", str(repo.root)])


def test_apply_writes_the_fix_into_the_working_tree(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    save_review(app_repo, finding("I1", "app.py", NAME_FIX))

    assert run(app_repo, "i1") == 0

    assert (app_repo.root / "app.py").read_text() == APP.replace(
        'data["name"]', 'data.get("name", "")'
    )
    assert "Applied the fix for I1 to app.py" in capsys.readouterr().out
    assert app_repo.git("status", "--porcelain", "--", "app.py") == "M app.py"


def test_dry_run_prints_the_diff_and_changes_nothing(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    save_review(app_repo, finding("I1", "app.py", NAME_FIX))

    assert run(app_repo, "I1", "--dry-run") == 0

    out, err = capsys.readouterr()
    assert err == "Dry run of I1: Applies cleanly. Nothing was changed.\n"
    assert out.splitlines()[:2] == ["--- a/app.py", "+++ b/app.py"]
    assert '-    return data["name"]' in out
    assert '+    return data.get("name", "")' in out
    assert (app_repo.root / "app.py").read_text() == APP


def test_stale_fix_is_refused_with_its_reason_and_nothing_changes(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    save_review(app_repo, finding("I1", "app.py", NAME_FIX))
    edited = APP.replace('data["name"]', 'data["full_name"]')
    app_repo.write("app.py", edited)

    assert run(app_repo, "I1") == 1

    err = capsys.readouterr().err
    assert "the fix for I1 does not apply" in err
    assert "'return data[\"name\"]'" in err
    assert (app_repo.root / "app.py").read_text() == edited


def test_multi_file_fix_is_all_or_nothing(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    app_repo.write("config.py", "TIMEOUT = 5\n")
    fix = NAME_FIX + "--- a/config.py\n+++ b/config.py\n@@ -1 +1 @@\n-TIMEOUT = 50\n+TIMEOUT = 10\n"
    save_review(app_repo, finding("I1", "app.py", fix))

    assert run(app_repo, "I1") == 1

    assert "config.py" in capsys.readouterr().err
    assert (app_repo.root / "app.py").read_text() == APP
    assert (app_repo.root / "config.py").read_text() == "TIMEOUT = 5\n"
    leftovers = [p.name for p in app_repo.root.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_unknown_id_exits_2_and_names_the_available_ids(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    save_review(app_repo, finding("I1", "app.py", NAME_FIX), finding("S1", "app.py", None))

    assert run(app_repo, "C7") == 2

    assert capsys.readouterr().err.strip() == (
        "deep-review: The latest review has no finding C7; available IDs: I1, S1."
    )


def test_finding_without_a_fix_exits_1(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    save_review(app_repo, finding("S1", "app.py", None))
    assert run(app_repo, "S1") == 1
    assert "S1 has no suggested fix" in capsys.readouterr().err


def test_no_saved_review_is_a_clear_error(
    app_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(app_repo, "I1") == 2
    assert "run `deep-review review` first" in capsys.readouterr().err


def test_the_newest_review_is_used(app_repo: GitRepo) -> None:
    old_fix = NAME_FIX.replace('data.get("name", "")', "data.get('old')")
    save_review(app_repo, finding("I1", "app.py", old_fix), stamp="20261125-100000")
    save_review(app_repo, finding("I1", "app.py", NAME_FIX), stamp="20261126-100000")

    assert run(app_repo, "I1") == 0

    assert 'data.get("name", "")' in (app_repo.root / "app.py").read_text()


def test_crlf_endings_and_executable_bit_survive(repo: GitRepo) -> None:
    script = repo.write("run.sh", b"#!/bin/sh\r\necho one\r\necho two\r\n")
    script.chmod(0o755)
    repo.commit("script")
    fix = "```diff\n echo one\n-echo two\n+echo 2\n```"
    save_review(repo, finding("S1", "run.sh", fix, line=2))

    assert run(repo, "S1") == 0

    assert script.read_bytes() == b"#!/bin/sh\r\necho one\r\necho 2\r\n"
    assert stat.S_IMODE(os.stat(script).st_mode) == 0o755


def test_new_file_from_a_fix_is_created(app_repo: GitRepo) -> None:
    fix = "--- /dev/null\n+++ b/tests/test_app.py\n@@ -0,0 +1,2 @@\n+def test_app():\n+    pass\n"
    save_review(app_repo, finding("S2", "app.py", fix))

    assert run(app_repo, "S2") == 0

    assert (app_repo.root / "tests" / "test_app.py").read_text() == ("def test_app():\n    pass\n")


def test_fix_naming_a_path_outside_the_repository_is_refused(
    app_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    fix = "--- a/../outside.txt\n+++ b/../outside.txt\n@@ -1 +1 @@\n-keep\n+gone\n"
    save_review(app_repo, finding("C1", "app.py", fix))

    assert run(app_repo, "C1") == 1
    assert outside.read_text() == "keep\n"
    assert "outside the repository" in capsys.readouterr().err


def test_console_script_applies_from_a_subfolder(app_repo: GitRepo) -> None:
    save_review(app_repo, finding("I1", "app.py", NAME_FIX))
    (app_repo.root / "sub").mkdir()
    command = shutil.which("deep-review") or str(Path(sys.executable).parent / "deep-review")

    done = subprocess.run(
        [command, "apply", "I1", "--repo", "sub"],
        cwd=app_repo.root,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert 'data.get("name", "")' in (app_repo.root / "app.py").read_text()


def test_two_part_fix_lands_in_the_finding_file_and_its_related_file(repo: GitRepo) -> None:
    repo.write("switch.go", "func start() {\n\tinit()\n\n\trun()\n}\n")
    repo.write("life.go", "func boot() {\n\tif err := up(); err != nil {\n\t\treturn err\n\t}\n}\n")
    repo.commit("go")
    fix = (
        "Make start idempotent:\n\n```diff\n \tinit()\n+\tstop()\n```\n\n"
        "And clean up on failure:\n\n```diff\n \tif err := up(); err != nil {\n"
        "+\t\tstop()\n \t\treturn err\n```\n"
    )
    leak = finding("I2", "switch.go", fix, line=1).model_copy(
        update={"related": [RelatedLocation(path="life.go", start_line=2, end_line=4)]}
    )
    save_review(repo, leak)

    assert run(repo, "I2") == 0

    assert (
        repo.root / "switch.go"
    ).read_text() == "func start() {\n\tinit()\n\tstop()\n\n\trun()\n}\n"
    assert (repo.root / "life.go").read_text() == (
        "func boot() {\n\tif err := up(); err != nil {\n\t\tstop()\n\t\treturn err\n\t}\n}\n"
    )


def test_dry_run_of_a_crlf_file_shows_only_the_changed_line(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("notes.txt", b"a\r\nb\r\nc\r\n")
    repo.commit("notes")
    save_review(repo, finding("S1", "notes.txt", "-b\n+B\n", line=2))

    assert run(repo, "S1", "--dry-run") == 0

    out = capsys.readouterr().out
    assert [line for line in out.split("\n") if line.startswith(("+", "-"))] == [
        "--- a/notes.txt",
        "+++ b/notes.txt",
        "-b\r",
        "+B\r",
    ]
    assert (repo.root / "notes.txt").read_bytes() == b"a\r\nb\r\nc\r\n"
