"""`deep-review review` and `deep-review demo`: the whole pipeline, as a user runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deep_review.cli import main
from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer
from tests.support.gitrepo import GitRepo

LEAK_FIX = """\
--- a/app/pool.py
+++ b/app/pool.py
@@ -9,3 +9,4 @@
     def restart(self):
-        self.workers = self.spawn()
+        self.stop()
+        self.workers = self.spawn()
         return self.workers
"""

POOL_BASE = """\
class Pool:
    def __init__(self, size):
        self.size = size
        self.workers = []

    def stop(self):
        self.workers.clear()

"""

POOL_CHANGE = (
    POOL_BASE
    + """\
    def restart(self):
        self.workers = self.spawn()
        return self.workers

    def spawn(self):
        return [object() for _ in range(self.size)]
"""
)


def leak_finding(
    title: str, start: int, end: int, severity: str = "important"
) -> dict[str, object]:
    return {
        "severity": severity,
        "category": "regression",
        "title": title,
        "path": "app/pool.py",
        "start_line": start,
        "end_line": end,
        "body": "restart() replaces the workers without stopping the old ones.",
        "evidence": "        self.workers = self.spawn()",
        "fix": LEAK_FIX,
    }


def submit(*findings: dict[str, Any]) -> dict[str, Any]:
    return {
        "submit": {
            "summary": "Adds Pool.restart.",
            "verdict": "Merge with fixes",
            "findings": list(findings),
            "coverage": [{"path": "app/pool.py", "status": "reviewed"}],
        }
    }


@pytest.fixture
def pool_repo(repo: GitRepo) -> GitRepo:
    repo.write("app/pool.py", POOL_BASE)
    repo.commit("Add the pool")
    repo.branch("restart")
    repo.write("app/pool.py", POOL_CHANGE)
    repo.commit("Pool: restart in place")
    return repo


def configure(repo: GitRepo, server: ScriptedModelServer) -> None:
    repo.write(
        ".deep-review.toml",
        f"""
[[reviewers]]
name = "claude"
provider = "anthropic"
model = "claude-scripted"
base_url = "{server.url}"
api_key_env = "SCRIPTED_KEY"
scripted = true

[[reviewers]]
name = "codex"
provider = "openai"
model = "gpt-scripted"
base_url = "{server.openai_url}"
api_key_env = "SCRIPTED_KEY"
scripted = true
""",
    )
    repo.git("add", ".deep-review.toml")
    repo.commit("Configure the scripted reviewers")


@pytest.fixture
def server() -> Iterator[ScriptedModelServer]:
    transcripts: dict[str, list[dict[str, Any]]] = {
        "claude-scripted": [
            {"tool": "read_file", "input": {"path": "app/pool.py"}},
            submit(leak_finding("restart() leaks the previous workers", 9, 10)),
        ],
        "gpt-scripted": [
            {"tool": "grep", "input": {"pattern": "def stop"}},
            submit(leak_finding("Old workers are never stopped on restart", 10, 10, "critical")),
        ],
    }
    with ScriptedModelServer(transcripts) as running:
        yield running


def test_review_merges_the_panel_into_one_finding_and_writes_the_report(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", "sk-scripted-not-a-real-key-0000")
    configure(pool_repo, server)

    code = main(["review", "--repo", str(pool_repo.root), "--format", "md", "--format", "json"])

    out = capsys.readouterr().out
    assert code == 0
    saved = sorted((pool_repo.root / ".deep-review" / "reviews").glob("*.json"))
    review = Review.model_validate_json(saved[-1].read_text())
    assert [f.id for f in review.findings] == ["I1"] or [f.id for f in review.findings] == ["C1"]
    finding = review.findings[0]
    assert sorted(finding.agents) == ["claude", "codex"]
    assert finding.original_severities == {"claude": "important", "codex": "critical"}
    assert finding.fix_status == "applies"
    assert f"{finding.id}  app/pool.py:" in out
    markdown = next(p for p in saved[-1].parent.glob("*.md"))
    assert "scripted" in markdown.read_text()
    assert "sk-scripted-not-a-real-key-0000" not in markdown.read_text()
    assert "sk-scripted-not-a-real-key-0000" not in saved[-1].read_text()


def test_fail_on_sets_exit_code_and_second_run_comes_from_cache(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", "scripted")
    configure(pool_repo, server)
    sarif = tmp_path / "review.sarif"

    first = main(
        [
            "review",
            "--repo",
            str(pool_repo.root),
            "--fail-on",
            "important",
            "--format",
            "sarif",
            "--out",
            str(sarif),
        ]
    )
    requests_after_first = len(server.requests)
    second = main(["review", "--repo", str(pool_repo.root), "--fail-on", "critical"])

    assert first == 1
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert len(server.requests) == requests_after_first  # cached: no model was asked again
    review = Review.model_validate_json(
        sorted((pool_repo.root / ".deep-review" / "reviews").glob("*.json"))[-1].read_text()
    )
    worst = review.findings[0].severity
    assert second == (1 if worst == "critical" else 0)


def test_review_without_model_keys_runs_the_analyzers_and_says_how_to_add_models(
    pool_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pool_repo.write("app/extra.py", "import os\n")

    code = main(["review", "--repo", str(pool_repo.root), "--format", "md"])

    captured = capsys.readouterr()
    assert code == 3  # not reviewed by a model: a script must not read it as "all clear"
    assert "ANTHROPIC_API_KEY" in captured.out + captured.err
    assert "no model reviewer ran" in captured.err
    assert "F401" in captured.out


def test_an_analyzers_only_panel_asked_for_by_name_exits_0(
    pool_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pool_repo.write("app/extra.py", "import os\n")

    code = main(["review", "--repo", str(pool_repo.root), "--reviewers", "ruff", "--format", "md"])

    assert code == 0
    assert "F401" in capsys.readouterr().out


def test_review_outside_a_git_repository_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["review", "--repo", str(tmp_path)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("deep-review: ") and "git" in err
    assert "Traceback" not in err


def test_unknown_reviewer_name_is_named_in_the_error(
    pool_repo: GitRepo, server: ScriptedModelServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(pool_repo, server)

    code = main(["review", "--repo", str(pool_repo.root), "--reviewers", "claude,nobody"])

    assert code == 2
    assert "nobody" in capsys.readouterr().err


def test_demo_reviews_the_example_change_with_labelled_scripted_reviewers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["demo", "--out", str(tmp_path / "demo")])

    captured = capsys.readouterr()
    assert code == 0
    assert "reviewers and the lead that verified their findings are SCRIPTED" in captured.err
    saved = sorted((tmp_path / "demo" / ".deep-review" / "reviews").glob("*.json"))
    review = Review.model_validate_json(saved[-1].read_text())
    titles = " | ".join(f.title for f in review.findings)
    assert "HealthWatcher" in titles  # the restart-path lifecycle leak
    assert "accept" in titles.lower()  # the accept loop without backoff
    assert "F401" in titles  # the real ruff analyzer
    leak = next(f for f in review.findings if "HealthWatcher" in f.title)
    assert sorted(leak.agents) == ["claude", "codex"]
    accept = [f for f in review.findings if "accept" in f.title.lower()]
    assert len(accept) == 1, "two reviewers' reports of the accept loop must merge"
    assert all(r.scripted for r in review.header.reviewers if r.provider != "ruff")
    markdown = saved[-1].with_suffix(".md").read_text()
    assert "SCRIPTED" in markdown  # the lead's answers are replayed too, and the report says so
    assert "forwarder.py:88" not in " ".join(f.location_label for f in review.findings)

    # The scripted lead (claude) confirmed the merges and verified every claim.
    assert review.model_verified is True
    assert not any("not model-verified" in notice for notice in review.notices)
    by_title = {f.title.split(" ")[0]: f for f in review.findings}

    # Every finding was checked, each by a model of a family that did not raise it.
    assert {f.verification.status for f in review.findings} <= {"confirmed", "downgraded"}
    leak = by_title["handle_guest_reboot"]
    assert (leak.verification.status, leak.verification.verifier) == (
        "confirmed",
        "gemini (gemini-3.1-pro)",  # found by claude and codex: a third family verifies
    )
    assert "agent.py:45-47" in leak.verification.note
    start = by_title["start()"]
    assert (start.verification.status, start.verification.verifier) == (
        "confirmed",
        "codex (gpt-5.4)",  # claude's own finding is not verified by claude
    )
    assert "EADDRINUSE" in start.verification.note
    callable_hint = by_title["`callable`"]
    assert (callable_hint.id[0], callable_hint.verification.status) == ("S", "confirmed")
    assert "health.py:27" in callable_hint.verification.note

    # The merged accept-loop finding was raised at critical by gemini: verified, kept important.
    loop = by_title["Accept"]
    assert (loop.severity, loop.verification.status) == ("important", "downgraded")
    assert loop.original_severities == {"codex": "important", "gemini": "critical"}
    assert "forwarder.py:35-39" in loop.verification.note
    banner = by_title["Banner"]
    assert (banner.severity, banner.verification.status) == ("suggestion", "downgraded")
    assert f"**Downgraded** from important (codex): {banner.verification.note}" in markdown

    # The lead confirmed both merges in its own words, and kept apart a look-alike claim.
    merges = [n.text for n in review.reconciliation_notes if n.kind == "merge"]
    assert len(merges) == 2 and all("the lead confirmed: Both describe" in m for m in merges)

    # A claim that reads plausibly but that the code refutes is dropped, with the reason.
    assert "stop() closes the socket" not in " | ".join(f.title for f in review.findings)
    [drop] = [n for n in review.reconciliation_notes if "dropped by the verifier" in n.text]
    assert drop.agents == ["gemini"] and "forwarder.py:26" in drop.text
    gemini = next(r for r in review.retro if r.agent == "gemini")
    assert any("stop() closes the socket" in fp for fp in gemini.false_positives)
    assert review.process_notes.repo_context_updates  # what the verifiers learned about the repo

    # The lead wrote the retro narratives and the executive summary, and the report shows them.
    for retro in review.retro:
        assert retro.narrative and f"{retro.agent} raised" not in retro.narrative  # no template
        assert retro.narrative in markdown
    assert "dropped by verification" in gemini.narrative
    assert review.executive_summary.startswith("The change makes the host agent wait")
    assert "I1: handle_guest_reboot" in markdown


def test_secrets_in_the_change_never_reach_a_model_and_the_review_lists_them(
    pool_repo: GitRepo, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", "scripted")
    configure(pool_repo, server)
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    pool_repo.write("app/settings.py", f'GITHUB_TOKEN = "{token}"\n')

    code = main(["review", "--repo", str(pool_repo.root), "--format", "json"])

    assert code == 0
    assert server.requests, "the reviewers were asked"
    assert all(token not in request.text for request in server.requests)
    review = Review.model_validate_json(
        sorted((pool_repo.root / ".deep-review" / "reviews").glob("*.json"))[-1].read_text()
    )
    assert [(s.path, s.line) for s in review.withheld_secrets] == [("app/settings.py", 1)]
