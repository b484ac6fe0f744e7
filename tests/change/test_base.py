"""Base resolution: --base, upstream, origin/HEAD, main, master, and the failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deep_review.change import collect_change, find_repo_root
from deep_review.errors import BaseNotFound, DeepReviewError, NotAGitRepository
from tests.change.helpers import clone, feature_repo
from tests.support.gitrepo import GitRepo


def test_no_upstream_falls_back_to_merge_base_with_main(repo: GitRepo) -> None:
    feature_repo(repo)
    fork = repo.git("rev-parse", "HEAD")
    repo.write("feature.py", "f = 1\n")
    repo.commit("feature work")
    repo.git("checkout", "-q", "main")
    repo.write("main_only.py", "m = 1\n")
    repo.commit("main moves on")
    repo.git("checkout", "-q", "feature")

    change = collect_change(repo.root)

    assert change.base_sha == fork
    assert change.base_ref == "main"
    assert change.base_resolution == "merge-base with main"
    assert [f.path for f in change.files] == ["feature.py"]
    assert [c.subject for c in change.commits] == ["feature work"]


def test_master_is_the_last_fallback(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "legacy", initial_branch="master")
    repo.write("a.txt", "a\n")
    base = repo.commit("initial")
    repo.branch("topic")
    repo.write("b.txt", "b\n")

    change = collect_change(repo.root)

    assert (change.base_ref, change.base_sha) == ("master", base)


def test_upstream_merge_base_is_used_when_set(repo: GitRepo, tmp_path: Path) -> None:
    feature_repo(repo)
    repo.git("checkout", "-q", "main")
    work = clone(repo, tmp_path / "work")
    work.git("checkout", "-q", "-b", "topic", "--track", "origin/main")
    fork = work.git("rev-parse", "HEAD")
    work.write("topic.py", "t = 1\n")
    work.commit("topic work")

    change = collect_change(work.root)

    assert change.base_resolution == "merge-base with upstream origin/main"
    assert change.base_ref == "origin/main" and change.base_sha == fork
    assert [f.path for f in change.files] == ["topic.py"]


def test_origin_head_is_used_without_upstream(repo: GitRepo, tmp_path: Path) -> None:
    feature_repo(repo)
    repo.git("checkout", "-q", "main")
    work = clone(repo, tmp_path / "work")
    fork = work.git("rev-parse", "HEAD")
    work.git("checkout", "-q", "--no-track", "-b", "topic", "origin/main")
    work.git("branch", "-q", "-D", "main")
    work.write("topic.py", "t = 1\n")

    change = collect_change(work.root)

    assert change.base_resolution == "merge-base with origin/HEAD → origin/main"
    assert change.base_sha == fork


def test_explicit_base_wins_and_records_its_source(repo: GitRepo) -> None:
    feature_repo(repo)
    first = repo.commit("empty one")
    repo.write("later.py", "x = 1\n")
    repo.commit("later")

    change = collect_change(repo.root, base=first)

    assert change.base_sha == first
    assert change.base_resolution == f"--base {first}"
    assert [c.subject for c in change.commits] == ["later"]


def test_explicit_base_that_does_not_exist_is_a_clear_error(repo: GitRepo) -> None:
    feature_repo(repo)

    with pytest.raises(BaseNotFound, match=r"--base 'nope' is not a commit in this repository"):
        collect_change(repo.root, base="nope")
    with pytest.raises(BaseNotFound, match="is not a commit"):
        collect_change(repo.root, base="--output=/tmp/x")


def test_no_base_found_names_everything_tried(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "odd", initial_branch="trunk")
    repo.write("a.txt", "a\n")
    repo.commit("initial")

    with pytest.raises(BaseNotFound) as caught:
        collect_change(repo.root)

    message = caught.value.message
    for tried in ("upstream of trunk", "origin/HEAD", "main (not found)", "master (not found)"):
        assert tried in message
    assert "--base" in message


def test_detached_head_works_and_says_so(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("d.py", "d = 1\n")
    head = repo.commit("work")
    repo.git("checkout", "-q", "--detach", head)

    change = collect_change(repo.root)

    assert change.detached and change.branch is None
    assert change.head_sha == head and change.base_ref == "main"
    assert any("detached" in note and head[:12] in note for note in change.notes)
    assert [f.path for f in change.files] == ["d.py"]


def test_repository_without_commits_is_a_precise_error(repo: GitRepo) -> None:
    repo.write("a.txt", "a\n")

    with pytest.raises(DeepReviewError, match="has no commits yet on main"):
        collect_change(repo.root)


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()

    with pytest.raises(NotAGitRepository, match="is not inside a git repository"):
        find_repo_root(plain)
    with pytest.raises(NotAGitRepository, match="does not exist"):
        find_repo_root(tmp_path / "missing")


def test_shallow_clone_missing_the_merge_base(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("a.txt", "a\n")
    repo.commit("root")
    repo.branch("feature")
    repo.write("f.txt", "f\n")
    repo.commit("feature 1")
    repo.write("f.txt", "f2\n")
    repo.commit("feature 2")
    repo.git("checkout", "-q", "main")
    repo.write("m.txt", "m\n")
    repo.commit("main 1")
    repo.write("m.txt", "m2\n")
    repo.commit("main 2")
    shallow = clone(repo, tmp_path / "shallow", "--depth", "1", "--no-single-branch")
    shallow.git("checkout", "-q", "feature")

    with pytest.raises(BaseNotFound, match=r"shallow clone .*git fetch --unshallow"):
        collect_change(shallow.root)


def test_upstream_that_is_the_branch_own_remote_copy_is_skipped(
    repo: GitRepo, tmp_path: Path
) -> None:
    feature_repo(repo)
    repo.write("pushed.py", "p = 1\n")
    repo.commit("pushed work")
    repo.git("checkout", "-q", "main")
    work = clone(repo, tmp_path / "work")
    fork = work.git("rev-parse", "HEAD")
    work.git("checkout", "-q", "feature")
    assert work.git("rev-parse", "--abbrev-ref", "feature@{u}") == "origin/feature"

    change = collect_change(work.root)

    assert change.base_sha == fork
    assert change.base_resolution == "merge-base with origin/HEAD → origin/main"
    assert [f.path for f in change.files] == ["pushed.py"]


def test_root_is_found_from_a_file_and_refused_inside_dot_git(repo: GitRepo) -> None:
    feature_repo(repo)

    assert find_repo_root(repo.root / "app.py") == repo.root.resolve()
    with pytest.raises(NotAGitRepository, match="without a working tree"):
        find_repo_root(repo.root / ".git")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repo another owner")
def test_repository_owned_by_another_user_says_how_to_trust_it(repo: GitRepo) -> None:
    feature_repo(repo)
    os.chown(repo.root, 65534, 65534)

    with pytest.raises(NotAGitRepository, match=r"another user owns it; .*safe\.directory"):
        find_repo_root(repo.root)
