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
        body = translate_glob(pattern.rstrip("/"))
        anchored = "/" in pattern.rstrip("/")
        prefix = "" if anchored else "(?:.*/)?"
        return re.compile(f"{prefix}{body}/.*")
    if "/" not in pattern:
        return re.compile(f"(?:.*/)?{translate_glob(pattern)}")
    return re.compile(translate_glob(pattern.lstrip("/")))


def translate_glob(glob: str) -> str:
    """Regex body of a glob: ``**`` crosses folders, ``*`` and ``?`` do not; ``[..]``, ``{a,b}``."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and glob.find("]", i + 1) != -1:
            close = glob.find("]", i + 1)
            body = glob[i + 1 : close].replace("\\", "\\\\")
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body}]")
            i = close + 1
        elif char == "{" and glob.find("}", i + 1) != -1:
            close = glob.find("}", i + 1)
            options = glob[i + 1 : close].split(",")
            out.append("(?:" + "|".join(re.escape(o) for o in options) + ")")
            i = close + 1
        else:
            out.append(re.escape(char))
            i += 1
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
