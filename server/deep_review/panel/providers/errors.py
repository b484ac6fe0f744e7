"""Turn SDK exceptions into our two kinds of provider error, with every secret scrubbed."""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from deep_review.panel.providers.base import (
    FatalProviderError,
    ProviderError,
    TransientProviderError,
)

# Providers sometimes echo part of a key back ("Incorrect API key provided: sk-pro****abcd").
_KEY_LIKE = re.compile(r"\b(?:sk|pk|rk|xai|gsk|AIza)[-_A-Za-z0-9*]{6,}")
_TRANSIENT_STATUS = {408, 409, 425, 429}
_MESSAGE_LIMIT = 300
_MIN_SECRET_CHARS = 8
PLACEHOLDER_KEY = "not-needed"
"""Sent where an SDK insists on a key and the endpoint takes none."""


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """The text with the given secrets and anything key-shaped replaced by ``[redacted]``."""
    for secret in secrets:
        # Local servers take dummy keys ("x", "ollama"): only values long enough to be secrets
        # are cut, never ordinary words.
        if len(secret) >= _MIN_SECRET_CHARS and secret != PLACEHOLDER_KEY:
            text = text.replace(secret, "[redacted]")
    return _KEY_LIKE.sub("[redacted]", text)


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The server's requested wait (``retry-after-ms`` or ``retry-after``), if any."""
    if not headers:
        return None
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # the HTTP-date form
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _body_message(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            message = error.get("message") or error.get("type")
            if message:
                return str(message)
        if isinstance(error, str):
            return error
    if isinstance(body, str):
        return body
    return ""


def classify(exc: BaseException, *, reviewer: str, secrets: tuple[str, ...]) -> ProviderError:
    """A ProviderError for an exception raised by the anthropic or openai SDK."""
    if isinstance(exc, ProviderError):
        return exc
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        response = getattr(exc, "response", None)
        headers = dict(getattr(response, "headers", {}) or {})
        detail = _body_message(getattr(exc, "body", None)) or str(exc)
        detail = scrub(detail, secrets)[:_MESSAGE_LIMIT]
        return _from_status(status, detail, reviewer, retry_after_seconds(headers))
    name = type(exc).__name__
    if "Timeout" in name:
        return TransientProviderError(f"reviewer {reviewer!r}: the model request timed out")
    if "Connection" in name or "ConnectError" in name:
        return TransientProviderError(
            f"reviewer {reviewer!r}: could not connect to the model endpoint"
        )
    if type(exc).__module__.split(".")[0].startswith("httpx"):
        # Raised while reading a stream: the SDK does not wrap these.
        return TransientProviderError(
            f"reviewer {reviewer!r}: the connection to the model endpoint failed ({name})"
        )
    if isinstance(exc, AssertionError | RuntimeError):
        # What the SDKs' stream accumulators raise when the body is not the expected events.
        return TransientProviderError(
            f"reviewer {reviewer!r}: the model endpoint sent a malformed stream"
        )
    if isinstance(exc, json.JSONDecodeError | ValueError | TypeError | KeyError):
        return TransientProviderError(
            f"reviewer {reviewer!r}: the model endpoint returned a malformed response"
            f" ({scrub(type(exc).__name__, secrets)})"
        )
    return FatalProviderError(
        f"reviewer {reviewer!r}: model call failed: {scrub(str(exc), secrets)[:_MESSAGE_LIMIT]}"
    )


def _from_status(
    status: int, detail: str, reviewer: str, retry_after: float | None
) -> ProviderError:
    if status in (401, 403):
        cause = "the API key was rejected" if status == 401 else "access was denied"
        return FatalProviderError(f"reviewer {reviewer!r}: {cause} (HTTP {status}: {detail})")
    if status == 404:
        return FatalProviderError(
            f"reviewer {reviewer!r}: unknown model or endpoint (HTTP 404: {detail})"
        )
    if status in _TRANSIENT_STATUS or status >= 500:
        return TransientProviderError(
            f"reviewer {reviewer!r}: HTTP {status} from the model endpoint: {detail}",
            retry_after=retry_after,
        )
    return FatalProviderError(
        f"reviewer {reviewer!r}: the model endpoint rejected the request (HTTP {status}: {detail})"
    )
