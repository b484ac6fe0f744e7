"""Per-reviewer progress: ``$/progress`` for the editor's spinner and a status summary."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from lsprotocol import types

from deep_review.events import ReviewEvent
from deep_review.lsp.host import ReviewHost
from deep_review.progress import PanelProgress

TITLE = "Deep Review"
CREATE_WAIT_S = 5.0


class ReviewProgress:
    """Tracks a run's reviewers and reports them as work-done progress when the client can."""

    def __init__(self, ls: ReviewHost, on_cancel: Callable[[], None]) -> None:
        self._ls = ls
        self._on_cancel = on_cancel
        self.token: str | None = None
        self.panel = PanelProgress()

    async def begin(self) -> None:
        """Create a cancellable progress token (only when the client supports it) and begin."""
        if not self._ls.supports_progress:
            return
        token = f"deep-review/{uuid.uuid4()}"
        try:
            await asyncio.wait_for(self._ls.work_done_progress.create_async(token), CREATE_WAIT_S)
        except Exception as error:  # refused or unanswered: review without a progress bar
            self._ls.log(f"Progress unavailable: {error}", types.MessageType.Warning)
            return
        self.token = token
        self._ls.work_done_progress.tokens[token].add_done_callback(self._cancelled_by_client)
        self._ls.work_done_progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=TITLE, cancellable=True, message="collecting the change", percentage=0
            ),
        )

    def _cancelled_by_client(self, future: Any) -> None:
        if future.cancelled():
            self._on_cancel()

    @property
    def stage(self) -> str:
        return self.panel.stage

    def update(self, event: ReviewEvent) -> None:
        """Fold one engine event into the per-reviewer table and report it."""
        if self.panel.apply(event):
            self.report()

    def message(self) -> str:
        """One line: the stage, or each reviewer's status."""
        if self.stage == "panel" and self.panel.reviewers:
            return " · ".join(reviewer.label() for reviewer in self.panel.reviewers.values())
        stage_labels = {
            "change": "collecting the change",
            "panel": "starting reviewers",
            "reconcile": "reconciling findings",
            "verify": "verifying findings",
            "report": "writing the report",
            "store": "saving the review",
        }
        return stage_labels.get(self.stage, self.stage)

    def percentage(self) -> int:
        if self.stage in ("reconcile", "verify", "report", "store"):
            return 90
        if not self.panel.reviewers:
            return 0
        done = sum(1 for r in self.panel.reviewers.values() if r.state in ("done", "failed"))
        return int(80 * done / len(self.panel.reviewers))

    def report(self) -> None:
        """Send the current state as ``$/progress`` report and ``deepReview/status``."""
        if self.token is not None:
            self._ls.work_done_progress.report(
                self.token,
                types.WorkDoneProgressReport(
                    message=self.message(), percentage=self.percentage(), cancellable=True
                ),
            )
        self._ls.send_status(state="running", stage=self.stage, reviewers=self.statuses())

    def statuses(self) -> list[dict[str, Any]]:
        return [reviewer.as_status() for reviewer in self.panel.reviewers.values()]

    def end(self, message: str) -> None:
        """Close the progress bar (always called, whatever happened)."""
        if self.token is None:
            return
        self._ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
        self._ls.work_done_progress.tokens.pop(self.token, None)
        self.token = None
