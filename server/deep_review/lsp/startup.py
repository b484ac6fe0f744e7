"""At start-up: show the saved review when the change has not moved (no model calls)."""

from __future__ import annotations

import asyncio
import logging

from lsprotocol import types

from deep_review.errors import DeepReviewError
from deep_review.lsp.core import DeepReviewServer
from deep_review.lsp.state import review_key
from deep_review.wording import plural

logger = logging.getLogger(__name__)


async def load_saved_review(ls: DeepReviewServer, *, replace: bool = False) -> bool:
    """Publish the cached review for (base, head, diff hash); False when there is none.

    At start-up (``replace`` False) a review already on screen wins; later (a review saved from
    the command line) a different saved review of the same change replaces it.
    """
    from deep_review.change import collect_change

    runner, store, root = ls.runner, ls.store, ls.repo_root
    if runner is None or store is None or root is None:
        return False
    try:
        settings = await runner.settings()
        change = await asyncio.to_thread(
            collect_change,
            root,
            base=settings.base,
            include_uncommitted=settings.change.include_uncommitted,
            config=settings.change,
        )
        review = await asyncio.to_thread(
            store.cached_review, change.base_sha, change.head_sha, change.diff_hash
        )
    except DeepReviewError as error:
        ls.log(f"Deep Review: no saved review loaded: {error.message}", types.MessageType.Warning)
        review = None
    if runner.running or (not replace and (runner.task is not None or ls.state.review is not None)):
        return False  # a review started meanwhile: its result (and status) wins
    if review is None:
        if not replace:
            ls.log("Deep Review: no saved review for this change; run deepReview.run.")
            ls.send_status(state="idle")
        return False
    if ls.state.review is not None and review_key(review) == ls.state.key:
        return False
    ls.show_review(review)
    ls.log(f"Deep Review: loaded the saved review ({plural(len(review.findings), 'finding')}).")
    ls.send_status(state="done", reviewers=[])
    return True
