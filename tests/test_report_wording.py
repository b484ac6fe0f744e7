"""What a reader sees first and how counts read: verdict before contents, "1 suggestion"."""

from __future__ import annotations

import re

from deep_review.report import render_html, render_markdown
from tests.report.fixture_review import load_fixture_review


def test_the_html_verdict_comes_before_the_table_of_contents() -> None:
    review = load_fixture_review()

    page = render_html(review)

    verdict = page.index('id="verdict"')
    assert verdict < page.index('class="toc"')
    assert f"Verdict: {review.header.verdict}" in page[verdict : page.index('class="toc"')]


def test_counts_of_one_are_singular_in_every_report() -> None:
    review = load_fixture_review()
    review.header.reviewers = review.header.reviewers[:1]
    review.findings = [f for f in review.findings if f.severity == "suggestion"][:1]
    review.findings[0].consensus = 1

    for text in (render_markdown(review), render_html(review)):
        assert not re.search(r"\b1 (reviewers|suggestions|findings)\b", text)
        assert "1 suggestion" in text
        assert "Consensus: 1/1 reviewer" in text
