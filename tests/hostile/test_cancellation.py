"""Ctrl-C during a review: exit 130 at once, nothing half-written, no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, configure, finding, project, submit
from tests.support.gitrepo import GitRepo

SLOW_ANALYZER = """\
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", sys.argv[1] + "-child"])
time.sleep(120)
"""


def processes_with(marker: str) -> list[str]:
    """Command lines of live processes that carry ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state != "Z":
            found.append(cmdline)
    return found


def wait_until(predicate: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_sigint_mid_review_exits_130_and_leaves_nothing_behind(
    repo: GitRepo, tmp_path: Path
) -> None:
    project(repo)
    marker = f"hostile-analyzer-{os.getpid()}-{time.monotonic_ns()}"
    script = tmp_path / "slow_analyzer.py"
    script.write_text(SLOW_ANALYZER)
    transcripts = {"hangs": [{"hang": True}], "quick": [submit(finding())]}
    with ScriptedModelServer(transcripts) as server:
        configure(repo, server, *transcripts, commit=False)
        with (repo.root / ".deep-review.toml").open("a") as config:
            config.write(
                '\n[[reviewers]]\nname = "slowlint"\nprovider = "sarif-command"\n'
                f'command = "{sys.executable} {script} {marker}"\n'
            )
        review = subprocess.Popen(
            [sys.executable, "-m", "deep_review", "review", "--repo", str(repo.root)],
            env={**os.environ, KEY_ENV: "sk-test-0000"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            wait_until(lambda: server.requests_for("hangs") and len(processes_with(marker)) == 2)
            review.send_signal(signal.SIGINT)
            _, err = review.communicate(timeout=20)
        finally:
            if review.poll() is None:
                os.killpg(review.pid, signal.SIGKILL)

    assert review.returncode == 130, err
    assert "cancelled" in err
    assert "Traceback" not in err
    wait_until(lambda: not processes_with(marker), timeout=5)
    store = repo.root / ".deep-review"
    leftovers = [p for p in store.rglob("*") if p.is_file()] if store.exists() else []
    assert not [p for p in leftovers if p.suffix == ".tmp"]  # atomic writes' temp files
    assert not [p for p in leftovers if "reviews" in p.parts]
