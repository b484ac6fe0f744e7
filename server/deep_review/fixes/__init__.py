"""Suggested fixes: parse a finding's diff, locate its hunks, check it, apply it as edits."""

from deep_review.fixes.errors import FixDoesNotApply
from deep_review.fixes.plan import (
    FilePlan,
    FixPlan,
    OffsetEdit,
    TextEdit,
    apply_patch,
    check_fix,
    fix_paths,
    patch_edits,
    plan_fix,
)
from deep_review.fixes.text import PositionEncoding

__all__ = [
    "FilePlan",
    "FixDoesNotApply",
    "FixPlan",
    "OffsetEdit",
    "PositionEncoding",
    "TextEdit",
    "apply_patch",
    "check_fix",
    "fix_paths",
    "patch_edits",
    "plan_fix",
]
