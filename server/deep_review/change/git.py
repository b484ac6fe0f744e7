"""Running the real ``git`` binary with settings that make its output parseable."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from deep_review.errors import DeepReviewError

# Config that would change the shape of diff output (quoting, prefixes, colour, external
# tools) is pinned so parsing never depends on the user's git config.
_PINNED_CONFIG = (
    "-c",
    "core.quotepath=false",
    "-c",
    "color.ui=false",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "core.safecrlf=false",
)


class GitFailed(DeepReviewError):
    """A git command failed; the message carries git's own first line of explanation."""

    def __init__(self, args: tuple[str, ...], returncode: int, stderr: str) -> None:
        first = next((line for line in stderr.splitlines() if line.strip()), "no output")
        super().__init__(f"git {' '.join(args[:2])} failed ({returncode}): {first.strip()}")
        self.first_line = first.strip()
        self.returncode = returncode
        self.stderr = stderr


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git: never prompt, never take optional locks on the real index."""
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    env.pop("GIT_INDEX_FILE", None)
    if extra:
        env.update(extra)
    return env


def run_git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
) -> bytes:
    """Run git in ``cwd`` and return stdout; raise ``GitFailed`` on a non-zero exit."""
    done = _run(cwd, args, env, input_bytes)
    if done.returncode != 0:
        raise GitFailed(args, done.returncode, done.stderr.decode("utf-8", "replace"))
    return done.stdout


def run_git_lenient(
    cwd: Path, *args: str, env: Mapping[str, str] | None = None
) -> tuple[bytes, list[str]]:
    """Run git, tolerating per-path ``error:`` lines (returned); raise only on ``fatal:``."""
    done = _run(cwd, args, env, None)
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0 and ("fatal:" in stderr or "error:" not in stderr):
        raise GitFailed(args, done.returncode, stderr)
    errors = [
        line[len("error:") :].strip() for line in stderr.splitlines() if line.startswith("error:")
    ]
    return done.stdout, errors


def try_git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str | None:
    """Run git; its stripped stdout as text, or None when it fails."""
    done = _run(cwd, args, env, None)
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace").strip()


def git_text(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git and return its stdout as stripped text."""
    return run_git(cwd, *args, env=env).decode("utf-8", "replace").strip()


def _run(
    cwd: Path,
    args: tuple[str, ...],
    env: Mapping[str, str] | None,
    input_bytes: bytes | None,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_PINNED_CONFIG, *args],
            cwd=cwd,
            env=dict(env) if env is not None else git_env(),
            input=input_bytes,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError as error:
        raise DeepReviewError("git is not installed or not on PATH.") from error
