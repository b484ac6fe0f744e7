"""The HTML report in a real browser: headless Debian chromium from file://, offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from deep_review.report import finding_anchor, write_reports
from tests.report.fixture_review import ROOT, load_fixture_review

SCREENSHOTS = ROOT / "build" / "screenshots"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("chromium is required for the HTML report tests: apt-get install -y chromium")
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_report_renders_in_chromium_without_console_errors(tmp_path: Path) -> None:
    review = load_fixture_review()
    html = write_reports(review, tmp_path / "report", ["html"])["html"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / "report-fixture.png"
    screenshot.unlink(missing_ok=True)

    shot = chromium(
        tmp_path, f"--screenshot={screenshot}", "--window-size=1280,4000", html.as_uri()
    )
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.is_file() and screenshot.stat().st_size > 50_000

    dark = SCREENSHOTS / "report-fixture-dark.png"
    dark.unlink(missing_ok=True)
    dark_shot = chromium(
        tmp_path,
        "--force-dark-mode",
        "--blink-settings=preferredColorScheme=0",
        f"--screenshot={dark}",
        "--window-size=1280,2000",
        html.as_uri(),
    )
    assert dark_shot.returncode == 0 and dark.is_file()

    dom = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for finding in review.findings:
        assert f'id="{finding_anchor(finding)}"' in dom.stdout
    console = [
        line
        for line in (dom.stderr + shot.stderr + dark_shot.stderr).splitlines()
        if "CONSOLE" in line
        or "Uncaught" in line
        or "Failed to load" in line
        or "ERR_" in line
        or "Refused to" in line
    ]
    assert console == []
