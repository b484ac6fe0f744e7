"""The store with two writers at once (CLI and editor), and a dismissals file gone bad."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import Finding, Review, ReviewHeader
from deep_review.store import ReviewStore
from deep_review.store.dismissals import add_dismissal, read_dismissals
from deep_review.store.rounds import branch_rounds, save_round
from tests.support.gitrepo import GitRepo


def _finding(writer: int, number: int) -> Finding:
    return Finding(
        path=f"app/w{writer}.py",
        start_line=number + 1,
        end_line=number + 1,
        severity="suggestion",
        category="gap",
        title=f"Writer {writer} finding {number}",
        evidence=f"value_{writer}_{number} = {number}",
    )


def _dismiss_many(root: str, writer: int, count: int) -> None:
    store = ReviewStore(Path(root))
    for number in range(count):
        add_dismissal(store, _finding(writer, number), reason=f"writer {writer}")


def _save_review(root: str, head: str) -> None:
    review = Review(
        header=ReviewHeader(
            branch="feature",
            base_sha="b" * 40,
            head_sha=head,
            date=datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC),
        )
    )
    save_round(ReviewStore(Path(root)), review, renumber=True)


def _run_together(target: object, *arguments: tuple[object, ...]) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=target, args=args) for args in arguments]  # type: ignore[arg-type]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0


def test_two_processes_dismissing_at_once_lose_nothing(repo: GitRepo) -> None:
    _run_together(_dismiss_many, (str(repo.root), 1, 25), (str(repo.root), 2, 25))

    read = read_dismissals(ReviewStore(repo.root))
    assert read.problem is None
    assert len(read.dismissals) == 50
    assert {d.reason for d in read.dismissals} == {"writer 1", "writer 2"}


def test_two_reviews_saved_in_the_same_second_get_their_own_files_and_rounds(
    repo: GitRepo,
) -> None:
    _run_together(_save_review, (str(repo.root), "1" * 40), (str(repo.root), "2" * 40))

    store = ReviewStore(repo.root)
    saved = sorted((store.reviews_dir).glob("*.json"))
    assert len(saved) == 2
    rounds = branch_rounds(store, "feature")
    assert sorted(r.header.round for r in rounds) == [1, 2]
    assert {r.header.head_sha[0] for r in rounds} == {"1", "2"}


def test_a_corrupt_dismissals_file_is_set_aside_and_reported_never_lost(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ReviewStore(repo.root)
    store.save_review(
        Review(
            header=ReviewHeader(branch="main", date=datetime.now(UTC), head_sha="a" * 40),
            findings=[],
        )
    )
    broken = '{"schema_version": 1, "dismissals": [{"fingerprint": "abc", "reason": "hand-edit'
    store.dismissals_path.write_text(broken)

    read = read_dismissals(store)

    assert read.dismissals == [] and read.set_aside is not None
    assert read.set_aside.read_text() == broken  # byte for byte
    assert read.problem is not None and read.set_aside.name in read.problem
    assert not store.dismissals_path.exists()
    # Writing afterwards starts a fresh file beside the kept one.
    add_dismissal(store, _finding(1, 1), reason="fresh")
    assert json.loads(store.dismissals_path.read_text())["dismissals"][0]["reason"] == "fresh"
    assert read.set_aside.read_text() == broken


def test_the_cli_says_when_it_set_a_corrupt_dismissals_file_aside(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    from deep_review.model import ReconciledFinding

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    store = ReviewStore(repo.root)
    finding = ReconciledFinding(
        id="S1",
        path="a.py",
        start_line=1,
        end_line=1,
        severity="suggestion",
        category="gap",
        title="x is a bad name",
        evidence="x = 1",
    )
    store.save_review(
        Review(
            header=ReviewHeader(branch="main", date=datetime.now(UTC), head_sha="a" * 40),
            findings=[finding],
        )
    )
    store.dismissals_path.write_text("not json at all")

    assert main(["dismiss", "S1", "--reason", "fine", "--repo", str(repo.root)]) == 0

    captured = capsys.readouterr()
    assert "dismissals.json was unreadable; it was kept as dismissals.corrupt-" in captured.err
    kept = list(store.root.glob("dismissals.corrupt-*.json"))
    assert [p.read_text() for p in kept] == ["not json at all"]
    assert [d.finding_id for d in read_dismissals(store).dismissals] == ["S1"]


def test_a_review_with_a_corrupt_dismissals_file_says_so(repo: GitRepo) -> None:
    from deep_review.change import collect_change
    from deep_review.rounds.session import begin_round

    repo.write("a.py", "x = 1\n")
    repo.commit("init")
    repo.branch("feature")
    repo.write("a.py", "x = 2\n")
    repo.commit("change")
    store = ReviewStore(repo.root)
    store.root.mkdir()
    store.dismissals_path.write_text("[broken")

    context = begin_round(repo.root, collect_change(repo.root))

    assert any("dismissals.json was unreadable" in note for note in context.notes)
    assert [p.read_text() for p in store.root.glob("dismissals.corrupt-*.json")] == ["[broken"]
