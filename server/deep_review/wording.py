"""Counted nouns for every text a person reads: "1 reviewer", "2 reviewers", never "1 reviewers"."""

from __future__ import annotations


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``count`` and ``noun``, the noun in the plural unless ``count`` is 1."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"
