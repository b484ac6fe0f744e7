"""Headless Neovim (Debian's 0.7.2 and 0.11 from PyPI) runs a review with the documented Lua
setup, applies the quick fix and writes the file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.editors.fixture_repo import (
    BRANCH_SOURCE,
    FINDING_TITLE,
    FIXED_SOURCE,
    REVIEWED_FILE,
    build_fixture_repo,
    scripted_model_server,
    server_env,
    write_transcripts,
)
from tests.editors.prerequisites import REPO_ROOT, TOOLS, require

PLUGIN = REPO_ROOT / "editors" / "nvim"
SCRIPT = Path(__file__).parent / "nvim" / "review_and_fix.lua"

# Where each tested version comes from, and how to install it.
NEOVIMS: dict[str, tuple[str | None, str]] = {
    "0.7": (shutil.which("nvim", path="/usr/bin:/usr/local/bin"), "apt-get install -y neovim"),
    "0.11": (str(TOOLS / "nvim011" / "bin" / "nvim"), "bash scripts/editor-e2e/setup-neovim.sh"),
}


def neovim(version: str) -> str:
    """The nvim binary of that version, or a skip/fail saying how to install it."""
    binary, fix = NEOVIMS[version]
    require(binary is not None and Path(binary).is_file(), f"Neovim {version} is missing", fix)
    assert binary is not None
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    require(
        done.stdout.startswith(f"NVIM v{version}."),
        f"{binary} is not Neovim {version} ({done.stdout.splitlines()[0]})",
        fix,
    )
    return binary


def run_neovim(
    binary: str,
    tmp_path: Path,
    *,
    apply: str,
    report: bool = False,
    start: str = "setup",
    cancel: bool = False,
) -> tuple[subprocess.CompletedProcess[str], dict[str, object], Path]:
    """Reviews the fixture repo in headless Neovim; returns the run, what it saw, the repo."""
    transcripts = write_transcripts(tmp_path / "transcripts", think_s=60.0 if cancel else 0.0)
    with scripted_model_server(transcripts) as url:
        repo = build_fixture_repo(tmp_path / "repo", url)
        result_file = tmp_path / "nvim-result.json"
        env = {
            **server_env(),
            "XDG_CONFIG_HOME": str(tmp_path / "xdg" / "config"),
            "XDG_STATE_HOME": str(tmp_path / "xdg" / "state"),
            "XDG_CACHE_HOME": str(tmp_path / "xdg" / "cache"),
            "XDG_DATA_HOME": str(tmp_path / "xdg" / "data"),
            "DEEP_REVIEW_PLUGIN": str(PLUGIN),
            "DEEP_REVIEW_SERVER": str(Path(sys.executable).parent / "deep-review"),
            "DEEP_REVIEW_RESULT": str(result_file),
            "DEEP_REVIEW_APPLY": apply,
            "DEEP_REVIEW_REPORT": "1" if report else "0",
            "DEEP_REVIEW_START": start,
            "DEEP_REVIEW_CANCEL": "1" if cancel else "0",
        }
        run = subprocess.run(
            [binary, "--headless", "-u", str(SCRIPT), REVIEWED_FILE],
            cwd=repo.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=150,
            stdin=subprocess.DEVNULL,
        )
    seen = json.loads(result_file.read_text()) if result_file.exists() else {}
    return run, seen, repo.root


def explain(run: subprocess.CompletedProcess[str], seen: dict[str, object]) -> str:
    return f"exit {run.returncode}; saw {json.dumps(seen, indent=1)}\nstderr: {run.stderr[-2000:]}"


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_quick_fix_from_a_review_repairs_the_file(version: str, tmp_path: Path) -> None:
    binary = neovim(version)
    run, seen, root = run_neovim(binary, tmp_path, apply="codeaction")

    assert run.returncode == 0, explain(run, seen)
    diagnostics = seen["diagnostics"]
    assert isinstance(diagnostics, list)
    assert any(FINDING_TITLE in d["message"] for d in diagnostics), diagnostics
    assert str(seen["applied"]).startswith("Apply fix I1")
    echoed = seen["echoed"]
    assert isinstance(echoed, list)
    assert any("claude" in line and "%" in line for line in echoed), echoed  # $/progress
    assert "[deep-review] review done: 0 critical, 1 important, 0 suggestions" in echoed
    assert (root / REVIEWED_FILE).read_text() == FIXED_SOURCE


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_apply_fix_command_under_cursor_and_report(version: str, tmp_path: Path) -> None:
    binary = neovim(version)
    run, seen, root = run_neovim(binary, tmp_path, apply="command", report=True)

    assert run.returncode == 0, explain(run, seen)
    assert (root / REVIEWED_FILE).read_text() == FIXED_SOURCE
    assert seen["report"], seen
    assert (root / ".deep-review").is_dir()


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_cancel_stops_a_slow_review_and_shows_nothing(version: str, tmp_path: Path) -> None:
    binary = neovim(version)
    run, seen, root = run_neovim(binary, tmp_path, apply="command", cancel=True)

    assert run.returncode == 0, explain(run, seen)
    status = seen["status"]
    assert isinstance(status, dict)
    assert status["state"] in ("idle", "failed"), status
    assert seen["diagnostics"] == 0
    assert (root / REVIEWED_FILE).read_text() == BRANCH_SOURCE


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_dismiss_under_cursor_hides_the_finding(version: str, tmp_path: Path) -> None:
    binary = neovim(version)
    run, seen, root = run_neovim(binary, tmp_path, apply="dismiss")

    assert run.returncode == 0, explain(run, seen)
    steps = seen["steps"]
    assert isinstance(steps, list)
    assert "dismissed finding disappears" in steps
    assert (root / REVIEWED_FILE).read_text() == BRANCH_SOURCE


def test_native_vim_lsp_config_setup_on_0_11(tmp_path: Path) -> None:
    """The README's Neovim >= 0.11 setup: vim.lsp.config + vim.lsp.enable, our commands."""
    binary = neovim("0.11")
    run, seen, root = run_neovim(binary, tmp_path, apply="command", start="native")

    assert run.returncode == 0, explain(run, seen)
    assert (root / REVIEWED_FILE).read_text() == FIXED_SOURCE


@pytest.mark.parametrize("version", ["0.7", "0.11"])
def test_outside_a_git_repository_nothing_starts_and_review_says_why(
    version: str, tmp_path: Path
) -> None:
    binary = neovim(version)
    folder = tmp_path / "not-a-repo"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello\n")
    result_file = tmp_path / "result.json"
    env = {
        **server_env(),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_STATE_HOME": str(tmp_path / "xdg"),
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
        "DEEP_REVIEW_PLUGIN": str(PLUGIN),
        "DEEP_REVIEW_SERVER": str(Path(sys.executable).parent / "deep-review"),
        "DEEP_REVIEW_RESULT": str(result_file),
    }
    run = subprocess.run(
        [
            binary,
            "--headless",
            "-u",
            str(Path(__file__).parent / "nvim" / "outside_git.lua"),
            "notes.txt",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert run.returncode == 0, run.stderr
    seen = json.loads(result_file.read_text())
    assert seen["client"] is False
    assert any("inside a git repository" in m for m in seen["messages"]), seen


def test_reviewed_file_starts_with_the_bug(tmp_path: Path) -> None:
    """Guards the fixture itself: the fix must change something."""
    repo = build_fixture_repo(tmp_path / "repo", "http://127.0.0.1:9")
    assert (repo.root / REVIEWED_FILE).read_text() == BRANCH_SOURCE != FIXED_SOURCE
