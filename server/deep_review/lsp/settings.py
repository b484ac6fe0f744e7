"""Editor settings (section ``deepReview``) and how they combine with the repository config."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deep_review.config import ReviewerConfig, Settings
from deep_review.errors import ConfigError
from deep_review.model import SEVERITY_ORDER, Severity

SECTION = "deepReview"
RunMode = Literal["manual", "onSave"]


class EditorSettings(BaseModel):
    """What the editor may set; anything it leaves out falls back to the repository config."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    reviewers: list[str | dict[str, Any]] = Field(
        default_factory=list,
        description=(
            "Names pick reviewers from the configured panel; ReviewerConfig-shaped tables are"
            " merged by name over the repository's (or added)."
        ),
    )
    base_ref: str | None = Field(default=None, alias="baseRef")
    run_mode: RunMode = Field(default="manual", alias="runMode")
    debounce_ms: int = Field(default=1500, ge=0, alias="debounceMs")
    include_uncommitted: bool | None = Field(default=None, alias="includeUncommitted")
    minimum_severity: Severity = Field(default="suggestion", alias="minimumSeverity")

    @property
    def reviewer_names(self) -> list[str]:
        """The reviewers to run when the editor names them (empty: the whole panel)."""
        names = []
        for item in self.reviewers:
            name = item if isinstance(item, str) else item.get("name")
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
        return names if any(isinstance(item, str) for item in self.reviewers) else []

    def shows(self, severity: Severity) -> bool:
        """Whether findings of this severity pass the minimum-severity filter."""
        return SEVERITY_ORDER[severity] <= SEVERITY_ORDER[self.minimum_severity]


def parse_editor_settings(raw: object) -> EditorSettings:
    """Read settings sent as ``{"deepReview": {...}}`` or as the bare section."""
    if raw is None:
        return EditorSettings()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"The {SECTION} settings must be an object, not {type(raw).__name__}.")
    section = raw.get(SECTION, raw)
    if section is None:
        return EditorSettings()
    if not isinstance(section, Mapping):
        raise ConfigError(f"The {SECTION} settings must be an object.")
    try:
        return EditorSettings.model_validate(dict(section))
    except ValidationError as error:
        raise ConfigError(f"Invalid {SECTION} settings: {_first_error(error)}") from error


def merge_settings(repo: Settings, editor: EditorSettings) -> Settings:
    """The repository settings with the editor's reviewers and base laid over them."""
    reviewers = {reviewer.name: reviewer for reviewer in repo.reviewers}
    for table in editor.reviewers:
        if isinstance(table, str):
            continue  # a name only selects (see EditorSettings.reviewer_names)
        name = table.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"Every reviewer in the {SECTION} settings needs a name.")
        base = reviewers[name].model_dump(exclude_unset=True) if name in reviewers else {}
        try:
            reviewers[name] = ReviewerConfig.model_validate({**base, **table})
        except ValidationError as error:
            raise ConfigError(f"Invalid reviewer {name!r}: {_first_error(error)}") from error
    change = repo.change
    if editor.include_uncommitted is not None:
        change = change.model_copy(update={"include_uncommitted": editor.include_uncommitted})
    return repo.model_copy(
        update={
            "reviewers": list(reviewers.values()),
            "base": editor.base_ref or repo.base,
            "change": change,
        }
    )


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{where}: {first['msg']}."
