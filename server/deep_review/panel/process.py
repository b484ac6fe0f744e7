"""Running a child process for a tool or analyzer: no shell, timeout, output cap, clean kill."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio.abc import ByteReceiveStream, Process

# Names of environment variables that may carry credentials: never handed to a child process
# that runs over the branch's code (a model's command, ruff, a sarif-command analyzer).
_SECRET_ENV = re.compile(
    r"(?i)(?:_API_KEY$|_KEY$|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|^AWS_|^AZURE_|^GCP_|"
    r"^GOOGLE_APPLICATION|^GH_|^GITHUB_|^ANTHROPIC|^OPENAI|^GEMINI|^SSH_AUTH_SOCK$|^NPM_CONFIG_|"
    r"^PYPI_|^TWINE_|^DOCKER_AUTH|^KUBECONFIG$|COOKIE|SESSION)"
)


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without anything credential-shaped."""
    source = os.environ if base is None else base
    return {k: v for k, v in source.items() if not _SECRET_ENV.search(k)}


@dataclass
class ProcessResult:
    returncode: int | None
    stdout: bytes
    stderr: bytes
    stdout_dropped: int = 0
    stderr_dropped: int = 0
    timed_out: bool = False


async def _drain(stream: ByteReceiveStream | None, cap: int, sink: bytearray) -> int:
    """Reads ``stream`` to the end, keeping at most ``cap`` bytes; returns the bytes dropped."""
    dropped = 0
    if stream is None:
        return 0
    async for chunk in stream:
        room = cap - len(sink)
        if room > 0:
            sink.extend(chunk[:room])
        dropped += max(0, len(chunk) - max(room, 0))
    return dropped


def _kill_group(process: Process) -> None:
    if process.returncode is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    output_cap: int,
    stdin: bytes | None = None,
    merge_stderr: bool = False,
) -> ProcessResult:
    """Runs ``argv`` (no shell); kills its whole process group on timeout or cancellation.

    Raises ``FileNotFoundError`` / ``PermissionError`` when the program cannot be started.
    """
    out, err = bytearray(), bytearray()
    dropped = {"out": 0, "err": 0}
    process = await anyio.open_process(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        with anyio.move_on_after(timeout) as scope:
            async with anyio.create_task_group() as group:

                async def read_out() -> None:
                    dropped["out"] = await _drain(process.stdout, output_cap, out)

                async def read_err() -> None:
                    dropped["err"] = await _drain(process.stderr, output_cap, err)

                group.start_soon(read_out)
                group.start_soon(read_err)
                if stdin is not None and process.stdin is not None:
                    with contextlib.suppress(anyio.BrokenResourceError, anyio.ClosedResourceError):
                        await process.stdin.send(stdin)
                    await process.stdin.aclose()
            await process.wait()
        timed_out = scope.cancelled_caught
    finally:
        _kill_group(process)
        with anyio.CancelScope(shield=True):
            await process.aclose()
    return ProcessResult(
        returncode=None if timed_out else process.returncode,
        stdout=bytes(out),
        stderr=bytes(err),
        stdout_dropped=dropped["out"],
        stderr_dropped=dropped["err"],
        timed_out=timed_out,
    )
