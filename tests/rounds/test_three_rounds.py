"""A branch reviewed in three rounds by scripted reviewers, as its author lives through it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from deep_review.cli import main
from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer
from tests.rounds import scenario
from tests.support.gitrepo import GitRepo


@dataclass
class ThreeRounds:
    repo: GitRepo
    rounds: list[Review]
    shas: dict[str, str]
    server: ScriptedModelServer

    def report(self, number: int, suffix: str) -> str:
        review = self.rounds[number - 1]
        stem = review.header.date.strftime("%Y%m%d-%H%M%S") + "-pool"
        return (self.repo.root / ".deep-review" / "reviews" / f"{stem}{suffix}").read_text()

    def prompts(self, number: int) -> list[str]:
        """The first user message of each reviewer conversation of round ``number``."""
        marker = f"This is round {number} " if number > 1 else None
        texts = [first_user_message(r.body) for r in self.server.requests]
        if marker is None:
            return [t for t in texts if "This is round" not in t]
        return [t for t in texts if marker in t]


def first_user_message(body: dict[str, Any]) -> str:
    """The opening user message of an Anthropic or Chat Completions request, as text."""
    for message in body.get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        return "\n".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


@pytest.fixture(scope="module")
def three_rounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreeRounds]:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as env, ScriptedModelServer() as server:
        env.setenv("HOME", str(home))
        env.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        env.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        env.setenv(scenario.KEY_ENV, "scripted-key")
        env.setenv("DEEP_REVIEW_TRUST_ALL_REPOSITORIES", "1")  # the user's own repository
        scenario.transcripts(server)
        repo = scenario.build(GitRepo(tmp_path_factory.mktemp("rounds") / "repo"), server)
        assert scenario.review(repo, "--format", "html", "--format", "sarif") == 0
        dismissed = main(
            ["dismiss", "S1", "--reason", "30 s is what ops asked for", "--repo", str(repo.root)]
        )
        assert dismissed == 0
        shas = scenario.between_rounds_1_and_2(repo)
        assert scenario.review(repo, "--format", "html", "--format", "sarif") == 0
        scenario.between_rounds_2_and_3(repo)
        assert scenario.review(repo, "--format", "html", "--format", "sarif") == 0
        rounds = scenario.saved_reviews(repo.root)
        yield ThreeRounds(repo, rounds, shas, server)


def statuses(review: Review) -> dict[str, str]:
    assert review.rounds is not None
    return {p.finding_id: p.status for p in review.rounds.prior_findings}


def test_each_round_is_numbered_and_knows_the_one_before(three_rounds: ThreeRounds) -> None:
    first, second, third = three_rounds.rounds
    assert [r.header.round for r in three_rounds.rounds] == [1, 2, 3]
    assert second.rounds is not None and second.rounds.prior_round == 1
    assert second.rounds.prior_head_sha == first.header.head_sha
    assert third.rounds is not None and third.rounds.prior_head_sha == second.header.head_sha


def test_round_2_classifies_every_round_1_finding(three_rounds: ThreeRounds) -> None:
    first, second, _ = three_rounds.rounds
    titles = {f.id: f.title for f in first.findings}
    assert titles["I1"].startswith("Cache file handle")
    assert titles["I2"].startswith("restart() leaks")
    assert statuses(second) == {
        "I1": "partially-addressed",  # the handle is closed; the .gitignore half is not done
        "I2": "addressed",  # fixed exactly as proposed
        "S1": "dismissed",
        "S2": "unaddressed",
        "S3": "obsolete",  # app/util.py was deleted
    }
    assert second.rounds is not None
    prior = {p.finding_id: p for p in second.rounds.prior_findings}
    assert ".gitignore" in prior["I1"].evidence
    assert three_rounds.shas["leak"][:7] in prior["I2"].evidence
    assert "as its fix proposed" in prior["I2"].evidence
    assert prior["S1"].dismissal_reason == "30 s is what ops asked for"
    assert prior["S3"].commits == [three_rounds.shas["helper"]]


def test_commit_messages_citing_findings_are_checked_against_the_code(
    three_rounds: ThreeRounds,
) -> None:
    second = three_rounds.rounds[1]
    assert second.rounds is not None
    prior = {p.finding_id: p for p in second.rounds.prior_findings}
    shas = three_rounds.shas
    assert [(c.sha, c.check) for c in prior["I2"].citations] == [(shas["leak"], "honoured")]
    assert [(c.sha, c.check) for c in prior["I1"].citations] == [(shas["cache"], "partly-honoured")]
    # "fixes S2" in a commit that only touched the README: disproved.
    assert [(c.sha, c.check) for c in prior["S2"].citations] == [(shas["claim"], "disproved")]
    assert prior["S2"].citation_label == f"cited in {shas['claim'][:7]} but still present"
    markdown = three_rounds.report(2, ".md")
    assert f"cited in {shas['claim'][:7]} but still present" in markdown


def test_round_2_findings_say_which_prior_finding_they_continue(three_rounds: ThreeRounds) -> None:
    second = three_rounds.rounds[1]
    by_title = {f.title: f for f in second.findings}
    spawn = by_title["Workers are bare object() placeholders"]
    assert spawn.prior is not None and spawn.prior.label == "round 1 S2 unaddressed"
    # Not raised again by the reviewers, still half open: carried, marked, one level lower.
    cache = by_title["Cache file handle is never closed and the cache file is not ignored"]
    assert cache.prior is not None
    assert cache.prior.label == "round 1 I1 partially unaddressed"
    assert (cache.severity, cache.agents) == ("suggestion", [])
    assert 'with open(path, "w") as handle:' in cache.evidence  # the code as it is now
    # Its fix is checked against today's code by the one applicability check.
    assert cache.fix_status == "stale" and "already applied to app/cache.py" in (
        cache.fix_status_reason
    )
    size = by_title["Pool size is never validated"]
    assert size.prior is None
    assert second.rounds is not None and second.rounds.new_ids == [size.id]
    # The addressed and obsolete findings are gone from the list.
    assert not any(t.startswith(("restart() leaks", "legacy_helper")) for t in by_title)


def test_prior_round_gate_keeps_a_suggestion_a_suggestion_unless_its_code_changed(
    three_rounds: ThreeRounds,
) -> None:
    _, second, third = three_rounds.rounds
    spawn2 = next(f for f in second.findings if f.title.startswith("Workers are bare"))
    # Raised as important, but it was a suggestion in round 1 and its code did not move.
    assert spawn2.severity == "suggestion" and spawn2.id.startswith("S")
    gate = [n for n in second.reconciliation_notes if "Prior-round gate" in n.text]
    assert len(gate) == 1 and gate[0].finding_id == spawn2.id
    assert "round 1 S2 was a suggestion" in gate[0].text
    # Round 3: four lines around spawn() changed, so the reviewer's important stands.
    spawn3 = next(f for f in third.findings if f.title.startswith("Workers are bare"))
    assert spawn3.severity == "important"
    assert spawn3.prior is not None and spawn3.prior.label == f"round 2 {spawn2.id} unaddressed"
    lifted = [n for n in third.reconciliation_notes if "gate lifted" in n.text]
    assert len(lifted) == 1 and "4 lines around it changed" in lifted[0].text


def test_a_dismissed_finding_stays_dismissed_when_reworded(three_rounds: ThreeRounds) -> None:
    second = three_rounds.rounds[1]
    assert not any("Timeout" in f.title for f in second.findings)
    assert second.rounds is not None
    [dismissed] = second.rounds.dismissed
    assert dismissed.title == "Timeout constant should come from settings"  # other words
    assert (dismissed.dismissed_as, dismissed.reason) == ("S1", "30 s is what ops asked for")
    markdown = three_rounds.report(2, ".md")
    tail = markdown[markdown.index("## Dismissed findings") :]
    assert "Timeout constant should come from settings" in tail
    assert "30 s is what ops asked for" in tail


def test_round_3_follows_round_2(three_rounds: ThreeRounds) -> None:
    second, third = three_rounds.rounds[1:]
    cache_id = next(f.id for f in second.findings if f.title.startswith("Cache file"))
    size_id = next(f.id for f in second.findings if f.title.startswith("Pool size"))
    assert statuses(third)[cache_id] == "addressed"  # .gitignore done in round 3
    assert statuses(third)[size_id] == "unaddressed"
    size = next(f for f in third.findings if f.title.startswith("Pool size"))
    assert size.prior is not None and size.prior.label == f"round 2 {size_id} unaddressed"


def test_round_2_report_has_the_reference_round_2_sections(three_rounds: ThreeRounds) -> None:
    first = three_rounds.rounds[0]
    markdown = three_rounds.report(2, ".md")
    assert f"| **Round** | 2 (since round 1 at `{first.header.head_sha[:9]}`" in markdown
    summary = markdown[markdown.index("## Executive Summary") :]
    assert summary.split("\n\n")[1].startswith(
        f"Round 2 of this branch. Since round 1 (commit `{first.header.head_sha[:9]}`) the author"
        " has addressed 1 of 5 findings: I2 (restart() leaks the previous workers)."
    )
    since = markdown[markdown.index("## Since round 1") : markdown.index("## Critical Issues")]
    for prior_id, status in (
        ("I1", "partially addressed"),
        ("I2", "addressed"),
        ("S1", "dismissed"),
        ("S2", "unaddressed"),
        ("S3", "obsolete"),
    ):
        assert f"| round 1 {prior_id} |" in since and f"**{status}" in since
    assert "Prior-round gate" in since
    assert "— round 1 S2 unaddressed** — app/pool.py:14-15" in markdown
    assert "— round 1 I1 partially unaddressed**" in markdown
    # 002's sections, in 002's order, with "Since round 1" after the summary.
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    reference = [
        "Executive Summary",
        "Critical Issues",
        "Important Issues",
        "Suggestions",
        "Design Observations",
        "Testing Assessment",
        "Documentation Assessment",
        "Commit Structure",
        "Acknowledged Limitations",
        "Unresolved Feedback",
        "Agent Performance Retro",
        "Review Process Notes",
    ]
    assert [h for h in headings if h in reference] == reference
    assert headings.index("Since round 1") == headings.index("Executive Summary") + 1
    assert headings[-1] == "Dismissed findings"
    html = three_rounds.report(2, ".html")
    assert 'id="since-prior-round"' in html and 'id="dismissed-findings"' in html
    assert "round 1 S2 unaddressed" in html


def test_json_and_sarif_agree_with_the_report(three_rounds: ThreeRounds) -> None:
    second = three_rounds.rounds[1]
    saved = json.loads(three_rounds.report(2, ".json"))
    assert saved["rounds"]["prior_round"] == 1
    sarif = json.loads(three_rounds.report(2, ".sarif"))
    schema = Path(__file__).parents[1] / "report" / "sarif-schema-2.1.0.json"
    jsonschema.Draft4Validator(json.loads(schema.read_text())).validate(sarif)
    results = sarif["runs"][0]["results"]
    by_id = {r["properties"].get("id"): r for r in results if "id" in r["properties"]}
    for finding in second.findings:
        expected = "new" if finding.prior is None else "updated"
        if finding.prior is not None and finding.prior.relation == "unaddressed":
            expected = (
                "unchanged" if finding.prior.prior_severity == finding.severity else "updated"
            )
        assert by_id[finding.id]["baselineState"] == expected
    absent = {r["properties"]["priorId"] for r in results if r["baselineState"] == "absent"}
    assert absent == {"I2", "S3", "S1"}  # addressed, obsolete, dismissed
    suppressed = [r for r in results if r.get("suppressions")]
    assert suppressed[0]["suppressions"][0]["justification"] == "30 s is what ops asked for"
    first = json.loads(three_rounds.report(1, ".sarif"))
    assert all("baselineState" not in r for r in first["runs"][0]["results"])


def test_round_2_reviewers_get_the_prior_findings_and_only_the_new_change_in_full(
    three_rounds: ThreeRounds,
) -> None:
    first, second, _ = three_rounds.rounds
    [round2_prompt, *_] = three_rounds.prompts(2)
    assert "prior-round-findings" in round2_prompt
    rows = [json.loads(line) for line in round2_prompt.splitlines() if line.startswith('{"id"')]
    assert {(r["id"], r["status"]) for r in rows} == {
        ("round 1 I1", "partially-addressed"),
        ("round 1 I2", "addressed"),
        ("round 1 S1", "dismissed"),
        ("round 1 S2", "unaddressed"),
        ("round 1 S3", "obsolete"),
    }
    assert "The change since round 1, in full" in round2_prompt
    assert "+        self.stop()" in round2_prompt  # the fix since round 1, in full
    assert "handler_150" not in round2_prompt  # the untouched bulk of the branch: summary only
    assert "app/handlers.py (added" in round2_prompt
    assert all("handler_150" in p for p in three_rounds.prompts(1))
    # Counted by the scripted model server: a small fix costs a fraction of the first round.
    assert scenario.prompt_tokens(second) * 3 <= scenario.prompt_tokens(first)


def test_history_lists_the_rounds_and_report_re_renders_an_older_one(
    three_rounds: ThreeRounds, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(three_rounds.repo.root)
    assert main(["history", "--repo", root]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Rounds of pool:"
    assert [line.split()[1] for line in lines[1:]] == ["1", "2", "3"]
    assert "since previous: 1 addressed, 1 partly, 1 new" in lines[2]
    assert main(["history", "--repo", root, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rounds"]
    assert [r["head"] for r in rows] == [r.header.head_sha[:7] for r in three_rounds.rounds]
    assert main(["report", "--repo", root, "--round", "1", "--format", "md", "--out", "-"]) == 0
    assert "| **Round** | 1 |" in capsys.readouterr().out
    assert main(["report", "--repo", root, "--round", "7", "--out", "-", "--format", "md"]) == 2
    assert "no round 7 of pool: rounds are 1, 2, 3" in capsys.readouterr().err


def test_full_review_and_undismiss(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(scenario.KEY_ENV, "scripted-key")
    with ScriptedModelServer() as server:
        scenario.transcripts(server)
        scenario.build(repo, server)
        assert scenario.review(repo) == 0
        root = str(repo.root)
        assert main(["dismiss", "S1", "--reason", "later", "--repo", root]) == 0
        assert main(["undismiss", "S1", "--repo", root]) == 0
        assert "undismissed S1 Timeout is hard-coded" in capsys.readouterr().out
        assert main(["undismiss", "S1", "--repo", root]) == 2
        scenario.between_rounds_1_and_2(repo)
        assert scenario.review(repo, "--full") == 0
        _, second = scenario.saved_reviews(repo.root)
        assert second.rounds is not None and not second.rounds.incremental
        assert any("Timeout constant" in f.title for f in second.findings)  # undismissed
        round2 = [r.text for r in server.requests if "This is round 2" in r.text]
        assert round2 and all("handler_150" in text for text in round2)
        assert "The change since round 1, in full" not in round2[0]


def test_dismissing_an_unknown_id_names_the_findings(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(scenario.KEY_ENV, "scripted-key")
    with ScriptedModelServer() as server:
        scenario.transcripts(server)
        scenario.build(repo, server)
        assert scenario.review(repo) == 0
    assert main(["dismiss", "S9", "--repo", str(repo.root)]) == 2
    assert "no finding S9 in the latest review (round 1)" in capsys.readouterr().err
