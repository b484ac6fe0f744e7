"""Live progress in the terminal: one row per reviewer, fed by the engine's event stream."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from deep_review.events import (
    Notice,
    ReviewerFailed,
    ReviewerFinished,
    ReviewerRetrying,
    ReviewerStarted,
    ReviewEvent,
    StageStarted,
    TokensUsed,
    ToolCalled,
)


@dataclass
class ReviewerRow:
    name: str
    model: str = ""
    status: str = "running"
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    detail: str = ""

    @property
    def elapsed_s(self) -> float:
        return (self.finished or time.monotonic()) - self.started


@dataclass
class ProgressBoard:
    """The state of a running review, as a person wants to see it."""

    rows: dict[str, ReviewerRow] = field(default_factory=dict)
    stage: str = ""
    notices: list[str] = field(default_factory=list)

    def apply(self, event: ReviewEvent) -> str | None:
        """Fold one event into the board; returns a log line worth printing, if any."""
        if isinstance(event, ReviewerStarted):
            self.rows[event.reviewer] = ReviewerRow(event.reviewer, event.model)
            return f"{event.reviewer}: started ({event.model or 'analyzer'})"
        if isinstance(event, StageStarted):
            self.stage = event.stage
            return f"stage: {event.stage}{' — ' + event.detail if event.detail else ''}"
        if isinstance(event, Notice):
            self.notices.append(event.text)
            return event.text
        row = self.rows.get(getattr(event, "reviewer", ""))
        if row is None:
            return None
        if isinstance(event, ToolCalled):
            row.tool_calls = event.total_calls
        elif isinstance(event, TokensUsed):
            row.input_tokens = event.input_tokens
            row.output_tokens = event.output_tokens
        elif isinstance(event, ReviewerRetrying):
            row.detail = f"retrying in {event.delay_s:.1f}s: {event.reason}"
            return f"{row.name}: {row.detail}"
        elif isinstance(event, ReviewerFinished):
            row.status, row.finished, row.detail = "done", time.monotonic(), ""
            return f"{row.name}: done, {len(event.review.findings)} findings"
        elif isinstance(event, ReviewerFailed):
            row.status, row.finished, row.detail = "failed", time.monotonic(), event.error
            return f"{row.name}: failed — {event.error}"
        return None

    def table(self) -> Table:
        table = Table(title=f"Deep Review — {self.stage or 'starting'}", expand=False)
        for column in ("reviewer", "status", "tool calls", "elapsed", "tokens in/out", ""):
            table.add_column(column)
        for row in self.rows.values():
            table.add_row(
                row.name,
                row.status,
                str(row.tool_calls),
                f"{row.elapsed_s:.0f}s",
                f"{row.input_tokens}/{row.output_tokens}",
                row.detail[:60],
            )
        return table


class TerminalProgress:
    """Shows a ProgressBoard live on a terminal, or as plain lines when output is not a TTY."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.board = ProgressBoard()
        self._live: Live | None = None
        if self.stream.isatty():
            self._live = Live(
                self.board.table(), console=Console(file=self.stream), refresh_per_second=4
            )

    def __enter__(self) -> TerminalProgress:
        if self._live is not None:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def __call__(self, event: ReviewEvent) -> None:
        line = self.board.apply(event)
        if self._live is not None:
            self._live.update(self.board.table())
        elif line:
            print(f"deep-review: {line}", file=self.stream, flush=True)
