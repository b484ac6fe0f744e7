"""What the review runner and its progress reporter need of the language server.

A protocol rather than the server class, so ``runner`` and ``progress`` sit below ``core``
(which creates the runner) instead of importing it back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types
from pygls.progress import Progress

from deep_review.lsp.protocol import DeepReviewProtocol
from deep_review.lsp.settings import EditorSettings
from deep_review.lsp.state import ReviewState
from deep_review.model import Finding, Review


class ReviewHost(Protocol):
    """The server as the runner sees it: settings, state on screen, and ways to tell the user."""

    editor: EditorSettings
    state: ReviewState
    repo_root: Path | None

    @property
    def protocol(self) -> DeepReviewProtocol: ...

    @property
    def supports_progress(self) -> bool: ...

    @property
    def work_done_progress(self) -> Progress: ...

    async def ask(self, text: str, *choices: str) -> str | None: ...

    def log(self, text: str, kind: types.MessageType = ...) -> None: ...

    def show_message(self, text: str, kind: types.MessageType = ...) -> None: ...

    def send_status(self, **update: Any) -> None: ...

    def show_review(self, review: Review) -> None: ...

    def dismissal_check(self) -> Callable[[Finding], bool]: ...

    def publish(self) -> None: ...
