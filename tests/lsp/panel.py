"""Scripted reviewers for the run tests: transcripts and the ``.deep-review.toml`` naming them."""

from __future__ import annotations

from typing import Any

from deep_review.panel.scripted import ScriptedModelServer
from tests.lsp.project import SHELL_FIX
from tests.support.gitrepo import GitRepo

SCRIPTED_KEY_ENV = "DR_TEST_SCRIPTED_KEY"

SHELL = {
    "path": "app.py",
    "start_line": 13,
    "end_line": 14,
    "severity": "critical",
    "category": "regression",
    "title": "Shell injection through run()",
    "body": "`os.system` hands `cmd` to the shell.",
    "evidence": "os.system(cmd)",
    "fix": SHELL_FIX,
}

LEAK = {
    "path": "app.py",
    "start_line": 9,
    "end_line": 9,
    "severity": "important",
    "category": "gap",
    "title": "File handle never closed",
    "evidence": "data = open(path).read()",
}

FSTRING = {
    "path": "app.py",
    "start_line": 5,
    "end_line": 5,
    "severity": "suggestion",
    "category": "enhancement",
    "title": "Use an f-string",
    "evidence": "return 'hi ' + name",
}


def submit(*findings: dict[str, Any], delay_s: float = 0.0) -> dict[str, Any]:
    step: dict[str, Any] = {"submit": {"summary": "Reviewed.", "findings": list(findings)}}
    if delay_s:
        step["delay_s"] = delay_s
    return step


def configure(repo: GitRepo, server: ScriptedModelServer, *reviewers: tuple[str, str]) -> None:
    """Commit a ``.deep-review.toml`` whose reviewers (name, model) use the scripted server.

    ``claude`` speaks the Anthropic API; every other name is an OpenAI-compatible endpoint.
    """
    tables = []
    for name, model in reviewers:
        if name == "claude":
            endpoint = (
                f'provider = "anthropic"\nbase_url = "{server.url}"\n'
                f'api_key_env = "{SCRIPTED_KEY_ENV}"'
            )
        else:
            endpoint = f'provider = "openai-compatible"\nbase_url = "{server.openai_url}"'
        tables.append(
            f'[[reviewers]]\nname = "{name}"\nmodel = "{model}"\n{endpoint}\n'
            "scripted = true\nmax_retries = 0\nrequest_timeout_s = 30\n"
        )
    repo.write(".deep-review.toml", "\n".join(tables))
    repo.commit("configure the scripted panel")
