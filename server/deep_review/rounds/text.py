"""Text helpers for matching findings across rounds: normalised code lines and claim words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WORD = re.compile(r"[a-z0-9_]+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "onto",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "when",
        "while",
        "which",
        "who",
        "what",
        "where",
        "why",
        "how",
        "not",
        "no",
        "never",
        "can",
        "could",
        "should",
        "would",
        "will",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "than",
        "then",
        "so",
        "such",
        "as",
        "if",
        "else",
        "also",
        "only",
        "just",
        "more",
        "most",
        "less",
        "very",
        "too",
        "any",
        "all",
        "each",
        "every",
        "some",
        "other",
        "same",
        "one",
        "two",
        "use",
        "used",
        "uses",
        "using",
        "via",
        "per",
    ]
)
_MIN_MEANINGFUL_CHARS = 4


def normalize_line(line: str) -> str:
    """Whitespace collapsed: re-indentation does not change a line's identity."""
    return " ".join(line.split())


def code_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, normalised."""
    return [n for n in (normalize_line(line) for line in text.splitlines()) if n]


def meaningful(line: str) -> bool:
    """A line with enough letters or digits to identify code (not ``}`` or ``return``)."""
    return sum(c.isalnum() for c in line) >= _MIN_MEANINGFUL_CHARS


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def claim_words(text: str) -> frozenset[str]:
    """The content words of a claim, crudely stemmed (``leaks`` and ``leaked`` agree)."""
    words = (_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)
    return frozenset(w for w in words if len(w) > 2)


def overlap(first: Iterable[str], second: Iterable[str]) -> float:
    """|A ∩ B| / min(|A|, |B|): how much of the smaller set the larger one shares (0 when empty)."""
    a, b = set(first), set(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def claim_similarity(title_a: str, body_a: str, title_b: str, body_b: str) -> float:
    """How alike two claims read: the better of title-to-title and whole-claim word overlap."""
    titles = overlap(claim_words(title_a), claim_words(title_b))
    whole = overlap(claim_words(f"{title_a} {body_a}"), claim_words(f"{title_b} {body_b}"))
    return max(titles, whole)


def find_block(lines: Sequence[str], wanted: Sequence[str]) -> int | None:
    """Index in normalised ``lines`` where the normalised block ``wanted`` starts, or None."""
    if not wanted:
        return None
    size = len(wanted)
    for index in range(len(lines) - size + 1):
        if list(lines[index : index + size]) == list(wanted):
            return index
    return None


def present_fraction(wanted: Sequence[str], haystack: Iterable[str]) -> float:
    """Fraction of the meaningful ``wanted`` lines that occur among ``haystack`` (1.0 if none)."""
    keys = [line for line in wanted if meaningful(line)] or list(wanted)
    if not keys:
        return 1.0
    have = set(haystack)
    return sum(1 for line in keys if line in have) / len(keys)
