"""Whatever a reviewer writes, the report keeps its shape and shows no raw HTML."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from deep_review.report import render_html, render_markdown
from tests.report.test_markdown import SECTIONS, empty_review, finding, h2_titles

# Markdown-significant characters, fence material and a tag we can look for afterwards.
PIECES = st.sampled_from(
    ["<zzz>", "</zzz>", "<zzz onload=x>", "`", "```", "~~~", "#", "## ", "\n", "\n\n", "-", "=",
     "*", "_", "|", "&", "[", "]", "(", ")", "!", "\\", "    ", "\t", "a", "b c", "<", ">"]
)  # fmt: skip
TEXT = st.lists(PIECES, max_size=30).map("".join)
RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")


@settings(max_examples=150, deadline=None)
@given(title=TEXT.filter(lambda t: t.strip() != ""), body=TEXT, evidence=TEXT)
# Found by this test: headings inside a block quote or list, and ``---`` under a line.
@example(title="<zzz>", body=">## ", evidence="")
@example(title="t", body="- # x\n1. ## y", evidence="")
@example(title="t", body="<zzz>\n-", evidence="")
@example(title="<zzz>", body="\\`<zzz>`", evidence="")
def test_markdown_keeps_sections_and_never_emits_reviewer_tags(
    title: str, body: str, evidence: str
) -> None:
    review = empty_review(findings=[finding(title=title, body=body, evidence=evidence)])
    markdown = render_markdown(review)
    assert h2_titles(markdown, html=True) == SECTIONS
    assert "<zzz" not in RENDER.render(markdown)
    fences = [t for t in RENDER.parse(markdown) if t.type == "fence"]
    if evidence.strip():
        expected = evidence.replace("\r\n", "\n").rstrip("\n") + "\n"
        assert fences[0].content == expected


@settings(max_examples=40, deadline=None)
@given(title=TEXT.filter(lambda t: t.strip() != ""), body=TEXT)
def test_html_never_emits_reviewer_tags(title: str, body: str) -> None:
    page = render_html(empty_review(findings=[finding(title=title, body=body)]))
    assert "<zzz" not in page
