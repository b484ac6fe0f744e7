"""Model providers behind one small interface: ``send(conversation, tools) -> ModelTurn``."""

from __future__ import annotations

from collections.abc import Mapping

from deep_review.config import ReviewerConfig
from deep_review.panel.providers.base import (
    Conversation,
    FatalProviderError,
    ModelTurn,
    Provider,
    ProviderError,
    ToolCall,
    ToolOutcome,
    ToolSpec,
    TransientProviderError,
    Usage,
)
from deep_review.panel.providers.errors import PLACEHOLDER_KEY

DEFAULT_KEY_ENV: dict[str, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openai-compatible": "OPENAI_API_KEY",
}

__all__ = [
    "Conversation",
    "FatalProviderError",
    "ModelTurn",
    "Provider",
    "ProviderError",
    "ToolCall",
    "ToolOutcome",
    "ToolSpec",
    "TransientProviderError",
    "Usage",
    "api_key_for",
    "make_provider",
]


def api_key_for(reviewer: ReviewerConfig, env: Mapping[str, str]) -> str:
    """The reviewer's API key from ``env[api_key_env]``; raises FatalProviderError if absent.

    A provider's default key variable (``ANTHROPIC_API_KEY``...) goes only to that provider's
    own endpoint: a reviewer with a ``base_url`` and no ``api_key_env`` sends no key (the SDKs
    need a non-empty string, so a placeholder).
    """
    if reviewer.base_url and not reviewer.api_key_env:
        return PLACEHOLDER_KEY
    variable = reviewer.api_key_env or DEFAULT_KEY_ENV.get(reviewer.provider)
    key = env.get(variable, "") if variable else ""
    if key:
        return key
    raise FatalProviderError(
        f"reviewer {reviewer.name!r}: no API key: set {variable or 'api_key_env'}"
        " in the environment"
    )


def make_provider(reviewer: ReviewerConfig, env: Mapping[str, str]) -> Provider:
    """The provider a model reviewer talks to."""
    if not reviewer.model:
        raise FatalProviderError(f"reviewer {reviewer.name!r}: no model configured")
    key = api_key_for(reviewer, env)
    if reviewer.provider == "anthropic":
        from deep_review.panel.providers.anthropic_provider import AnthropicProvider

        return AnthropicProvider(reviewer, key)
    if reviewer.provider in ("openai", "openai-compatible"):
        from deep_review.panel.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(reviewer, key)
    raise FatalProviderError(
        f"reviewer {reviewer.name!r}: provider {reviewer.provider!r} is not a model provider"
    )
