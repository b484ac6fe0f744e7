"""reconcile stage: ground, merge, verify, calibrate, number, summarise and retro."""

from deep_review.reconcile.ground import TextSource
from deep_review.reconcile.lead import (
    LeadModel,
    LeadModelError,
    MergeJudgement,
    VerificationResult,
)
from deep_review.reconcile.pipeline import NOT_VERIFIED_NOTICE, reconcile

__all__ = [
    "NOT_VERIFIED_NOTICE",
    "LeadModel",
    "LeadModelError",
    "MergeJudgement",
    "TextSource",
    "VerificationResult",
    "reconcile",
]
