"""The one severity table: names, order, letters, counts (dependency-free: the CLI imports it)."""

from __future__ import annotations

from typing import Literal

Severity = Literal["critical", "important", "suggestion"]

SEVERITIES: tuple[Severity, ...] = ("critical", "important", "suggestion")
"""Most severe first."""

SEVERITY_ORDER: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
SEVERITY_PREFIX: dict[str, str] = {"critical": "C", "important": "I", "suggestion": "S"}


def zero_counts() -> dict[Severity, int]:
    """A count of zero for each severity, most severe first."""
    return dict.fromkeys(SEVERITIES, 0)
