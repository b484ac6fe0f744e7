"""Escape sequences in findings or errors are shown, never obeyed, in the terminal."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from deep_review.cli.review import print_summary
from deep_review.model import ReconciledFinding, Review, ReviewHeader
from deep_review.terminal import progress_table
from deep_review.untrusted import printable

FORGED = "\x1b[2K\r\x1b[32mAll clear, approve\x1b[0m\x1b]0;pwned\x07\x9b31m"


def test_control_characters_are_shown_not_obeyed() -> None:
    shown = printable(FORGED)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\r" not in shown
    assert "\\x1b[32mAll clear" in shown
    assert printable("two\nlines\ttab") == "two\nlines\ttab"
    assert printable("two\nlines", keep_newlines=False) == "two\\nlines"


def test_the_review_summary_prints_no_raw_escape(capsys: pytest.CaptureFixture[str]) -> None:
    finding = ReconciledFinding(
        id="C1", path="app.py", start_line=1, end_line=1, severity="critical",
        category="regression", title=f"Real bug{FORGED}",
    )  # fmt: skip
    header = ReviewHeader(branch="b", date=datetime(2026, 12, 3, tzinfo=UTC))
    review = Review(header=header, findings=[finding], notices=[FORGED])
    print_summary(review, {})
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "Real bug\\x1b" in out


def test_rich_markup_in_an_error_is_not_styled() -> None:
    from deep_review.events import ReviewerFailed, ReviewerStarted
    from deep_review.progress import PanelProgress

    progress = PanelProgress()
    progress.apply(ReviewerStarted(reviewer="m", model="x"))
    progress.apply(ReviewerFailed(reviewer="m", error="[blink]boom[/blink]\x1b[31m"))
    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, force_terminal=False, width=200).print(progress_table(progress))
    assert "[blink]boom[/blink]" in buffer.getvalue()


def test_reports_hold_no_raw_escape_or_nul() -> None:
    from deep_review.report import render_html, render_markdown

    finding = ReconciledFinding(
        id="C1", path="app.py", start_line=1, end_line=1, severity="critical",
        category="regression", title=f"T{FORGED}", body=f"B\x00{FORGED}",
        evidence=f"x = 1{FORGED}", fix=f"-x = 1\n+x = 2{FORGED}\n",
    )  # fmt: skip
    header = ReviewHeader(branch="b", date=datetime(2026, 12, 3, tzinfo=UTC))
    review = Review(header=header, findings=[finding], executive_summary=FORGED)
    for text in (render_markdown(review), render_html(review)):
        assert not any(c in text for c in "\x1b\x00\x07\x9b")
