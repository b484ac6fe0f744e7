"""Live progress in the terminal: one row per reviewer, fed by the engine's event stream."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from deep_review.events import (
    Notice,
    ReviewerFailed,
    ReviewerFinished,
    ReviewerRetrying,
    ReviewerStarted,
    ReviewEvent,
    StageStarted,
)
from deep_review.progress import PanelProgress, retry_detail
from deep_review.untrusted import printable
from deep_review.wording import plural


def log_line(event: ReviewEvent) -> str | None:
    """The line worth printing for an event, if any: built from the event alone.

    (Reading the progress board here once cleared a retry's detail before it was printed.)
    """
    if isinstance(event, ReviewerStarted):
        return f"{event.reviewer}: started ({event.model or 'analyzer'})"
    if isinstance(event, StageStarted):
        return f"stage: {event.stage}{' — ' + event.detail if event.detail else ''}"
    if isinstance(event, Notice):
        return event.text
    if isinstance(event, ReviewerRetrying):
        return f"{event.reviewer}: {retry_detail(event)}"
    if isinstance(event, ReviewerFailed):
        return f"{event.reviewer}: failed — {event.error or 'no reason given'}"
    if isinstance(event, ReviewerFinished):
        return f"{event.reviewer}: done, {plural(len(event.review.findings), 'finding')}"
    return None


def progress_table(progress: PanelProgress) -> Table:
    """One row per reviewer: status, tool calls, elapsed, tokens."""
    table = Table(title=f"Deep Review — {progress.stage}", expand=False)
    for column in ("reviewer", "status", "tool calls", "elapsed", "tokens in/out", ""):
        table.add_column(column)
    for row in progress.reviewers.values():
        table.add_row(
            row.name,
            row.state,
            str(row.tool_calls),
            f"{row.elapsed_s:.0f}s",
            f"{row.input_tokens}/{row.output_tokens}",
            # A Text, not a str: rich would read "[...]" in an endpoint's error as markup.
            Text(printable(row.detail[:60], keep_newlines=False)),
        )
    return table


class TerminalProgress:
    """Shows a ProgressBoard live on a terminal, or as plain lines when output is not a TTY."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.progress = PanelProgress()
        self._live: Live | None = None
        if self.stream.isatty():
            self._live = Live(
                progress_table(self.progress),
                console=Console(file=self.stream),
                refresh_per_second=4,
            )

    def __enter__(self) -> TerminalProgress:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def __call__(self, event: ReviewEvent) -> None:
        if not self.progress.apply(event):
            return
        if self._live is not None:
            self._live.update(progress_table(self.progress))
        elif line := log_line(event):
            print(f"deep-review: {printable(line)}", file=self.stream, flush=True)
