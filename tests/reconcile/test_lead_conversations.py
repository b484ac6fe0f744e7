"""The lead's separate conversations on one model, each scripted by its opening, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deep_review.change import Change, collect_change
from deep_review.config import ReconcileConfig, ReviewerConfig
from deep_review.events import ReviewerStarted, ReviewEvent, TokensUsed
from deep_review.model import AgentReview, Review
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.reconcile import reconcile
from deep_review.reconcile.model_lead import make_lead
from tests.support.gitrepo import GitRepo

KEY_ENV = "RECONCILE_TEST_LEAD_TOKEN"
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
MERGE = "Decide whether they describe the SAME underlying problem"
MERGE_REASON = "Both describe the `continue` at echo.py:9 retrying accept() with no backoff."
SPLIT_REASON = "One is about the missing backoff, the other about the unlogged error."


def submit(tool: str, **answer: Any) -> dict[str, Any]:
    return {"tool": tool, "input": answer}


def lead_scripts(*, same_problem: bool) -> list[tuple[str | list[str], list[dict[str, Any]]]]:
    """One script per kind of lead conversation, each choosing itself by the prompt's text."""
    reason = MERGE_REASON if same_problem else SPLIT_REASON
    verdict = submit(
        "submit_verification", status="confirmed", reason="echo.py:8-9 retries at once."
    )
    return [
        (MERGE, [submit("submit_merge_decision", same_problem=same_problem, reason=reason)]),
        ("Verify this finding", [{"tool": "read_file", "input": {"path": "echo.py"}}, verdict]),
        (
            ["Write the retro paragraph", '"agent": "claude"'],
            [submit("submit_narrative", narrative="claude read echo.py once.")],
        ),
        (
            ["Write the retro paragraph", '"agent": "gpt"'],
            [submit("submit_narrative", narrative="gpt named the EMFILE case.")],
        ),
        ("Write the executive summary", [submit("submit_summary", summary="One busy loop.")]),
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


def agent_review(name: str, title: str, body: str) -> AgentReview:
    finding = {
        "path": "echo.py", "start_line": 8, "end_line": 9, "severity": "important",
        "category": "regression", "title": title, "body": body, "evidence": EVIDENCE,
    }  # fmt: skip
    return AgentReview.model_validate({"reviewer": name, "findings": [finding]})


PANEL = [
    agent_review(
        "claude",
        "`serve` spins on a persistent `accept` error",
        "`except OSError: continue` retries `listener.accept` at full speed.",
    ),
    agent_review(
        "gpt",
        "Busy loop when `listener.accept` keeps failing",
        "On EMFILE `serve` loops on `accept` forever with no backoff.",
    ),
]


async def review_led_by_claude(
    scripted: ScriptedModelServer,
    change: Change,
    *,
    same_problem: bool,
    events: list[ReviewEvent] | None = None,
) -> Review:
    for when, steps in lead_scripts(same_problem=same_problem):
        scripted.add_transcript("claude-model", steps, when=when)
    claude = ReviewerConfig(
        name="claude", provider="anthropic", model="claude-model", base_url=scripted.url,
        api_key_env=KEY_ENV, scripted=True, deadline_s=30.0, max_retries=0,
    )  # fmt: skip
    sandbox = RepoSandbox(Path(change.repo_root))
    lead = make_lead(
        "claude", [claude], sandbox=sandbox, change=change,
        on_event=(events if events is not None else []).append,
        env={KEY_ENV: "sk-test-lead-conversations"},
    )  # fmt: skip
    return await reconcile(PANEL, change, sandbox, config=ReconcileConfig(), lead=lead)


async def test_each_lead_conversation_follows_its_own_script_on_one_model(
    scripted: ScriptedModelServer, change: Change
) -> None:
    review = await review_led_by_claude(scripted, change, same_problem=True)

    assert review.model_verified is True and review.notices == []
    [finding] = review.findings
    assert finding.verification.status == "confirmed"
    assert finding.verification.note == "echo.py:8-9 retries at once."
    assert [(r.agent, r.narrative) for r in review.retro] == [
        ("claude", "claude read echo.py once."),
        ("gpt", "gpt named the EMFILE case."),
    ]
    assert review.executive_summary.startswith("One busy loop.")
    conversations = {r.when for r in scripted.requests}
    assert len(conversations) == 5 and () not in conversations  # no request fell through


async def test_the_lead_is_announced_once_however_many_conversations_it_holds(
    scripted: ScriptedModelServer, change: Change
) -> None:
    events: list[ReviewEvent] = []
    await review_led_by_claude(scripted, change, same_problem=True, events=events)

    started = [e for e in events if isinstance(e, ReviewerStarted)]
    assert [(e.reviewer, e.model) for e in started] == [("claude-lead", "claude-model")]
    assert any(isinstance(e, TokensUsed) and e.reviewer == "claude-lead" for e in events)
    assert len(scripted.requests) >= 5  # merge, verify (two turns), two narratives, summary


async def test_the_leads_reason_for_a_merge_is_kept_in_the_reconciliation_note(
    scripted: ScriptedModelServer, change: Change
) -> None:
    review = await review_led_by_claude(scripted, change, same_problem=True)

    [merge] = [note for note in review.reconciliation_notes if note.kind == "merge"]
    assert merge.agents == ["claude", "gpt"]
    assert f"the lead confirmed: {MERGE_REASON.rstrip('.')}" in merge.text


async def test_a_merge_the_lead_rejects_leaves_two_findings_and_no_merge_note(
    scripted: ScriptedModelServer, change: Change
) -> None:
    review = await review_led_by_claude(scripted, change, same_problem=False)

    assert sorted(f.agents[0] for f in review.findings) == ["claude", "gpt"]
    assert not [note for note in review.reconciliation_notes if note.kind == "merge"]
