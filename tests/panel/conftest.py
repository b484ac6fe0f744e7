"""Fixtures for the panel core: a scripted model server, reviewers pointed at it, a real change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deep_review.change import Change, collect_change
from deep_review.config import ReviewerConfig
from deep_review.panel.scripted import ScriptedModelServer
from tests.support.gitrepo import GitRepo

TEST_KEY = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
KEY_ENV = "DEEP_REVIEW_TEST_MODEL_KEY"

BASE_SERVER = '''"""A tiny TCP echo server."""

import socket


def serve(port: int) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen()
    while True:
        conn, _ = listener.accept()
        handle(conn)


def handle(conn: socket.socket) -> None:
    data = conn.recv(1024)
    conn.sendall(data)
    conn.close()
'''

HEAD_SERVER = '''"""A tiny TCP echo server."""

import socket
import threading


def serve(port: int) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", port))
    listener.listen()
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        threading.Thread(target=handle, args=(conn,)).start()


def handle(conn: socket.socket) -> None:
    data = conn.recv(1024)
    conn.sendall(data)
    conn.close()
'''

ACCEPT_LOOP_EVIDENCE = """        try:
            conn, _ = listener.accept()
        except OSError:
            continue"""


@pytest.fixture
def scripted() -> Iterator[ScriptedModelServer]:
    """A running scripted model server with no transcripts yet."""
    with ScriptedModelServer() as server:
        yield server


@pytest.fixture
def env() -> dict[str, str]:
    """The environment handed to the panel: only the test key."""
    return {KEY_ENV: TEST_KEY}


@pytest.fixture
def change(repo: GitRepo) -> Change:
    """A branch that turns the echo server's accept loop into one without backoff."""
    repo.write("echo/server.py", BASE_SERVER)
    repo.write("README.md", "# echo\n")
    repo.commit("Add echo server")
    repo.branch("threaded")
    repo.write("echo/server.py", HEAD_SERVER)
    repo.commit("Serve each connection in a thread\n\nKeeps slow clients from blocking.")
    return collect_change(repo.root, base="main")


def model_reviewer(
    server: ScriptedModelServer, name: str, api: str, model: str | None = None, **extra: Any
) -> ReviewerConfig:
    """A reviewer for ``api`` (anthropic | chat | responses) talking to the scripted server."""
    provider = "anthropic" if api == "anthropic" else "openai"
    settings: dict[str, Any] = {
        "name": name,
        "provider": provider,
        "model": model or f"{name}-model",
        "base_url": server.url if api == "anthropic" else server.openai_url,
        "api_key_env": KEY_ENV,
        "scripted": True,
        "thinking": False,
        "deadline_s": 30.0,
        "request_timeout_s": 10.0,
    }
    if api != "anthropic":
        settings["api"] = api
    settings.update(extra)
    return ReviewerConfig(**settings)


def finding(**overrides: Any) -> dict[str, Any]:
    """A valid finding on the accept loop, as a model would submit it."""
    value: dict[str, Any] = {
        "path": "echo/server.py",
        "start_line": 12,
        "end_line": 15,
        "severity": "important",
        "category": "regression",
        "title": "accept loop spins without backoff on persistent errors",
        "body": "EMFILE makes accept fail forever; the loop retries at full speed.",
        "evidence": ACCEPT_LOOP_EVIDENCE,
    }
    value.update(overrides)
    return value


def submission(**overrides: Any) -> dict[str, Any]:
    """A valid ``submit_review`` input covering the change."""
    value: dict[str, Any] = {
        "summary": "Threads per connection; the accept loop lost its failure handling.",
        "verdict": "Merge with fixes",
        "findings": [finding()],
        "coverage": [{"path": "echo/server.py", "status": "reviewed"}],
    }
    value.update(overrides)
    return value
