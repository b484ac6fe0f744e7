"""change stage: from git to the ``Change`` under review."""

from deep_review.change.collect import collect_change, compute_diff_hash
from deep_review.change.model import Change, ChangedFile, Hunk
from deep_review.change.repo import find_repo_root
from deep_review.change.tokens import estimate_prompt_tokens

__all__ = [
    "Change",
    "ChangedFile",
    "Hunk",
    "collect_change",
    "compute_diff_hash",
    "estimate_prompt_tokens",
    "find_repo_root",
]
