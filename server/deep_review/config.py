"""Settings: the shape of configuration. Loading and precedence live in ``config_loader``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from deep_review.model import Severity

Provider = Literal["anthropic", "openai", "openai-compatible", "ruff", "sarif-command"]
# Which providers call a model and which run an analyzer: the one list every stage asks.
MODEL_PROVIDERS: tuple[Provider, ...] = ("anthropic", "openai", "openai-compatible")
ANALYZER_PROVIDERS: tuple[Provider, ...] = ("ruff", "sarif-command")
Effort = Literal["low", "medium", "high", "xhigh"]


class _Config(BaseModel):
    # An unknown key is an error: a typo must not silently change what runs.
    model_config = ConfigDict(extra="forbid")


class ReviewerConfig(_Config):
    """One panel member (a model reviewer or an offline analyzer)."""

    name: str
    provider: Provider
    model: str = ""
    base_url: str | None = None
    api_key_env: str | None = Field(
        default=None, description="Environment variable holding the key (never the key itself)."
    )
    effort: Effort = "high"
    max_turns: int = Field(default=40, ge=1, le=500)
    deadline_s: float = Field(default=900.0, gt=0)
    request_timeout_s: float = Field(default=120.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=20)
    api: Literal["chat", "responses"] | None = Field(
        default=None, description="OpenAI API flavour; default: chat (responses for o-series)."
    )
    command: str | None = Field(
        default=None,
        description="sarif-command: the command template ({files} = changed files).",
    )
    scripted: bool = Field(
        default=False, description="The endpoint is a scripted model server (labelled as such)."
    )
    thinking: bool | None = Field(
        default=None,
        description="Extended thinking / reasoning effort: None = only when the model supports it.",
    )
    stream: bool = Field(
        default=True,
        description="Stream model answers, so a long turn never trips the per-read timeout.",
    )
    tool_choice: str = Field(
        default="auto",
        description='Sent with the tools: "auto", "required", "none", or a tool name to force.',
    )
    max_output_tokens: int | None = Field(
        default=None,
        ge=16,
        description="Output budget per turn (default 16,000; 4,096 for openai-compatible).",
    )
    context_tokens: int | None = Field(
        default=None,
        ge=512,
        description="The model's context window (e.g. a local server's --n_ctx / num_ctx).",
    )


class ChangeConfig(_Config):
    include_uncommitted: bool = True
    exclude: list[str] = Field(
        default_factory=list, description="Extra globs to leave out (besides the defaults)."
    )
    include: list[str] = Field(
        default_factory=list, description="Globs that override the default exclusions."
    )
    max_file_bytes: int = Field(default=512 * 1024, gt=0)


class CommandsConfig(_Config):
    """Commands reviewers may run (e.g. ``pytest -x``). Off unless listed."""

    allow: list[str] = Field(default_factory=list)
    timeout_s: float = Field(default=300.0, gt=0)
    output_cap_bytes: int = Field(default=64 * 1024, gt=0)


class ReconcileConfig(_Config):
    lead: str | None = Field(
        default=None, description="Name of the reviewer whose model leads merge and verification."
    )
    verify_with_other_family: bool = True
    min_severity: Severity = "suggestion"
    max_suggestions: int = Field(default=12, ge=0)


class Settings(_Config):
    reviewers: list[ReviewerConfig] = Field(default_factory=list)
    base: str | None = None
    change: ChangeConfig = Field(default_factory=ChangeConfig)
    commands: CommandsConfig = Field(default_factory=CommandsConfig)
    reconcile: ReconcileConfig = Field(default_factory=ReconcileConfig)
    _withheld: list[str] = PrivateAttr(default_factory=list)

    @property
    def withheld(self) -> list[str]:
        """Repository settings left out until the user trusts them (see ``workspace_trust``)."""
        return list(self._withheld)

    def withholding(self, withheld: list[str]) -> Settings:
        """These settings, noting what was withheld from the repository's config."""
        self._withheld = list(withheld)
        return self
