"""Our own retries (the SDKs' are off): backoff with jitter, honouring retry-after."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from deep_review.panel.providers.base import (
    Conversation,
    ModelTurn,
    Provider,
    ToolSpec,
    TransientProviderError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts: ``base * 2**attempt`` with ±25% jitter, capped."""

    max_retries: int = 4
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0

    def backoff(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0-based) when the server gave no hint."""
        delay = min(self.max_delay_s, self.base_delay_s * (2.0**attempt))
        return delay * random.uniform(0.75, 1.25)


OnRetry = Callable[[str, float], None]


async def send_with_retries(
    provider: Provider,
    conversation: Conversation,
    tools: list[ToolSpec],
    *,
    policy: RetryPolicy,
    deadline: float | None,
    on_retry: OnRetry,
) -> ModelTurn:
    """The next turn; transient failures retried until ``max_retries`` or the deadline."""
    attempt = 0
    while True:
        try:
            return await provider.send(conversation, tools)
        except TransientProviderError as error:
            if attempt >= policy.max_retries:
                raise TransientProviderError(
                    f"{error.message} (gave up after {attempt + 1} attempts)"
                ) from None
            delay = error.retry_after if error.retry_after is not None else policy.backoff(attempt)
            if deadline is not None and delay >= deadline - time.monotonic():
                # Sleeping past the reviewer's deadline would only turn into a timeout later.
                raise TransientProviderError(
                    f"{error.message} (a retry would have to wait {delay:.3g} s,"
                    " past the reviewer's deadline)"
                ) from None
            on_retry(error.message, delay)
            await anyio.sleep(delay)
            attempt += 1
