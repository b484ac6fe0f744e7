"""A small reviewed project and scripted reviewers for the hostile-input tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer
from tests.support.gitrepo import GitRepo

KEY_ENV = "HOSTILE_SCRIPTED_KEY"

BASE = "def greet(name):\n    return 'hi ' + name\n"
CHANGED = BASE + "\n\ndef run(cmd):\n    import os\n    os.system(cmd)\n"


def project(repo: GitRepo) -> GitRepo:
    """``main`` with a greeting; branch ``feature`` adds ``run`` (a shell call) to app.py."""
    repo.write("app.py", BASE)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app.py", CHANGED)
    repo.commit("add run")
    return repo


def finding(path: str = "app.py", **fields: Any) -> dict[str, Any]:
    """One submitted finding on ``run`` (lines 5-6 of app.py) unless fields say otherwise."""
    base: dict[str, Any] = {
        "severity": "critical",
        "category": "regression",
        "title": "Shell injection through run()",
        "path": path,
        "start_line": 5,
        "end_line": 6,
        "body": "`os.system` passes `cmd` to the shell.",
        "evidence": "os.system(cmd)",
    }
    return {**base, **fields}


def submit(*findings: Any, **extra: Any) -> dict[str, Any]:
    """A ``submit_review`` step with these findings."""
    review: dict[str, Any] = {
        "summary": "Adds run().",
        "verdict": "Needs changes",
        "findings": list(findings),
        "coverage": [{"path": "app.py", "status": "reviewed"}],
    }
    return {"submit": {**review, **extra}}


def configure(
    repo: GitRepo, server: ScriptedModelServer, *models: str, commit: bool = True
) -> None:
    """Write ``.deep-review.toml``: a scripted reviewer per model, Anthropic and OpenAI in turn."""
    tables = []
    for index, model in enumerate(models):
        provider, url = (
            ("anthropic", server.url) if index % 2 == 0 else ("openai", server.openai_url)
        )
        tables.append(
            f'[[reviewers]]\nname = "{model}"\nprovider = "{provider}"\nmodel = "{model}"\n'
            f'base_url = "{url}"\napi_key_env = "{KEY_ENV}"\nscripted = true\n'
            "max_retries = 0\n"
        )
    repo.write(".deep-review.toml", "\n".join(tables))
    if commit:
        repo.git("add", ".deep-review.toml")
        repo.commit("configure the scripted reviewers")


def latest_review(root: Path) -> Review:
    """The review ``deep-review review`` saved last."""
    saved = sorted((root / ".deep-review" / "reviews").glob("*.json"))
    assert saved, "no review was saved"
    return Review.model_validate_json(saved[-1].read_text(encoding="utf-8"))
