"""The lead model's seat in reconciliation: what it is asked, and what it answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from deep_review.change.model import Change
from deep_review.config import ANALYZER_PROVIDERS, ReviewerConfig
from deep_review.errors import DeepReviewError
from deep_review.model import AgentRetro, AgentReview, Finding, ReconciledFinding, Review, Severity

if TYPE_CHECKING:
    pass


class LeadModelError(DeepReviewError):
    """The lead model could not answer (failed, timed out, or gave no usable answer)."""


class MergeJudgement(BaseModel):
    """The lead's answer on a candidate merge: one problem or two, and why (true when one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    same_problem: bool
    reason: str = Field(default="", description="One sentence: why, as the lead put it.")

    def __bool__(self) -> bool:
        return self.same_problem


class VerificationResult(BaseModel):
    """The verifier's judgement of one merged finding, checked against the code."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["confirmed", "downgraded", "upgraded", "dropped"]
    severity: Severity | None = Field(
        default=None, description="The new severity when downgraded or upgraded."
    )
    reason: str = Field(default="", description="One or two sentences: what the code shows.")
    repo_context: str = Field(
        default="",
        description="A fact about this repository future reviewers should know, if any.",
    )
    verifier: str | None = Field(default=None, description="Who verified, when not the lead.")


class LeadModel(Protocol):
    """Merge confirmation, verification and narratives; methods raise LeadModelError on failure."""

    @property
    def name(self) -> str:
        """Who verified: shown as the verifier of each finding."""
        ...

    async def confirm_merge(self, a: Finding, b: Finding) -> bool | MergeJudgement:
        """Whether two findings describe the same problem (a MergeJudgement also says why)."""
        ...

    async def verify(self, finding: ReconciledFinding, change: Change) -> VerificationResult:
        """Check one merged finding against the code."""
        ...

    async def narrate(self, retro: AgentRetro, review: AgentReview) -> str:
        """A short paragraph on how one reviewer did."""
        ...

    async def summarise(self, review: Review) -> str:
        """The executive summary of the reconciled review."""
        ...


def find_lead_config(name: str, reviewers: Sequence[ReviewerConfig]) -> ReviewerConfig:
    """The model reviewer named (or running the model named) ``name``; a clear error if none."""
    for reviewer in reviewers:
        if name in (reviewer.name, reviewer.model):
            if reviewer.provider in ANALYZER_PROVIDERS:
                raise DeepReviewError(
                    f"{name} is an offline analyzer and cannot lead reconciliation;"
                    " choose a model reviewer"
                )
            return reviewer
    models = [r.name for r in reviewers if r.provider not in ANALYZER_PROVIDERS]
    known = ", ".join(models) if models else "none configured"
    raise DeepReviewError(
        f"no model reviewer named {name!r} to lead reconciliation (model reviewers: {known})"
    )
