"""ModelLead end to end: real SDKs over HTTP to the scripted model server, a real git change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deep_review.change import Change, collect_change
from deep_review.config import ReconcileConfig, ReviewerConfig
from deep_review.events import ReviewEvent
from deep_review.model import AgentReview
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.reconcile import reconcile
from deep_review.reconcile.model_lead import make_lead
from tests.support.gitrepo import GitRepo

KEY_ENV = "RECONCILE_TEST_LEAD_TOKEN"
TEST_KEY = "sk-test-lead-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
HEAD = """import socket


def serve(listener: socket.socket) -> None:
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        conn.close()
"""
EVIDENCE = "except OSError:\n    continue"
VERIFY_REASON = "accept() fails only on EMFILE here and the loop recovers once fds free up."
ANSWERS: list[dict[str, Any]] = [
    {"tool": "read_file", "input": {"path": "echo.py"}},
    {
        "calls": [
            {"tool": "submit_merge_decision", "input": {"same_problem": True, "reason": "Same."}},
            {
                "tool": "submit_verification",
                "input": {
                    "status": "downgraded",
                    "severity": "suggestion",
                    "reason": VERIFY_REASON,
                    "repo_context": "[repo] echo runs with a high file-descriptor limit.",
                },
            },
            {"tool": "submit_narrative", "input": {"narrative": "Scripted retro paragraph."}},
            {"tool": "submit_summary", "input": {"summary": "Scripted executive summary."}},
        ]
    },
]


@pytest.fixture
def scripted() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer() as server:
        yield server


@pytest.fixture
def change(repo: GitRepo) -> Change:
    repo.write("echo.py", "import socket\n")
    repo.commit("Start echo")
    repo.branch("loop")
    repo.write("echo.py", HEAD)
    repo.commit("Accept in a loop")
    return collect_change(repo.root, base="main")


def _reviewer(server: ScriptedModelServer, name: str, model: str, api: str) -> ReviewerConfig:
    settings: dict[str, Any] = {
        "name": name,
        "provider": "anthropic" if api == "anthropic" else "openai",
        "model": model,
        "base_url": server.url if api == "anthropic" else server.openai_url,
        "api_key_env": KEY_ENV,
        "scripted": True,
        "deadline_s": 30.0,
        "request_timeout_s": 10.0,
        "max_retries": 0,
    }
    if api != "anthropic":
        settings["api"] = api
    return ReviewerConfig(**settings)


def _agent_review(name: str, title: str, body: str) -> AgentReview:
    return AgentReview.model_validate(
        {
            "reviewer": name,
            "findings": [
                {
                    "path": "echo.py", "start_line": 8, "end_line": 9, "severity": "important",
                    "category": "regression", "title": title, "body": body, "evidence": EVIDENCE,
                }
            ],
        }
    )  # fmt: skip


PANEL = [
    _agent_review(
        "claude",
        "`serve` spins on a persistent `accept` error",
        "`except OSError: continue` retries `listener.accept` at full speed.",
    ),
    _agent_review(
        "gpt",
        "Busy loop when `listener.accept` keeps failing",
        "On EMFILE `serve` loops on `accept` forever with no backoff.",
    ),
]


async def test_the_scripted_lead_confirms_merges_verifies_and_narrates(
    scripted: ScriptedModelServer, change: Change
) -> None:
    scripted.add_transcript("claude-lead", ANSWERS)
    claude = _reviewer(scripted, "claude", "claude-lead", "anthropic")
    events: list[ReviewEvent] = []
    sandbox = RepoSandbox(Path(change.repo_root))
    lead = make_lead(
        "claude", [claude], sandbox=sandbox, change=change, on_event=events.append,
        env={KEY_ENV: TEST_KEY},
    )  # fmt: skip
    review = await reconcile(PANEL, change, sandbox, config=ReconcileConfig(), lead=lead)

    assert review.model_verified is True
    assert review.notices == []
    [finding] = review.findings
    assert (finding.id, finding.severity, finding.agents) == ("S1", "suggestion", ["claude", "gpt"])
    assert finding.verification.status == "downgraded"
    assert finding.verification.note == VERIFY_REASON
    assert finding.verification.verifier == "claude (claude-lead)"
    assert review.process_notes.repo_context_updates == [
        "[repo] echo runs with a high file-descriptor limit."
    ]
    assert [r.narrative for r in review.retro] == ["Scripted retro paragraph."] * 2
    assert review.executive_summary.startswith("Scripted executive summary.")

    requests = scripted.requests_for("claude-lead")
    tools_offered = {t["name"] for r in requests for t in r.body.get("tools", [])}
    assert {"read_file", "submit_verification", "submit_merge_decision"} <= tools_offered
    verify_prompt = next(r.text for r in requests if "submit_verification" in r.text and
                         "Verify this finding" in r.text)  # fmt: skip
    assert "<<<BEGIN DATA-" in verify_prompt  # the finding is fenced as data
    assert TEST_KEY not in review.model_dump_json()
    assert any(getattr(e, "reviewer", "") == "claude-lead" for e in events)


async def test_verification_prefers_a_model_of_another_family(
    scripted: ScriptedModelServer, change: Change
) -> None:
    scripted.add_transcript("claude-lead", ANSWERS)
    scripted.add_transcript("gpt-verifier", ANSWERS)
    claude = _reviewer(scripted, "claude", "claude-lead", "anthropic")
    gpt = _reviewer(scripted, "gpt", "gpt-verifier", "chat")
    sandbox = RepoSandbox(Path(change.repo_root))
    lead = make_lead(
        "claude", [claude, gpt], sandbox=sandbox, change=change, on_event=lambda e: None,
        env={KEY_ENV: TEST_KEY},
    )  # fmt: skip
    only_claude = [PANEL[0]]
    review = await reconcile(only_claude, change, sandbox, config=ReconcileConfig(), lead=lead)

    assert review.findings[0].verification.verifier == "gpt (gpt-verifier)"
    assert any("Verify this finding" in r.text for r in scripted.requests_for("gpt-verifier"))


async def test_a_lead_that_fails_leaves_a_deterministic_review_and_says_so(
    scripted: ScriptedModelServer, change: Change
) -> None:
    scripted.add_transcript("claude-lead", [{"status": 500, "message": "upstream down"}])
    claude = _reviewer(scripted, "claude", "claude-lead", "anthropic")
    sandbox = RepoSandbox(Path(change.repo_root))
    lead = make_lead(
        "claude", [claude], sandbox=sandbox, change=change, on_event=lambda e: None,
        env={KEY_ENV: TEST_KEY},
    )  # fmt: skip
    review = await reconcile(PANEL, change, sandbox, config=ReconcileConfig(), lead=lead)

    assert review.model_verified is False
    [notice] = review.notices
    assert notice.startswith("Claims were not model-verified: the lead model failed")
    [finding] = review.findings  # the rule-based merge still happened
    assert (finding.severity, finding.verification.status) == ("important", "unverified")


TOKEN = "ghp_" + "Zq7RtY2mWx9LkP4vB8nC3dF6gH1jS5aE0uIo"
LEAKY = f'import os\n\nGITHUB_TOKEN = "{TOKEN}"\n\n\ndef token() -> str:\n    return GITHUB_TOKEN\n'


async def test_an_analyzer_finding_with_a_secret_reaches_the_lead_redacted(
    scripted: ScriptedModelServer, repo: GitRepo
) -> None:
    repo.write("config.py", "import os\n")
    repo.commit("Start config")
    repo.branch("token")
    repo.write("config.py", LEAKY)
    repo.commit("Hard-code the token")
    change = collect_change(repo.root, base="main")
    evidence = f'GITHUB_TOKEN = "{TOKEN}"'
    ruff = AgentReview.model_validate(
        {
            "reviewer": "ruff",
            "findings": [
                {
                    "path": "config.py", "start_line": 3, "end_line": 3, "severity": "critical",
                    "category": "regression", "title": f"S105 hard-coded password {TOKEN}",
                    "body": f"Possible hardcoded password assigned to: {evidence}",
                    "evidence": evidence,
                    "fix": (
                        "--- a/config.py\n+++ b/config.py\n@@ -3 +3 @@\n"
                        f'-GITHUB_TOKEN = "{TOKEN}"\n+GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]\n'
                    ),
                    "related": [
                        {"path": "config.py", "start_line": 7, "end_line": 7,
                         "note": f"returns {TOKEN}"}
                    ],
                }
            ],
        }
    )  # fmt: skip
    scripted.add_transcript("claude-lead", ANSWERS)
    claude = _reviewer(scripted, "claude", "claude-lead", "anthropic")
    sandbox = RepoSandbox(Path(change.repo_root))
    lead = make_lead(
        "claude", [claude], sandbox=sandbox, change=change, on_event=lambda e: None,
        env={KEY_ENV: TEST_KEY},
    )  # fmt: skip
    review = await reconcile([ruff], change, sandbox, config=ReconcileConfig(), lead=lead)

    requests = scripted.requests_for("claude-lead")
    assert any("Verify this finding" in r.text for r in requests)
    assert any("S105 hard-coded password" in r.text for r in requests)
    for request in requests:
        assert TOKEN not in request.text
        assert TOKEN[4:24] not in str(request.body)
    [finding] = review.findings  # the stored finding keeps the real evidence for grounding
    assert finding.evidence == evidence
