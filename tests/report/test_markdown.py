"""The Markdown report: the reference layout, section by section, with reviewer text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from markdown_it import MarkdownIt

from deep_review.model import (
    ReconciledFinding,
    Review,
    ReviewerInfo,
    ReviewHeader,
    Verification,
)
from deep_review.report import render_markdown
from tests.report.fixture_review import assert_golden, load_fixture_review

SECTIONS = [
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
    "Appendix: Low-confidence findings",
    "Appendix: Excluded files and withheld secrets",
    "Appendix: Original Reviews",
]


def empty_review(**changes: object) -> Review:
    header = ReviewHeader(date=datetime(2026, 5, 1, 9, 30, 5, tzinfo=UTC), branch="feature/x")
    return Review.model_validate({"header": header, **changes})


def finding(**changes: object) -> ReconciledFinding:
    values: dict[str, object] = {
        "id": "I1",
        "path": "src/app.py",
        "start_line": 3,
        "end_line": 4,
        "severity": "important",
        "category": "regression",
        "title": "Off by one",
        "body": "The loop skips the last item.",
        "evidence": "for i in range(len(items) - 1):\n    use(items[i])",
        "agents": ["claude"],
    }
    values.update(changes)
    return ReconciledFinding.model_validate(values)


def h2_titles(markdown: str, *, html: bool = False) -> list[str]:
    parser = MarkdownIt("commonmark", {"html": html}).enable("table")
    tokens = parser.parse(markdown)
    return [
        tokens[i + 1].content
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h2"
    ]


def test_fixture_review_matches_golden_markdown() -> None:
    assert_golden("host-switch.md", render_markdown(load_fixture_review()))


def test_title_and_header_table_follow_the_reference() -> None:
    markdown = render_markdown(load_fixture_review())
    assert markdown.startswith("# Deep Review: 20260408-145125-pr-280\n")
    rows = re.findall(r"^\| \*\*(.+?)\*\* \|", markdown, flags=re.MULTILINE)
    assert rows == [
        "Date",
        "Repo",
        "Round",
        "Author",
        "PR",
        "Branch",
        "Commits",
        "Reviewers",
        "Verdict",
        "Wall-clock time",
    ]
    assert "| **Wall-clock time** | `33 min 29 s` |" in markdown
    assert "gemini (gemini-3.1-pro) — timed-out" in markdown
    assert "**Merge with fixes** — lifecycle integration gaps" in markdown


def test_sections_come_in_reference_order() -> None:
    assert h2_titles(render_markdown(load_fixture_review())) == SECTIONS


def test_empty_sections_say_none_rather_than_disappearing() -> None:
    markdown = render_markdown(empty_review())
    assert h2_titles(markdown) == SECTIONS
    for title in SECTIONS:
        if title in ("Executive Summary", "Agent Performance Retro", "Review Process Notes"):
            continue
        section = markdown.split(f"## {title}\n\n", 1)[1]
        assert section.startswith("None."), title
    assert "Structure: 0 critical, 0 important, 0 suggestions, 0 design observations." in markdown
    assert "# Deep Review: 20260501-093005-feature-x" in markdown


def test_finding_line_evidence_explanation_and_fix() -> None:
    markdown = render_markdown(load_fixture_review())
    assert (
        "I2. **`startHostSwitch` overwrites state without cancelling existing goroutine** — "
        "hostswitch_windows.go:54-59 [claude, codex] (important, regression)"
    ) in markdown
    i1 = markdown.split("I1. **", 1)[1].split("\nI2. **", 1)[0]
    assert "```go\ncase phaseRunning:" in i1
    assert "Every other shutdown path calls `stopHostSwitch`" in i1
    assert "Fix:\n\n```diff\n--- a/limavm_lifecycle.go" in i1
    assert "Fix status" not in i1  # it applies: nothing to warn about
    assert "**Outside the diff**" in i1
    assert "Consensus: 1/3 reviewers" in i1 and "verified by claude" in i1


def test_fix_status_and_downgrade_note_are_shown() -> None:
    markdown = render_markdown(load_fixture_review())
    assert "Fix status: **stale** — the context lines no longer match the file" in markdown
    assert "Fix status: **applies-with-offset**" in markdown
    assert (
        "**Downgraded** from critical (codex): the panic needs a narrow timing window" in markdown
    )


def test_retro_table_has_agents_as_columns() -> None:
    markdown = render_markdown(load_fixture_review())
    assert "| | claude | codex | gemini |" in markdown
    assert "| Findings | 0C 2I 1S | 1C 1I 1S | 0C 0I 0S |" in markdown
    assert "| Files reviewed | 3/3 | 3/3 | 0/3 |" in markdown
    assert "| Status | completed | completed | timed-out |" in markdown
    assert "- (downgrade) I3: Codex critical → important" in markdown


def test_appendices_list_exclusions_secret_kinds_and_original_reviews() -> None:
    review = load_fixture_review()
    markdown = render_markdown(review)
    appendix = markdown.split("## Appendix: Excluded files and withheld secrets", 1)[1]
    assert "| `go.sum` | generated lock file |" in appendix
    assert "| aws-access-key | `testdata/wsl.env:3` |" in appendix
    originals = markdown.split("## Appendix: Original Reviews", 1)[1]
    assert "### claude (claude-opus-4-6)" in originals
    assert "Status: **timed-out**" in originals
    assert '{"findings": [{"title": "context lifetime"' in originals
    for agent in review.agent_reviews:
        for raw in agent.findings:
            assert raw.evidence.splitlines()[0] in originals


def test_notices_say_when_claims_were_not_verified_and_reviewers_were_scripted() -> None:
    scripted = ReviewerInfo(name="claude", provider="anthropic", scripted=True)
    review = empty_review(model_verified=False)
    review.header.reviewers.append(scripted)
    markdown = render_markdown(review)
    assert "**Notice:** The findings' claims were not model-verified" in markdown
    assert "**Notice:** Scripted reviewers" in markdown
    assert "not model-verified" not in render_markdown(empty_review(model_verified=True))


def test_reviewer_html_never_reaches_a_markdown_renderer_with_html_enabled() -> None:
    hostile = finding(
        title="<script>alert(1)</script>",
        body="<img src=x onerror=alert(1)>\n\n<div onclick='x()'>click</div>",
        evidence="x = 1",
    )
    markdown = render_markdown(empty_review(findings=[hostile]))
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    assert "<script" not in rendered and "<img" not in rendered and "<div" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # shown, as text


def test_evidence_with_fences_cannot_break_out_of_its_block() -> None:
    evidence = 'doc = """\n```\n## Critical Issues\n```\n"""'
    markdown = render_markdown(empty_review(findings=[finding(evidence=evidence)]))
    tokens = MarkdownIt("commonmark").parse(markdown)
    fences = [t for t in tokens if t.type == "fence"]
    assert fences[0].content == evidence + "\n"
    assert fences[0].info == "python"
    assert h2_titles(markdown) == SECTIONS


def test_unclosed_fences_and_headings_in_reviewer_text_cannot_reshape_the_report() -> None:
    body = "## Critical Issues\nFake heading.\n\n```python\nnever closed"
    markdown = render_markdown(empty_review(findings=[finding(body=body)]))
    assert h2_titles(markdown) == SECTIONS
    assert h2_titles(markdown, html=True) == SECTIONS


def test_code_spans_keep_angle_brackets_literal() -> None:
    review = empty_review(findings=[finding(title="Use `List<T>` not <b>raw</b>")])
    rendered = MarkdownIt("commonmark", {"html": True}).render(render_markdown(review))
    assert "<code>List&lt;T&gt;</code>" in rendered
    assert "<b>" not in rendered


def test_downgraded_finding_without_note_still_says_so() -> None:
    downgraded = finding(
        verification=Verification(status="downgraded"),
        original_severities={"gemini": "critical"},
    )
    markdown = render_markdown(empty_review(findings=[downgraded]))
    assert "**Downgraded** from critical (gemini): no reason given" in markdown


def test_notices_and_structure_line_are_not_repeated() -> None:
    review = empty_review(
        executive_summary="All good.\n\nStructure: 0 Critical, 0 Important, 0 Suggestions.",
        notices=["Claims were not model-verified: no lead model was configured."],
    )
    review.header.reviewers.append(ReviewerInfo(name="claude", provider="anthropic", scripted=True))
    review.notices.append("Demo: the reviewers are SCRIPTED.")
    markdown = render_markdown(review)
    assert markdown.count("Structure:") == 1
    assert markdown.count("model-verified") == 1
    assert markdown.count("**Notice:**") == 2
