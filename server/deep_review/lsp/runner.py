"""Running the engine from the editor: one review at a time, as a task, streaming its events."""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from deep_review.errors import DeepReviewError
from deep_review.events import (
    Notice,
    ReviewCompleted,
    ReviewerFailed,
    ReviewerFinished,
    ReviewEvent,
)
from deep_review.lsp.host import ReviewHost
from deep_review.lsp.progress import ReviewProgress
from deep_review.lsp.settings import merge_settings
from deep_review.rounds.history import round_summary
from deep_review.wording import plural

if TYPE_CHECKING:
    from deep_review.config import Settings
    from deep_review.model import Review

logger = logging.getLogger(__name__)

TRUST = "Trust"
NOT_NOW = "Not now"

TICK_S = 1.0
CANCEL_WAIT_S = 5.0


ENGINE_MODULES = ("deep_review.engine", "deep_review.panel", "deep_review.reconcile")


def _import_engine() -> None:
    for name in ENGINE_MODULES:
        importlib.import_module(name)


class ReviewRunner:
    """Owns the running review task; a second run while one runs is refused (see ``start``)."""

    def __init__(self, ls: ReviewHost) -> None:
        self._ls = ls
        self._trust_declined: set[str] = set()
        self.task: asyncio.Task[None] | None = None
        self.progress: ReviewProgress | None = None
        self._rerun_after = False
        self._save_timer: asyncio.TimerHandle | None = None
        # Set by `cancel`: reviewers then stop as "cancelled", which is no failure to warn about.
        self._cancelling = False

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self, *, use_cache: bool = True) -> bool:
        """Queue a review; False (and nothing started) when one is already running.

        Refusing rather than restarting keeps a review the user waited minutes for from being
        thrown away by a stray click; ``deepReview.cancel`` then ``deepReview.run`` restarts.
        """
        if self.running:
            return False
        self._cancelling = False
        self.task = asyncio.create_task(self._run(use_cache=use_cache), name="deep-review run")
        return True

    def schedule_on_save(self) -> None:
        """Debounced run after a save (``runMode = onSave``); one more run if one is going."""
        if self._save_timer is not None:
            self._save_timer.cancel()
        delay = self._ls.editor.debounce_ms / 1000
        self._save_timer = asyncio.get_running_loop().call_later(delay, self._run_after_save)

    def _run_after_save(self) -> None:
        self._save_timer = None
        if not self.start():
            self._rerun_after = True

    def cancel(self) -> bool:
        """Ask the running review to stop; False when nothing runs."""
        if self._save_timer is not None:
            self._save_timer.cancel()
            self._save_timer = None
        self._rerun_after = False
        if not self.running or self.task is None:
            return False
        self._cancelling = True
        self.task.cancel()
        return True

    def _cancel_from_client(self) -> None:
        self.cancel()

    async def wait(self, timeout: float = CANCEL_WAIT_S) -> None:
        """Wait (bounded) for the running task to finish its cleanup."""
        if self.task is not None and not self.task.done():
            await asyncio.wait({self.task}, timeout=timeout)

    async def _run(self, *, use_cache: bool) -> None:
        ls = self._ls
        ls.state.running = True
        ls.state.discard_preliminary()
        self.progress = progress = ReviewProgress(ls, on_cancel=self._cancel_from_client)
        ls.send_status(state="running", stage="change", reviewers=[])
        ticker = asyncio.create_task(self._tick(progress))
        outcome, message = "failed", "Review failed."
        try:
            await progress.begin()
            review = await self._review(use_cache=use_cache)
            counts = review.counts()
            outcome = "done"
            message = (
                f"Review done: {counts['critical']} critical, {counts['important']} important, "
                f"{plural(counts['suggestion'], 'suggestion')}."
            )
            since = round_summary(review)
            if since:
                message += f" ({since})"
        except asyncio.CancelledError:
            outcome, message = "cancelled", "Review cancelled."
            ls.state.discard_preliminary()
            ls.log("Deep Review: the review was cancelled.")
        except DeepReviewError as error:
            message = f"Deep Review: {error.message}"
            ls.state.discard_preliminary()
            ls.show_message(message, types.MessageType.Error)
        except Exception as error:
            logger.exception("review failed")
            message = f"Deep Review failed: {error}"
            ls.state.discard_preliminary()
            ls.show_message(message, types.MessageType.Error)
        finally:
            ticker.cancel()
            ls.state.running = False
            progress.end(message)
            ls.publish()
            ls.send_status(
                state="idle" if outcome == "cancelled" else outcome,
                stage=None,
                reviewers=progress.statuses(),
                message=message,
            )
            self._follow_up()

    def _follow_up(self) -> None:
        if self._rerun_after and not self._ls.protocol.exited:
            self._rerun_after = False
            loop = asyncio.get_running_loop()
            loop.call_soon(lambda: self.start())

    async def _tick(self, progress: ReviewProgress) -> None:
        # Elapsed times move even while no event arrives (a reviewer thinking for a minute).
        while True:
            await asyncio.sleep(TICK_S)
            if progress.stage == "panel":
                progress.report()

    async def _review(self, *, use_cache: bool) -> Review:
        # The engine's modules (and the model SDKs behind them) take a second or more to import:
        # import them in a thread so hovers and code actions keep answering meanwhile.
        await asyncio.to_thread(_import_engine)
        from deep_review.engine import run_review

        ls = self._ls
        root = ls.repo_root
        if root is None:
            raise DeepReviewError("The workspace is not inside a git repository.")
        settings = await self.settings()
        return await run_review(
            root,
            settings=settings,
            base=ls.editor.base_ref or None,
            include_uncommitted=ls.editor.include_uncommitted,
            reviewer_names=ls.editor.reviewer_names or None,
            on_event=self.on_event,
            use_cache=use_cache,
        )

    async def settings(self) -> Settings:
        """The repository's settings with the editor's laid over them (read in a thread)."""
        from deep_review.config_loader import load_settings

        root = self._ls.repo_root
        if root is None:
            raise DeepReviewError("The workspace is not inside a git repository.")
        repo = await asyncio.to_thread(load_settings, root)
        if repo.withheld and await self._trust_asked(root, repo.withheld):
            repo = await asyncio.to_thread(load_settings, root)
        return merge_settings(repo, self._ls.editor)

    async def _trust_asked(self, root: Path, withheld: list[str]) -> bool:
        """Ask the user (once per config) to trust what the repository's config runs or sends."""
        from deep_review.config_loader import repository_config
        from deep_review.workspace_trust import grant

        config = await asyncio.to_thread(repository_config, root)
        if config.digest in self._trust_declined:
            return False
        listed = "; ".join(withheld)
        answer = await self._ls.ask(
            f"Deep Review: this repository's own config asks to: {listed}. Trust it as it is"
            " now? Until you do, these settings are left out.",
            TRUST,
            NOT_NOW,
        )
        if answer != TRUST:
            self._trust_declined.add(config.digest)
            return False
        await asyncio.to_thread(grant, root, config.digest, os.environ)
        return True

    def on_event(self, event: ReviewEvent) -> None:
        """The engine's event sink: progress, streamed diagnostics, the final review."""
        ls = self._ls
        if self.progress is not None:
            self.progress.update(event)
        if isinstance(event, ReviewerFinished):
            if event.review.status == "completed":
                ls.state.add_preliminary(event.review, is_dismissed=ls.dismissal_check())
                ls.publish()
        elif isinstance(event, ReviewerFailed) and self._cancelling:
            ls.log(f"Deep Review: reviewer {event.reviewer} stopped: {event.error}")
        elif isinstance(event, ReviewerFailed):
            ls.show_message(
                f"Deep Review: reviewer {event.reviewer} failed: {event.error}",
                types.MessageType.Warning,
            )
        elif isinstance(event, Notice):
            ls.log(f"Deep Review: {event.text}")
        elif isinstance(event, ReviewCompleted):
            ls.show_review(event.review)
