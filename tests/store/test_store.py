"""``.deep-review/``: saved reviews, raw agent reviews, the cache, dismissals, rounds."""

from __future__ import annotations

import json
import logging
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deep_review.model import AgentReview, Finding, Review
from deep_review.report import render_markdown
from deep_review.report.files import renderer_for
from deep_review.store import ReviewStore, StoreVersionError, cache_key, finding_fingerprint
from tests.report.fixture_review import load_fixture_review
from tests.support.gitrepo import GitRepo


def review_at(minutes: int, *, branch: str = "host-switch", round_: int = 1) -> Review:
    review = load_fixture_review()
    review.header.date = datetime(2026, 4, 8, 12, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    review.header.branch = branch
    review.header.pr_number = None
    review.header.round = round_
    return review


def write_as_the_store(store: ReviewStore, path: Path, text: str) -> None:
    """A damaged file the store itself wrote (sealed): what a crash or a bug could leave."""
    path.write_text(text)
    store.trust.seal(path, text.encode())


def test_save_review_writes_json_markdown_and_html_named_by_time_and_branch(
    repo: GitRepo,
) -> None:
    review = load_fixture_review()
    review.header.pr_number = None
    review.header.branch = "feature/host switch"
    paths = ReviewStore(repo.root).save_review(review, renderer_for(["md", "html"]))
    folder = repo.root / ".deep-review" / "reviews"
    assert paths == {
        "json": folder / "20260408-145125-feature-host-switch.json",
        "md": folder / "20260408-145125-feature-host-switch.md",
        "html": folder / "20260408-145125-feature-host-switch.html",
    }
    assert paths["md"].read_text() == render_markdown(review)
    assert Review.model_validate_json(paths["json"].read_text()) == review


def test_the_store_stays_out_of_git_status_without_touching_the_users_gitignore(
    repo: GitRepo,
) -> None:
    repo.write(".gitignore", "*.pyc\n")
    repo.commit("ignore bytecode")
    store = ReviewStore(repo.root)
    store.save_review(load_fixture_review())
    store.save_agent_reviews(load_fixture_review().agent_reviews, "20260408-145125")
    store.dismiss(load_fixture_review().findings[0])

    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""
    assert (repo.root / ".gitignore").read_text() == "*.pyc\n"
    exclude = (repo.root / ".git" / "info" / "exclude").read_text()
    assert exclude.count("/.deep-review/") == 1
    ReviewStore(repo.root).save_review(review_at(3))  # a later run adds nothing twice
    assert (repo.root / ".git" / "info" / "exclude").read_text() == exclude


def test_a_linked_worktree_excludes_the_store_through_its_git_file(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.write("app.py", "x = 1\n")
    repo.commit("app")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "feature", str(linked))
    assert (linked / ".git").is_file()

    ReviewStore(linked).save_review(review_at(0))

    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=linked,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""
    assert "/.deep-review/" in (repo.root / ".git" / "info" / "exclude").read_text()


def test_latest_review_round_trips_and_latest_paths_point_at_its_reports(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    assert store.latest_review() is None and store.latest_paths() == {}
    store.save_review(review_at(0))
    newest = review_at(5)
    store.save_review(newest, renderer_for(["md", "sarif"]))
    assert store.latest_review() == newest
    other = review_at(3, branch="other")
    store.save_review(other)
    assert store.latest_review() == newest
    assert store.latest_review(branch="other") == other
    assert store.latest_review(branch="never") is None
    paths = store.latest_paths()
    assert sorted(paths) == ["json", "md", "sarif"]
    assert paths["md"].name == "20260408-120500-host-switch.md"


def test_corrupt_and_invalid_files_are_skipped_with_a_warning(
    repo: GitRepo, caplog: pytest.LogCaptureFixture
) -> None:
    store = ReviewStore(repo.root)
    good = review_at(0)
    store.save_review(good)
    write_as_the_store(store, store.reviews_dir / "20260408-130000-host-switch.json", '{"a": {tru')
    write_as_the_store(store, store.reviews_dir / "20260408-140000-host-switch.json", '{"f": 3}')
    with caplog.at_level(logging.WARNING):
        assert store.latest_review() == good
        assert store.next_round_number("host-switch") == 2
    assert "20260408-130000-host-switch.json: unreadable" in caplog.text
    assert "20260408-140000-host-switch.json: not a valid review" in caplog.text
    assert store.latest_paths() == {"json": store.reviews_dir / "20260408-120000-host-switch.json"}


def test_a_review_from_a_newer_deep_review_is_a_clear_error(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    store.save_review(review_at(0))
    data = json.loads(review_at(9).model_dump_json())
    data["schema_version"] = 99
    write_as_the_store(
        store, store.reviews_dir / "20260408-120900-host-switch.json", json.dumps(data)
    )
    with pytest.raises(StoreVersionError, match=r"newer deep-review .*schema 99.*upgrade"):
        store.latest_review()


def test_raw_agent_reviews_are_kept_per_run(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    agents = load_fixture_review().agent_reviews
    stamp = datetime(2026, 4, 8, 14, 51, 25, tzinfo=UTC)
    paths = store.save_agent_reviews(agents, stamp)
    assert [p.relative_to(store.root).as_posix() for p in paths] == [
        "agents/20260408-145125/claude.json",
        "agents/20260408-145125/codex.json",
        "agents/20260408-145125/gemini.json",
    ]
    assert store.agent_reviews(stamp) == agents
    assert AgentReview.model_validate_json(paths[2].read_text()).status == "timed-out"


def test_cache_is_keyed_by_base_head_and_diff_hash(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    review = load_fixture_review()
    header = review.header
    store.save_review(review)
    assert store.cached_review(header.base_sha, header.head_sha, header.diff_hash) == review
    assert store.cached_review(header.base_sha, header.head_sha, "sha256:other") is None
    assert store.cached_review(header.base_sha, "0" * 40, header.diff_hash) is None
    assert store.cached_review("1" * 40, header.head_sha, header.diff_hash) is None
    key = cache_key(header.base_sha, header.head_sha, header.diff_hash)
    assert (store.cache_dir / f"{key}.json").is_file()
    assert key != cache_key(header.base_sha, header.head_sha, "sha256:other")


def test_corrupt_cache_entry_is_a_miss_not_a_crash(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    review = load_fixture_review()
    store.cache_review(review)
    header = review.header
    key = cache_key(header.base_sha, header.head_sha, header.diff_hash)
    write_as_the_store(store, store.cache_dir / f"{key}.json", "\x00garbage")
    assert store.cached_review(header.base_sha, header.head_sha, header.diff_hash) is None


def moved(finding: Finding, lines: int) -> Finding:
    return finding.model_copy(
        update={"start_line": finding.start_line + lines, "end_line": finding.end_line + lines}
    )


def test_dismissals_survive_line_shifts_reindentation_and_later_rounds(repo: GitRepo) -> None:
    first_round = load_fixture_review()
    i2 = first_round.findings[1]
    ReviewStore(repo.root).dismiss(i2, reason="intended: the map is reset on restart")

    later = ReviewStore(repo.root)  # a new process, a later round
    shifted = moved(i2, 12).model_copy(
        update={
            "id": "I1",
            "title": "startHostSwitch overwrites state without cancelling existing goroutine.",
            "evidence": "\n".join("  " + line for line in i2.evidence.splitlines()) + "\n\n",
        }
    )
    assert later.is_dismissed(shifted)
    assert not later.is_dismissed(first_round.findings[0])
    assert not later.is_dismissed(i2.model_copy(update={"path": "other.go"}))
    assert not later.is_dismissed(i2.model_copy(update={"title": "A different problem"}))
    (dismissal,) = later.dismissals()
    assert dismissal.reason == "intended: the map is reset on restart"
    assert dismissal.finding_id == "I2"
    assert later.dismissed_fingerprints() == {finding_fingerprint(i2)}


def test_dismissing_twice_keeps_one_entry_and_undismiss_forgets(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    finding = load_fixture_review().findings[0]
    store.dismiss(finding)
    store.dismiss(moved(finding, 3), reason="again")
    assert [d.reason for d in store.dismissals()] == ["again"]
    assert store.undismiss(finding)
    assert not store.is_dismissed(finding)
    assert not store.undismiss(finding)


def test_corrupt_dismissals_file_is_kept_aside_not_lost(
    repo: GitRepo, caplog: pytest.LogCaptureFixture
) -> None:
    store = ReviewStore(repo.root)
    store.root.mkdir()
    store.dismissals_path.write_text("{not json")
    finding = load_fixture_review().findings[0]
    with caplog.at_level(logging.WARNING):
        assert not store.is_dismissed(finding)
        store.dismiss(finding)
    assert store.is_dismissed(finding)
    (aside,) = store.root.glob("dismissals.corrupt-*.json")
    assert aside.read_text() == "{not json"


def test_round_numbers_count_previous_reviews_of_the_same_branch(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    assert store.next_round_number("host-switch") == 1
    store.save_review(review_at(0, round_=1))
    store.save_review(review_at(5, round_=2))
    store.save_review(review_at(7, branch="other", round_=1))
    assert store.next_round_number("host-switch") == 3
    assert store.next_round_number("other") == 2
    assert store.next_round_number("never-reviewed") == 1


def test_the_store_never_writes_an_api_key(repo: GitRepo) -> None:
    secret = "sk-ant-api03-THIS-IS-A-TEST-KEY-0123456789"
    os.environ["ANTHROPIC_API_KEY"] = secret  # the conftest fixture restores the environment
    review = load_fixture_review()
    review.notices.append("claude reads its key from ANTHROPIC_API_KEY")
    store = ReviewStore(repo.root)
    store.save_review(review, renderer_for(["json", "md", "html", "sarif"]))
    store.save_agent_reviews(review.agent_reviews, review.header.date)
    store.dismiss(review.findings[0])
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert len(files) >= 9
    for path in files:
        assert secret not in path.read_text(encoding="utf-8"), path
    assert "ANTHROPIC_API_KEY" in (store.reviews_dir / "20260408-145125-pr-280.md").read_text()


def test_writes_are_atomic_and_leave_no_temp_files(repo: GitRepo) -> None:
    store = ReviewStore(repo.root)
    for minute in range(3):
        store.save_review(review_at(minute))
    leftovers = [p for p in store.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert all(oct(p.stat().st_mode)[-3:] == "644" for p in store.reviews_dir.iterdir())
