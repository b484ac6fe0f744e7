"""The sandbox: every read stays inside the repository, whatever path a model asks for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.panel.sandbox import RepoSandbox, SandboxError, glob_matcher
from tests.support.gitrepo import GitRepo


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret_dir = tmp_path / "outside"
    secret_dir.mkdir()
    (secret_dir / "secret.txt").write_text("top secret\n")
    return secret_dir


def refusal(sandbox: RepoSandbox, path: str) -> str:
    with pytest.raises(SandboxError) as caught:
        sandbox.read(path)
    assert sandbox.read_text(path) is None
    return caught.value.reason


def test_reads_nested_files_and_normalizes_paths(repo: GitRepo) -> None:
    repo.write("src/pkg/mod.py", "x = 1\n")
    sandbox = RepoSandbox(repo.root)
    assert sandbox.read("src/pkg/mod.py") == "x = 1\n"
    assert sandbox.read("./src/pkg/../pkg/mod.py") == "x = 1\n"
    assert sandbox.read("src\\pkg\\mod.py") == "x = 1\n"


def test_refuses_parent_escape_and_absolute_paths(repo: GitRepo, outside: Path) -> None:
    repo.write("a.txt", "a\n")
    sandbox = RepoSandbox(repo.root)
    assert "escapes the repository" in refusal(sandbox, "../outside/secret.txt")
    assert "escapes the repository" in refusal(sandbox, "src/../../outside/secret.txt")
    assert "absolute path" in refusal(sandbox, "/etc/passwd")
    assert "absolute path" in refusal(sandbox, str(outside / "secret.txt"))
    assert "absolute path" in refusal(sandbox, "~/.ssh/id_rsa")


def test_refuses_symlinks_leading_outside(repo: GitRepo, outside: Path) -> None:
    os.symlink(outside / "secret.txt", repo.root / "file_link")
    os.symlink(outside, repo.root / "dir_link")
    os.symlink("file_link", repo.root / "chain_link")
    os.symlink("../../outside/secret.txt", repo.root / "relative_link")
    sandbox = RepoSandbox(repo.root)
    for path in ("file_link", "dir_link/secret.txt", "chain_link", "relative_link"):
        assert "outside the repository" in refusal(sandbox, path)


def test_allows_symlinks_inside_the_repo(repo: GitRepo) -> None:
    repo.write("real/config.toml", "name = 'x'\n")
    os.symlink("real/config.toml", repo.root / "config.toml")
    os.symlink("real", repo.root / "alias")
    sandbox = RepoSandbox(repo.root)
    assert sandbox.read("config.toml") == "name = 'x'\n"
    assert sandbox.read("alias/config.toml") == "name = 'x'\n"


def test_refuses_git_internals_directly_and_through_symlinks(repo: GitRepo) -> None:
    repo.commit("initial")
    os.symlink(".git/config", repo.root / "innocent.txt")
    sandbox = RepoSandbox(repo.root)
    assert "git internals" in refusal(sandbox, ".git/config")
    assert "git internals" in refusal(sandbox, "sub/.GIT/HEAD")
    assert "git internals" in refusal(sandbox, "innocent.txt")


def test_refuses_binary_and_oversize_files(repo: GitRepo) -> None:
    repo.write("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    repo.write("big.txt", "y" * 2000 + "\n")
    sandbox = RepoSandbox(repo.root, max_bytes=1000)
    assert "binary" in refusal(sandbox, "image.png")
    reason = refusal(sandbox, "big.txt")
    assert "too large" in reason and "2001 bytes" in reason


def test_refuses_secret_bearing_files(repo: GitRepo) -> None:
    repo.write(".env", "DB_PASSWORD=hunter2\n")
    repo.write("deploy/server.pem", "-----BEGIN PRIVATE KEY-----\n")
    repo.write(".env.example", "DB_PASSWORD=\n")
    sandbox = RepoSandbox(repo.root)
    assert "secret-bearing" in refusal(sandbox, ".env")
    assert "secret-bearing" in refusal(sandbox, "deploy/server.pem")
    assert sandbox.read(".env.example") == "DB_PASSWORD=\n"


def test_missing_file_and_directory_are_clear_refusals(repo: GitRepo) -> None:
    repo.write("src/a.py", "")
    sandbox = RepoSandbox(repo.root)
    assert "no such file" in refusal(sandbox, "src/nope.py")
    assert "directory" in refusal(sandbox, "src")


def test_non_utf8_is_decoded_with_replacement(repo: GitRepo) -> None:
    repo.write("latin1.txt", "caf\xe9\n".encode("latin-1"))
    assert RepoSandbox(repo.root).read("latin1.txt") == "caf\ufffd\n"


def test_list_files_tracked_and_untracked_but_not_ignored(repo: GitRepo) -> None:
    repo.write(".gitignore", "build/\n*.log\n")
    repo.write("src/app.py", "")
    repo.commit("initial")
    repo.write("src/new.py", "")
    repo.write("build/out.py", "")
    repo.write("debug.log", "")
    sandbox = RepoSandbox(repo.root)
    assert sandbox.list_files() == [".gitignore", "src/app.py", "src/new.py"]
    assert sandbox.list_files("*.py") == ["src/app.py", "src/new.py"]
    assert sandbox.list_files("src/n*") == ["src/new.py"]
    assert sandbox.list_files("src") == ["src/app.py", "src/new.py"]


def test_ref_reads_committed_content_not_the_working_tree(repo: GitRepo) -> None:
    repo.write("src/app.py", "version = 1\n")
    first = repo.commit("v1")
    repo.write("src/app.py", "version = 2\n")
    repo.write("src/added.py", "")
    repo.commit("v2")
    sandbox = RepoSandbox(repo.root, ref=first)
    assert sandbox.read("src/app.py") == "version = 1\n"
    assert sandbox.read_text("src/added.py") is None
    assert sandbox.list_files() == ["src/app.py"]
    assert "escapes" in refusal(sandbox, "../x")
    assert "git internals" in refusal(sandbox, ".git/config")


def test_ref_refuses_symlink_blobs_pointing_outside(repo: GitRepo, outside: Path) -> None:
    repo.write("real/data.txt", "inside\n")
    os.symlink("../outside/secret.txt", repo.root / "escape")
    os.symlink(str(outside / "secret.txt"), repo.root / "absolute")
    os.symlink("real", repo.root / "alias")
    os.symlink(".git/config", repo.root / "gitcfg")
    head = repo.commit("links")
    sandbox = RepoSandbox(repo.root, ref=head)
    assert "outside the repository" in refusal(sandbox, "escape")
    assert "outside the repository" in refusal(sandbox, "absolute")
    assert "git internals" in refusal(sandbox, "gitcfg")
    assert sandbox.read("alias/data.txt") == "inside\n"


def test_ref_refuses_binary_and_oversize_blobs(repo: GitRepo) -> None:
    repo.write("blob.bin", b"abc\x00def")
    repo.write("big.txt", "z" * 5000)
    head = repo.commit("blobs")
    sandbox = RepoSandbox(repo.root, ref=head, max_bytes=1000)
    assert "binary" in refusal(sandbox, "blob.bin")
    assert "too large" in refusal(sandbox, "big.txt")


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("*.py", ["a.py", "src/deep/b.py"], ["a.pyc", "src/a.txt"]),
        ("src/**/*.go", ["src/x.go", "src/a/b/x.go"], ["x.go", "lib/src/x.go"]),
        ("docs/", ["docs/index.md"], ["docsx/a.md"]),
        ("*.{ts,tsx}", ["ui/a.ts", "b.tsx"], ["c.js"]),
    ],
)
def test_glob_matching(glob: str, matches: list[str], misses: list[str]) -> None:
    matcher = glob_matcher(glob)
    assert matcher is not None
    for path in matches:
        assert matcher.fullmatch(path), path
    for path in misses:
        assert not matcher.fullmatch(path), path


_SEGMENTS = ["..", ".", "a", "b", ".git", "link", "~", "", "/", "\\", "C:"]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(_SEGMENTS), min_size=1, max_size=6))
def test_no_path_resolves_outside_the_root(
    tmp_path_factory: pytest.TempPathFactory, parts: list[str]
) -> None:
    root = tmp_path_factory.mktemp("prop")
    repo_root = root / "repo"
    if not repo_root.exists():
        (repo_root / "a" / "b").mkdir(parents=True)
        (root / "outside").mkdir()
        os.symlink(root / "outside", repo_root / "a" / "link")
        os.symlink("..", repo_root / "link")
    sandbox = RepoSandbox(repo_root)
    path = "/".join(parts)
    try:
        normal = sandbox.resolve(path)
    except SandboxError:
        return
    real = Path(os.path.realpath(repo_root / normal))
    assert real == repo_root.resolve() or repo_root.resolve() in real.parents
    assert ".git" not in real.relative_to(repo_root.resolve()).parts


def test_resolve_follows_in_repo_symlinks_to_the_real_file(repo: GitRepo) -> None:
    repo.write("real/config.toml", "")
    os.symlink("real", repo.root / "alias")
    os.symlink("alias/config.toml", repo.root / "cfg")
    sandbox = RepoSandbox(repo.root)
    assert sandbox.resolve("alias/config.toml") == "real/config.toml"
    assert sandbox.resolve("cfg") == "real/config.toml"
    assert sandbox.resolve("real/missing.txt") == "real/missing.txt"
    assert sandbox.resolve(".") == ""
