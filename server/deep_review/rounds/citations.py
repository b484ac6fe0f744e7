"""Commit messages that cite review findings: "review I2", "fixes S1, S3", "address feedback"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID = r"[CIS]\d{1,3}"
_ID_LIST = rf"{_ID}(?:\s*(?:,|/|&|\band\b|\+)\s*(?:{_ID}|\d{{1,3}}\b))*"
# A finding ID counts only next to a word that says the commit deals with the review: a bare
# "S1" in a message about an S1 register, or an "I2C" bus, is not a citation.
_CITED = re.compile(
    rf"\b(?:deep[- ]?review|review(?:ed)?|round\s+\d+|fix(?:es|ed)?|address(?:es|ed)?"
    rf"|resolv(?:es|ed|e)|close[sd]?|per|finding)\b[\s:#(]*(?P<ids>{_ID_LIST})\b",
    re.IGNORECASE,
)
_SINGLE = re.compile(r"([CIS])?(\d{1,3})", re.IGNORECASE)
_GENERIC = re.compile(
    r"\b(?:address(?:es|ed|ing)?|fix(?:es|ed|ing)?|apply|applied|handle[sd]?)\s+(?:the\s+)?"
    r"(?:deep[- ]?review|review|reviewer'?s?)\s+(?:feedback|comments|findings|notes)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Citation:
    """What one commit message cites: finding IDs, and/or the review as a whole."""

    ids: frozenset[str]
    generic: bool

    @property
    def empty(self) -> bool:
        return not self.ids and not self.generic


def _expand(id_list: str) -> set[str]:
    """``S1, S3`` → {S1, S3}; ``I1 and 2`` → {I1, I2} (a bare number keeps the last letter)."""
    found: set[str] = set()
    letter = ""
    for match in _SINGLE.finditer(id_list):
        letter = (match.group(1) or letter).upper()
        if letter:
            found.add(f"{letter}{int(match.group(2))}")
    return found


def parse_citations(message: str) -> Citation:
    """The findings a commit message says it deals with."""
    ids: set[str] = set()
    for match in _CITED.finditer(message):
        ids |= _expand(match.group("ids"))
    return Citation(ids=frozenset(ids), generic=bool(_GENERIC.search(message)))
