"""Deterministic text measures used to ground and merge findings (no models, no randomness)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence, Set

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_CODE_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::|->)[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?")
_BACKTICKED = re.compile(r"`([^`\n]{1,120})`")
_CAMEL_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ELISION = re.compile(r"^(?:#|//|/\*|--|;)?\s*(?:\.\.\.|…)\s*(?:\*/)?$")

# Words that carry no meaning about *which* problem a finding describes.
STOPWORDS = frozenset(
    """
    a an the and or but if then else when while of to in on at by for with from into onto as is
    are was were be been being it its this that these those there here which who whom what why
    how not no nor so than too very can could should would will shall may might must do does did
    done has have had having i we you they he she them our your their my me us also only just
    any all each every some such more most less least other another same own both either neither
    line lines file files code function method call calls called value values case cases use
    uses used using make makes made get gets set sets new old one two first second per via
    """.split()  # noqa: SIM905
)

# Programming keywords are too common in quoted code to identify what a finding is about.
KEYWORDS = frozenset(
    """
    def class return import from self cls none true false null nil if else elif for while try
    except finally with as pass break continue raise yield async await lambda func var let const
    function package struct type interface go defer select case switch default public private
    static void int str bool float string err error errors fmt nil this new delete typeof
    """.split()  # noqa: SIM905
)


def normalize_code_line(line: str) -> str:
    """A line with all whitespace removed: the whitespace-insensitive form used for matching."""
    return "".join(line.split())


def is_elision(line: str) -> bool:
    """Whether a quoted line only marks omitted code (``...``, ``// ...``)."""
    return bool(_ELISION.match(line.strip()))


# Truncation stemming: "injection"/"injected", "committed"/"commit" meet at a common prefix.
STEM_LENGTH = 6


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:STEM_LENGTH]


# Kinds of defect reviewers name in many words; two findings of different kinds are different
# problems even on the same line, and one kind in different words is a strong hint of a duplicate.
DEFECT_KINDS: dict[str, re.Pattern[str]] = {
    kind: re.compile(pattern, re.IGNORECASE)
    for kind, pattern in {
        "injection": r"inject|interpolat|f-string|unescaped|saniti[sz]|placeholder|bound param"
        r"|\bbind|parameteri[sz]|\bxss\b|escap",
        "resource-leak": r"leak|not closed|never clos|unclosed|\bclose[sd]?\b|releas|dispos"
        r"|descriptor|file handle|orphan|never stop|no longer be stopped|outliv|dangling"
        r"|keeps? running|runs? until",
        "persistence": r"commit|persist(?!ent)|transaction|flush|rolled back|rollback|\blost\b"
        r"|durab|\bsaved?\b",
        "concurrency": r"\brace\b|data race|mutex|\block(?:s|ed|ing)?\b|concurren|deadlock"
        r"|block(?:s|ed)? forever|closed channel|synchroni[sz]|atomic",
        "busy-loop": r"busy[- ]?loop|\bspin|backoff|back off|tight loop|hot loop|full speed"
        r"|retr(?:y|ies) (?:forever|immediately|without)",
        "encoding": r"encoding|utf-?8|unicode|charset|\bdecod|\bencod",
        "missing-value": r"\bnone\b|\bnull\b|\bnil\b|missing key|empty string|absent",
        "error-handling": r"error path|ignored error|swallow|unchecked|error context"
        r"|wrap(?:s|ped)? the error|exception",
        "pattern-matching": r"wildcard|\blike\b|\bglob|regex|pattern",
        "arithmetic": r"overflow|divide by zero|division|divides by|rounding|off[- ]by[- ]one",
        "performance": r"\bslow|performance|quadratic|o\(n|allocat",
        "tests": r"\btests?\b|coverage|untested",
        "docs": r"\bdocs?\b|documentation|comment|readme|docstring",
    }.items()
}


def defect_kinds(text: str) -> set[str]:
    """The kinds of defect a finding's prose names (injection, resource leak, ...)."""
    return {kind for kind, pattern in DEFECT_KINDS.items() if pattern.search(text)}


def words(text: str) -> list[str]:
    """Meaningful lower-case word stems of prose, identifiers split into their parts."""
    result: list[str] = []
    for token in _WORD.findall(text):
        for part in _CAMEL_SPLIT.split(token.replace("_", " ")):
            for piece in part.split():
                lowered = piece.lower()
                if len(lowered) > 1 and lowered not in STOPWORDS and lowered not in KEYWORDS:
                    result.append(_stem(lowered))
    return result


def _looks_like_code(token: str) -> bool:
    bare = token.removesuffix("()")
    if bare.isupper() and "_" not in bare and not any(c.isdigit() for c in bare):
        return False  # an acronym in prose (CPU, HTTP), unless quoted as code
    return (
        token.endswith("()")
        or "_" in bare
        or "." in bare
        or "::" in bare
        or any(c.isupper() for c in bare[1:])
    )


def identifiers(text: str) -> set[str]:
    """Code identifiers a text names: backticked spans and snake/camel/dotted/called tokens."""
    quoted: set[str] = set()
    for span in _BACKTICKED.findall(text):
        for token in _CODE_TOKEN.findall(span):
            quoted.update(_identifier_forms(token))
    found = {
        form
        for token in _CODE_TOKEN.findall(text)
        if _looks_like_code(token)
        for form in _identifier_forms(token)
        if len(form) > 2
    }
    # Quoted names count even when short (`os`, `fd`): the author marked them as code.
    return {name for name in quoted | found if name.lower() not in KEYWORDS}


def _identifier_forms(token: str) -> set[str]:
    """The token and its last dotted component (``self.conn.close`` also names ``close``)."""
    bare = token.removesuffix("()")
    parts = re.split(r"\.|::|->", bare)
    return {bare, parts[-1]}


def code_identifiers(code: str) -> set[str]:
    """Every identifier in a piece of code (not only code-looking ones), keywords left out."""
    return {
        token
        for token in _WORD.findall(code)
        if len(token) > 2 and token.lower() not in KEYWORDS and token.lower() not in STOPWORDS
    }


def jaccard(left: Set[str], right: Set[str]) -> float:
    """Size of the intersection over size of the union; 0.0 when both are empty."""
    if not left and not right:
        return 0.0
    return len(left & right) / len(left | right)


def overlap_coefficient(left: Set[str], right: Set[str]) -> float:
    """Intersection over the smaller set: high when one text's terms are inside the other's."""
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def title_ratio(left: str, right: str) -> float:
    """difflib similarity of two titles over their meaningful words in order."""
    return sequence_ratio(words(left), words(right))


def sequence_ratio(left: Sequence[str], right: Sequence[str]) -> float:
    """difflib similarity of two word sequences."""
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def title_template(title: str) -> str:
    """A title with its identifiers blanked: the rule it reports, not the subject."""
    blanked = _BACKTICKED.sub("`_`", title)
    blanked = _CODE_TOKEN.sub(
        lambda m: "_" if _looks_like_code(m.group(0)) else m.group(0), blanked
    )
    return " ".join(blanked.lower().split())
