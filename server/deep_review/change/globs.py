"""Path globs in the style users know from .gitignore.

``name`` (no slash) matches a file name anywhere; ``dir/`` matches a folder anywhere;
``a/b/*.py`` matches from the repository root; ``**`` crosses folders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("/"):
        body = _translate(pattern.rstrip("/"))
        anchored = "/" in pattern.rstrip("/")
        prefix = "" if anchored else "(?:.*/)?"
        return re.compile(f"{prefix}{body}/.*")
    if "/" not in pattern:
        return re.compile(f"(?:.*/)?{_translate(pattern)}")
    return re.compile(_translate(pattern.lstrip("/")))


def _translate(pattern: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether the repository-relative POSIX ``path`` matches ``pattern``."""
    return _compile(pattern).fullmatch(path) is not None


def first_match(patterns: Iterable[str], path: str) -> str | None:
    """The first pattern that matches ``path``, if any."""
    for pattern in patterns:
        if glob_matches(pattern, path):
            return pattern
    return None
