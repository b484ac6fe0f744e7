"""The pure parts: line tracking, settings merging, the --tcp address."""

from __future__ import annotations

import pytest

from deep_review.cli import main
from deep_review.config import ReviewerConfig, Settings
from deep_review.errors import ConfigError
from deep_review.lsp.settings import merge_settings, parse_editor_settings
from deep_review.lsp.tracking import Anchor, LineEdit, LineSpan, anchor_for, shift_span

LINES = ["import os", "", "def run(cmd):", "    os.system(cmd)", "", "x = 1"]


def insert(line: int, text: str, character: int = 0) -> LineEdit:
    return LineEdit(line, character, line, character, text)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (insert(0, "a\nb\n"), LineSpan(4, 5)),  # two lines above
        (insert(2, "# note\n"), LineSpan(3, 4)),  # a line inserted right at the span's start
        (LineEdit(0, 0, 1, 0, ""), LineSpan(1, 2)),  # first line deleted
        (insert(5, "y = 2\n"), LineSpan(2, 3)),  # below: no change
        (insert(3, "\n    pass", character=18), LineSpan(2, 4)),  # inside: the span grows
        (LineEdit(2, 0, 4, 0, ""), LineSpan(2, 2)),  # the span itself deleted
    ],
)
def test_shift_span(edit: LineEdit, expected: LineSpan) -> None:
    assert shift_span(LineSpan(2, 3), edit) == expected


def test_anchor_keeps_the_reported_span_around_its_evidence() -> None:
    anchor = anchor_for(LINES, LineSpan(2, 3), "os.system(cmd)")
    assert anchor == Anchor(LineSpan(2, 3), ["os.system(cmd)"], before=1, after=0)


def test_anchor_moves_to_evidence_found_elsewhere() -> None:
    anchor = anchor_for(LINES, LineSpan(0, 0), "    os.system(cmd)\n")
    assert anchor.span == LineSpan(3, 3) and not anchor.resolved


def test_anchor_without_evidence_in_the_file_uses_the_reported_lines() -> None:
    anchor = anchor_for(LINES, LineSpan(5, 9), "not in the file")
    assert anchor.span == LineSpan(5, 5) and anchor.code == ["x = 1"]


def test_anchor_follows_edits_and_resolves_when_the_code_goes() -> None:
    anchor = anchor_for(LINES, LineSpan(2, 3), "os.system(cmd)")
    lines = ["# top", *LINES]
    anchor.follow([insert(0, "# top\n")], lines)
    assert anchor.span == LineSpan(3, 4) and not anchor.resolved
    lines[4] = "    subprocess.run(cmd)"
    anchor.follow([LineEdit(4, 4, 4, 18, "subprocess.run(cmd)")], lines)
    assert anchor.resolved
    anchor.revalidate(["# top", *LINES])  # reverted (e.g. closed without saving)
    assert not anchor.resolved and anchor.span == LineSpan(3, 4)


def test_editor_settings_accept_the_section_or_its_content() -> None:
    assert parse_editor_settings({"deepReview": {"runMode": "onSave"}}).run_mode == "onSave"
    bare = parse_editor_settings({"minimumSeverity": "important", "baseRef": "develop"})
    assert bare.minimum_severity == "important" and bare.base_ref == "develop"
    assert parse_editor_settings(None).run_mode == "manual"
    assert not bare.shows("suggestion") and bare.shows("critical")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"deepReview": {"minimumSeverity": "urgent"}}, "minimumSeverity"),
        ({"deepReview": {"debounceMs": -1}}, "debounceMs"),
        (["not", "an", "object"], "must be an object"),
    ],
)
def test_bad_editor_settings_are_clear_errors(raw: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_editor_settings(raw)


def test_editor_reviewers_merge_by_name_over_the_repository() -> None:
    repo = Settings(
        reviewers=[
            ReviewerConfig(name="claude", provider="anthropic", model="opus", max_turns=10),
            ReviewerConfig(name="codex", provider="openai", model="gpt"),
        ],
        base="main",
    )
    editor = parse_editor_settings(
        {
            "reviewers": [
                {"name": "claude", "model": "sonnet"},
                {"name": "local", "provider": "openai-compatible", "base_url": "http://x/v1"},
            ],
            "baseRef": "develop",
            "includeUncommitted": False,
        }
    )
    merged = merge_settings(repo, editor)
    by_name = {r.name: r for r in merged.reviewers}
    assert by_name["claude"].model == "sonnet" and by_name["claude"].max_turns == 10
    assert by_name["codex"].model == "gpt"
    assert by_name["local"].provider == "openai-compatible"
    assert merged.base == "develop" and merged.change.include_uncommitted is False


def test_an_editor_reviewer_without_provider_is_a_clear_error() -> None:
    editor = parse_editor_settings({"reviewers": [{"name": "new"}]})
    with pytest.raises(ConfigError, match="Invalid reviewer 'new': provider"):
        merge_settings(Settings(), editor)


def test_serve_rejects_a_bad_tcp_address(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--tcp", "localhost"]) == 2
    assert "--tcp expects HOST:PORT" in capsys.readouterr().err


def test_reviewer_names_from_the_editor_select_from_the_panel() -> None:
    editor = parse_editor_settings({"reviewers": ["codex", {"name": "local", "model": "m"}]})
    assert editor.reviewer_names == ["codex", "local"]
    assert parse_editor_settings({"reviewers": [{"name": "x"}]}).reviewer_names == []
    assert parse_editor_settings({"reviewers": []}).reviewer_names == []
