"""collect_change over real git repositories: statuses, texts, line numbers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from deep_review.change import collect_change
from deep_review.change.model import Change, ChangedFile
from tests.change.helpers import feature_repo
from tests.support.gitrepo import GitRepo


def only(change: Change, path: str) -> ChangedFile:
    found = change.file(path)
    assert found is not None, f"{path} not in {[f.path for f in change.files]}"
    return found


def test_committed_edit_has_hunks_text_and_new_line_numbers(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("app.py", "import os\n\ndef greet(name):\n    return 'hello ' + name\n")
    repo.commit("greet politely")

    change = collect_change(repo.root)

    app = only(change, "app.py")
    assert app.status == "modified"
    assert (app.added, app.removed) == (3, 1)
    assert app.changed_lines() == {1, 2, 4}
    assert app.text == "import os\n\ndef greet(name):\n    return 'hello ' + name\n"
    assert app.patch.startswith("diff --git a/app.py b/app.py\n")
    assert len(app.hunks) == 1 and app.hunks[0].text.startswith("@@ -1,2 +1,4 @@")
    assert [f.path for f in change.files] == ["app.py"]
    assert change.branch == "feature" and not change.detached


def test_commits_are_listed_oldest_first_with_author_subject_and_body(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("a.txt", "a\n")
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "-m", "First change\n\nWhy it matters.\nSecond line of body.")
    repo.write("b.txt", "b\n")
    second = repo.commit("Second change")

    change = collect_change(repo.root)

    assert [c.subject for c in change.commits] == ["First change", "Second change"]
    assert change.commits[0].body == "Why it matters.\nSecond line of body."
    assert change.commits[1].body == ""
    assert change.commits[1].sha == second
    assert change.commits[0].author == "Ada Author <ada@example.com>"


def test_rename_reports_old_path_and_similarity(repo: GitRepo) -> None:
    repo.write("old_name.py", "".join(f"line {n}\n" for n in range(40)))
    repo.commit("initial")
    repo.branch("feature")
    repo.git("mv", "old_name.py", "new_name.py")
    repo.write("new_name.py", "".join(f"line {n}\n" for n in range(40)) + "extra\n")
    repo.commit("rename")

    renamed = only(collect_change(repo.root), "new_name.py")

    assert renamed.status == "renamed"
    assert renamed.old_path == "old_name.py"
    assert renamed.similarity is not None and 90 <= renamed.similarity < 100
    assert renamed.changed_lines() == {41}


def test_deleted_file_keeps_removed_lines_and_has_no_text(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.git("rm", "-q", "README.md")
    repo.commit("drop readme")

    deleted = only(collect_change(repo.root), "README.md")

    assert deleted.status == "deleted"
    assert deleted.text is None
    assert deleted.removed == 1 and deleted.hunks[0].added_lines == []
    assert deleted.excluded is None


def test_binary_file_is_excluded_with_reason(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    repo.commit("logo")

    change = collect_change(repo.root)

    logo = only(change, "logo.png")
    assert logo.is_binary and logo.text is None and logo.patch == ""
    assert logo.excluded == "binary file"
    assert [(e.path, e.reason) for e in change.excluded] == [("logo.png", "binary file")]
    assert change.reviewed_files == []


def test_mode_change_only_is_mode_changed(repo: GitRepo) -> None:
    repo.write("run.sh", "#!/bin/sh\necho hi\n")
    repo.commit("script")
    repo.branch("feature")
    repo.git("update-index", "--chmod=+x", "run.sh")
    (repo.root / "run.sh").chmod(0o755)
    repo.commit("make executable")

    script = only(collect_change(repo.root), "run.sh")

    assert script.status == "mode-changed"
    assert (script.old_mode, script.new_mode) == ("100644", "100755")
    assert script.hunks == []


def test_mode_change_in_working_tree_is_mode_changed(repo: GitRepo) -> None:
    repo.write("run.sh", "#!/bin/sh\necho hi\n")
    repo.commit("script")
    repo.branch("feature")
    (repo.root / "run.sh").chmod(0o755)

    script = only(collect_change(repo.root), "run.sh")

    assert script.status == "mode-changed"
    assert script.new_mode == "100755"


def test_symlink_is_flagged_and_never_followed(repo: GitRepo, tmp_path: Path) -> None:
    feature_repo(repo)
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("do not read me\n")
    os.symlink(outside, repo.root / "link")
    repo.commit("add link")

    link = only(collect_change(repo.root), "link")

    assert link.is_symlink and link.status == "added" and link.new_mode == "120000"
    assert link.text is None
    assert "do not read me" not in link.model_dump_json()


def test_submodule_is_flagged(repo: GitRepo, tmp_path: Path) -> None:
    library = GitRepo(tmp_path / "library")
    library.write("lib.py", "x = 1\n")
    library.commit("lib")
    feature_repo(repo)
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library.root), "lib")
    repo.commit("add submodule")

    change = collect_change(repo.root)

    sub = only(change, "lib")
    assert sub.is_submodule and sub.new_mode == "160000" and sub.text is None
    assert "Subproject commit" in sub.patch
    assert only(change, ".gitmodules").status == "added"


def test_crlf_file_keeps_line_endings_and_line_numbers(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("win.txt", "one\r\ntwo\r\n")
    repo.commit("crlf")
    repo.write("win.txt", "one\r\ntwo\r\nthree\r\n")

    win = only(collect_change(repo.root), "win.txt")

    assert win.crlf
    assert win.text == "one\r\ntwo\r\nthree\r\n"
    assert win.status == "added"
    assert win.changed_lines() == {1, 2, 3}


def test_non_utf8_text_is_decoded_with_replacement_and_flagged(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("latin1.txt", "caf\xe9 au lait\n".encode("latin-1"))
    repo.commit("latin-1")

    latin = only(collect_change(repo.root, include_uncommitted=False), "latin1.txt")

    assert latin.not_utf8
    assert latin.text == "caf\ufffd au lait\n"
    assert latin.excluded is None and latin.changed_lines() == {1}


def test_uncommitted_work_is_included_without_touching_the_index(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("staged.py", "staged = True\n")
    repo.git("add", "staged.py")
    repo.write("app.py", "def greet(name):\n    return 'yo ' + name\n")
    repo.write("untracked dir/new file.py", "fresh = 1\n")
    repo.write(".gitignore", "ignored.log\n")
    repo.write("ignored.log", "noise\n")
    status_before = repo.git("status", "--porcelain=v1", "-z")
    index_before = (repo.root / ".git" / "index").read_bytes()

    change = collect_change(repo.root)

    assert {f.path: f.status for f in change.files} == {
        ".gitignore": "added",
        "app.py": "modified",
        "staged.py": "added",
        "untracked dir/new file.py": "added",
    }
    assert only(change, "untracked dir/new file.py").text == "fresh = 1\n"
    assert only(change, "app.py").changed_lines() == {2}
    assert repo.git("status", "--porcelain=v1", "-z") == status_before
    assert (repo.root / ".git" / "index").read_bytes() == index_before


def test_staged_only_file_is_reviewed(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("feature.py", "value = 42\n")
    repo.git("add", "feature.py")

    change = collect_change(repo.root)

    assert [f.path for f in change.files] == ["feature.py"]
    assert only(change, "feature.py").text == "value = 42\n"
    assert change.commits == []


def test_committed_only_leaves_out_uncommitted_work(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("committed.py", "a = 1\n")
    repo.commit("commit a")
    repo.write("committed.py", "a = 2\n")
    repo.write("untracked.py", "b = 1\n")
    repo.write("staged.py", "c = 1\n")
    repo.git("add", "staged.py")

    change = collect_change(repo.root, include_uncommitted=False)

    assert [f.path for f in change.files] == ["committed.py"]
    assert only(change, "committed.py").text == "a = 1\n"
    assert not change.include_uncommitted
    assert any("Committed changes only" in note for note in change.notes)


def test_paths_with_spaces_and_non_ascii(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("docs/naïve café.md", "crème\n")
    repo.write("src/my module/日本語.py", "x = '漢字'\n")
    repo.commit("unicode names")
    repo.write("tab\tname.txt", "tab\n")

    change = collect_change(repo.root)

    assert [f.path for f in change.files] == [
        "docs/naïve café.md",
        "src/my module/日本語.py",
        "tab\tname.txt",
    ]
    assert only(change, "src/my module/日本語.py").text == "x = '漢字'\n"
    assert only(change, "tab\tname.txt").text == "tab\n"


def test_identical_content_in_two_files_gives_both_texts(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("one.py", "same = 1\n")
    repo.write("two.py", "same = 1\n")
    repo.commit("twins")

    change = collect_change(repo.root, include_uncommitted=False)

    assert only(change, "one.py").text == only(change, "two.py").text == "same = 1\n"


def test_remote_url_names_the_repo_and_drops_credentials(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.git("remote", "add", "origin", "https://user:ghp_secret123@github.com/acme/rocket.git")

    change = collect_change(repo.root)

    assert change.remote_url == "https://github.com/acme/rocket.git"
    assert change.repo_slug == "acme/rocket"
    assert "ghp_secret123" not in change.model_dump_json()


def test_diff_hash_is_stable_and_follows_the_diff(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("app.py", "changed = 1\n")

    first = collect_change(repo.root).diff_hash
    again = collect_change(repo.root).diff_hash
    repo.write("app.py", "changed = 2\n")
    after_edit = collect_change(repo.root).diff_hash

    assert first == again
    assert len(first) == 64
    assert after_edit != first


def test_moderate_diff_has_every_added_line(repo: GitRepo) -> None:
    lines = [f"value_{n} = {n}\n" for n in range(5000)]
    repo.write("big.py", "".join(lines))
    repo.commit("big")
    repo.branch("feature")
    edited = [line if n % 10 else f"value_{n} = -{n}\n" for n, line in enumerate(lines)]
    repo.write("big.py", "".join(edited))

    big = only(collect_change(repo.root), "big.py")

    assert big.changed_lines() == {n + 1 for n in range(0, 5000, 10)}
    assert (big.added, big.removed) == (500, 500)
    assert len(big.hunks) == 500
    assert big.text == "".join(edited)


def test_subfolder_start_finds_the_root(repo: GitRepo) -> None:
    feature_repo(repo)
    repo.write("pkg/sub/mod.py", "x = 1\n")

    change = collect_change(repo.root / "pkg" / "sub")

    assert Path(change.repo_root) == repo.root.resolve()
    assert [f.path for f in change.files] == ["pkg/sub/mod.py"]


def test_git_worktree_checkout(repo: GitRepo, tmp_path: Path) -> None:
    feature_repo(repo)
    repo.commit("on feature")
    worktree = tmp_path / "wt"
    repo.git("worktree", "add", "-q", "-b", "other", str(worktree))
    (worktree / "wt.py").write_text("in worktree\n")

    change = collect_change(worktree)

    assert [f.path for f in change.files] == ["wt.py"]
    assert change.branch == "other"
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=worktree,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == "?? wt.py\n"
    )


def test_copy_of_a_modified_file_is_copied_with_similarity(repo: GitRepo) -> None:
    original = "".join(f"row {n}\n" for n in range(40))
    repo.write("source.py", original)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("source.py", original + "tail\n")
    repo.write("duplicate.py", original)
    repo.commit("copy it")

    copied = only(collect_change(repo.root), "duplicate.py")

    assert copied.status == "copied"
    assert copied.old_path == "source.py" and copied.similarity == 100
    assert copied.text == original


def test_file_replaced_by_a_symlink_is_type_changed(repo: GitRepo) -> None:
    repo.write("target.txt", "t\n")
    repo.write("config.ini", "[a]\n")
    repo.commit("initial")
    repo.branch("feature")
    (repo.root / "config.ini").unlink()
    os.symlink("target.txt", repo.root / "config.ini")

    changed = only(collect_change(repo.root), "config.ini")

    assert changed.status == "type-changed" and changed.is_symlink
    assert (changed.old_mode, changed.new_mode) == ("100644", "120000")
    assert changed.text is None


def test_unstaged_deletion_and_conflicted_merge_are_seen(repo: GitRepo) -> None:
    repo.write("gone.txt", "bye\n")
    repo.write("both.txt", "base\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("both.txt", "feature\n")
    repo.commit("feature side")
    repo.git("checkout", "-q", "main")
    repo.write("both.txt", "main\n")
    repo.commit("main side")
    repo.git("checkout", "-q", "feature")
    repo.git("merge", "-q", "main", check=False)
    (repo.root / "gone.txt").unlink()

    change = collect_change(repo.root)

    assert only(change, "gone.txt").status == "deleted"
    conflicted = only(change, "both.txt")
    assert conflicted.text is not None and "<<<<<<<" in conflicted.text
    assert "UU both.txt" in repo.git("status", "--porcelain")


def test_clean_branch_at_the_base_is_an_empty_change(repo: GitRepo) -> None:
    feature_repo(repo)

    change = collect_change(repo.root)

    assert change.files == [] and change.commits == []
    assert change.notes == ["Nothing changed between the base and the reviewed tree."]
    assert change.diff_text() == ""


def test_untracked_path_git_cannot_add_is_noted_not_fatal(repo: GitRepo) -> None:
    feature_repo(repo)
    GitRepo(repo.root / "scratch")  # an embedded repository with no commit checked out
    repo.write("scratch/notes.txt", "n\n")
    repo.write("real.py", "r = 1\n")

    change = collect_change(repo.root)

    assert [f.path for f in change.files] == ["real.py"]
    assert change.notes == [
        "Untracked path left out (git: 'scratch/' does not have a commit checked out)"
    ]


def test_user_git_config_cannot_change_what_is_parsed(repo: GitRepo) -> None:
    repo.write("été.py", "".join(f"v{n} = {n}\n" for n in range(30)))
    repo.commit("initial")
    repo.branch("feature")
    for key, value in (
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("core.quotepath", "true"),
        ("diff.renames", "false"),
        ("diff.context", "9"),
        ("diff.external", "false"),
        ("core.abbrev", "5"),
    ):
        repo.git("config", key, value)
    repo.git("mv", "été.py", "naïve.py")
    repo.write("naïve.py", "".join(f"v{n} = {n}\n" for n in range(30)) + "extra = 1\n")

    renamed = only(collect_change(repo.root), "naïve.py")

    assert renamed.status == "renamed" and renamed.old_path == "été.py"
    assert renamed.patch.startswith("diff --git a/été.py b/naïve.py\n")
    assert "\x1b[" not in renamed.patch
    assert renamed.hunks[0].text.startswith("@@ -28,3 +28,4 @@")
    assert renamed.changed_lines() == {31}


def test_deep_reviews_own_store_is_never_part_of_the_change(repo: GitRepo) -> None:
    repo.write("app.py", "x = 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", "x = 2\n")
    repo.write(".deep-review/reviews/20260101-000000-feature.md", "# Deep Review\n")
    repo.commit("feature with a committed review")
    repo.write(".deep-review/reviews/20260102-000000-feature.json", "{}\n")

    for include_uncommitted in (True, False):
        change = collect_change(repo.root, include_uncommitted=include_uncommitted)
        assert [f.path for f in change.files] == ["app.py"]
        assert change.excluded == []


def test_a_gitignored_store_does_not_break_the_next_review(repo: GitRepo) -> None:
    # Users gitignore .deep-review/; once a review has written there, the next must still run.
    repo.write("app.py", "x = 1\n")
    repo.write(".gitignore", ".deep-review/\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("app.py", "x = 2\n")
    repo.commit("feature")
    repo.write(".deep-review/reviews/20260102-000000-feature.json", "{}\n")
    repo.write("app.py", "x = 3\n")

    change = collect_change(repo.root)

    assert [f.path for f in change.files] == ["app.py"]
    assert "+x = 3" in change.diff_text()
