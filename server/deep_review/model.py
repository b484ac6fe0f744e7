"""The review as data: what reviewers submit, what the reconciler produces, what reports render.

Field names are a contract: model reviewers emit them (``submit_review``), the report, the
language server and saved ``.deep-review/`` files read them. Change them only with a migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Re-exported: severities are defined once, in deep_review.severity.
from deep_review.severity import SEVERITIES as SEVERITIES
from deep_review.severity import SEVERITY_ORDER as SEVERITY_ORDER
from deep_review.severity import SEVERITY_PREFIX as SEVERITY_PREFIX
from deep_review.severity import Severity as Severity
from deep_review.severity import zero_counts

Category = Literal["regression", "gap", "enhancement"]
Verdict = Literal[
    "Approve",
    "Approve with suggestions",
    "Merge with fixes",
    "Needs changes",
    "Do not merge",
]
FixStatus = Literal["applies", "applies-with-offset", "stale", "ambiguous", "invalid"]
VerificationStatus = Literal["confirmed", "downgraded", "upgraded", "unverified"]
ReviewerStatus = Literal["completed", "failed", "timed-out", "cancelled"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    """A span of lines in one file of the reviewed tree (1-based, inclusive)."""

    path: str = Field(description="Repository-relative POSIX path.")
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)

    @field_validator("path")
    @classmethod
    def _posix_relative(cls, value: str) -> str:
        value = value.replace("\\", "/")
        while value.startswith("./"):
            value = value[2:]
        return value


class RelatedLocation(Location):
    """Another place that matters for a finding (a caller, the twin of a leak, ...)."""

    note: str = ""


class Finding(Location):
    """One problem as a reviewer reports it."""

    severity: Severity
    category: Category
    title: str = Field(min_length=1)
    body: str = Field(default="", description="Markdown explanation: what, why, impact.")
    evidence: str = Field(
        default="", description="Code quoted verbatim from path:start_line-end_line."
    )
    fix: str | None = Field(default=None, description="Suggested fix as a unified diff.")
    related: list[RelatedLocation] = Field(default_factory=list)


class DesignObservation(_Model):
    kind: Literal["concern", "strength"]
    scope: Literal["in-scope", "future"] = "in-scope"
    text: str
    agents: list[str] = Field(
        default_factory=list, description="Filled by the reconciler: who observed it."
    )


class FileCoverage(_Model):
    path: str
    status: Literal["reviewed", "trivial", "not-reviewed"]
    note: str = ""


class AgentStats(_Model):
    duration_s: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    turns: int = 0
    tool_calls: dict[str, int] = Field(default_factory=dict)
    cost_usd: float | None = None

    @property
    def total_tool_calls(self) -> int:
        return sum(self.tool_calls.values())


class SubmittedReview(_Model):
    """What a reviewer submits through ``submit_review`` (the tool's input schema)."""

    summary: str = ""
    verdict: Verdict | None = None
    findings: list[Finding] = Field(default_factory=list)
    design_observations: list[DesignObservation] = Field(default_factory=list)
    testing_assessment: str = ""
    documentation_assessment: str = ""
    coverage: list[FileCoverage] = Field(default_factory=list)

    def emptiness(self) -> str | None:
        """Why this submission says nothing at all (no summary, verdict, findings or coverage)."""
        said = (
            self.summary.strip()
            or self.verdict
            or self.findings
            or self.coverage
            or self.design_observations
        )
        if said:
            return None
        return (
            "the review is empty: give a summary, a verdict and the coverage of each changed"
            " file, with your findings (an empty findings list is right when you found nothing)"
        )


class AgentReview(SubmittedReview):
    """One reviewer's complete, independent review, with how it went."""

    reviewer: str
    model: str = ""
    provider: str = ""
    effort: str | None = None
    scripted: bool = Field(
        default=False, description="Answers came from a scripted model server, not a real model."
    )
    status: ReviewerStatus = "completed"
    error: str | None = None
    raw_output: str | None = Field(
        default=None, description="The last unparseable submission, kept when the reviewer failed."
    )
    stats: AgentStats = Field(default_factory=AgentStats)


class ReviewerInfo(_Model):
    name: str
    provider: str
    model: str = ""
    effort: str | None = None
    scripted: bool = False

    @property
    def label(self) -> str:
        label = f"{self.name} ({self.model})" if self.model else self.name
        if self.effort:
            label += f", effort: {self.effort}"
        if self.scripted:
            label += ", scripted"
        return label


class CommitInfo(_Model):
    sha: str
    author: str = ""
    subject: str = ""
    body: str = ""


class ExcludedFile(_Model):
    path: str
    reason: str


class WithheldSecret(_Model):
    """A secret-looking value redacted before anything was sent to a model provider."""

    path: str
    line: int | None = None
    kind: str


class ReviewHeader(_Model):
    repo: str | None = Field(default=None, description="owner/name when the remote is known.")
    repo_url: str | None = None
    branch: str | None = None
    base_ref: str = ""
    base_sha: str = ""
    head_sha: str = ""
    diff_hash: str = Field(default="", description="Hash of the reviewed diff: the cache key.")
    commits: list[CommitInfo] = Field(default_factory=list)
    round: int = 1
    date: datetime
    author: str | None = None
    pr_number: int | None = None
    pr_title: str | None = None
    reviewers: list[ReviewerInfo] = Field(default_factory=list)
    verdict: Verdict = "Approve"
    verdict_reason: str = ""
    wall_clock_s: float = 0.0


class Verification(_Model):
    status: VerificationStatus = "unverified"
    note: str = ""
    verifier: str | None = None


PriorStatus = Literal["addressed", "partially-addressed", "unaddressed", "obsolete", "dismissed"]
PriorRelation = Literal["unaddressed", "partially-unaddressed", "supersedes", "carried"]
CitationCheck = Literal["honoured", "disproved", "partly-honoured"]


class PriorLink(_Model):
    """A finding of this round continuing one of the previous round (round 1 S5 unaddressed)."""

    round: int
    finding_id: str
    relation: PriorRelation
    prior_severity: Severity | None = None

    @property
    def label(self) -> str:
        """``round 1 S5 unaddressed`` / ``supersedes round 1 S1``."""
        if self.relation == "supersedes":
            return f"supersedes round {self.round} {self.finding_id}"
        if self.relation == "partially-unaddressed":
            return f"round {self.round} {self.finding_id} partially unaddressed"
        return f"round {self.round} {self.finding_id} unaddressed"


class ReconciledFinding(Finding):
    """A finding after grounding, merging, verification and numbering."""

    id: str = Field(description="C1, I2, S3...: how people refer to it afterwards.")
    agents: list[str] = Field(default_factory=list)
    original_severities: dict[str, Severity] = Field(default_factory=dict)
    verification: Verification = Field(default_factory=Verification)
    fix_status: FixStatus | None = None
    fix_status_reason: str = ""
    outside_diff: bool = False
    consensus: int = Field(default=1, description="How many reviewers raised it.")
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    prior: PriorLink | None = Field(
        default=None, description="How this finding relates to one of the previous round's."
    )

    @property
    def location_label(self) -> str:
        if self.start_line == self.end_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


class CommitCitation(_Model):
    """A commit message that says it deals with a finding, checked against the code."""

    sha: str
    subject: str = ""
    generic: bool = Field(
        default=False, description="Cites the review as a whole (address review feedback)."
    )
    check: CitationCheck = "honoured"


class PriorFinding(_Model):
    """One finding of the previous round, carried into this round's code and classified."""

    round: int
    finding_id: str
    title: str
    severity: Severity
    category: Category = "gap"
    path: str
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    fingerprint: str = ""
    status: PriorStatus
    evidence: str = Field(default="", description="Why: what changed, in which commit.")
    commits: list[str] = Field(
        default_factory=list, description="Commits since the previous round that touched it."
    )
    citations: list[CommitCitation] = Field(default_factory=list)
    current_path: str | None = None
    current_start_line: int | None = None
    current_end_line: int | None = None
    current_id: str | None = Field(
        default=None, description="The finding of this round that carries it on, if any."
    )
    dismissal_reason: str = ""

    @property
    def citation_label(self) -> str:
        """``cited in 3f2a1c0 but still present`` (or empty when no commit cites it)."""
        parts = []
        for citation in self.citations:
            short = citation.sha[:7]
            if citation.check == "disproved":
                parts.append(f"cited in {short} but still present")
            elif citation.check == "partly-honoured":
                parts.append(f"cited in {short}, only partly done")
            else:
                parts.append(f"cited in {short}, confirmed")
        return "; ".join(parts)


class DismissedFinding(_Model):
    """A finding this round raised again but the user had dismissed: listed, not raised."""

    title: str
    path: str
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    severity: Severity
    reason: str = ""
    dismissed_as: str = Field(default="", description="The ID it had when it was dismissed.")
    agents: list[str] = Field(default_factory=list)


class RoundInfo(_Model):
    """What this round knows about the previous one of the same branch."""

    number: int = 1
    prior_round: int | None = None
    prior_head_sha: str = ""
    prior_date: datetime | None = None
    incremental: bool = Field(
        default=False,
        description="Reviewers got the change since the prior round in full, the rest in summary.",
    )
    prior_findings: list[PriorFinding] = Field(default_factory=list)
    gate_notes: list[str] = Field(
        default_factory=list, description="Where the prior-round suggestion gate applied."
    )
    dismissed: list[DismissedFinding] = Field(default_factory=list)
    new_ids: list[str] = Field(
        default_factory=list, description="Findings of this round not seen in the prior one."
    )
    notes: list[str] = Field(default_factory=list)

    def count(self, status: PriorStatus) -> int:
        """How many prior findings have this status."""
        return sum(1 for p in self.prior_findings if p.status == status)


class AgentRetro(_Model):
    """How one reviewer did: the retro table's column for it."""

    agent: str
    model: str = ""
    status: ReviewerStatus = "completed"
    error: str | None = None
    narrative: str = ""
    duration_s: float = 0.0
    findings_by_severity: dict[Severity, int] = Field(default_factory=dict)
    tool_calls: dict[str, int] = Field(default_factory=dict)
    design_concerns: int = 0
    design_strengths: int = 0
    false_positives: list[str] = Field(default_factory=list)
    unique_insights: list[str] = Field(default_factory=list)
    files_reviewed: int = 0
    files_total: int = 0
    coverage_misses: list[str] = Field(default_factory=list)
    downgraded: list[str] = Field(default_factory=list)
    dropped: list[str] = Field(default_factory=list)


class ReconciliationNote(_Model):
    kind: Literal["merge", "downgrade", "upgrade", "drop", "reanchor", "reclassify", "appendix"]
    text: str
    agents: list[str] = Field(default_factory=list)
    finding_id: str | None = None


class ProcessNotes(_Model):
    skill_improvements: list[str] = Field(default_factory=list)
    repo_context_updates: list[str] = Field(default_factory=list)


class FileCoverageSummary(_Model):
    path: str
    reviewed_by: list[str] = Field(default_factory=list)
    missed_by: list[str] = Field(default_factory=list)


class TrailEntry(_Model):
    """One reviewer finding and where reconciliation put it."""

    source: str = Field(description="reviewer:local ID, e.g. claude:I2")
    outcome: str = Field(description="the final finding ID (C1, S4...) or 'dropped: <reason>'")


class Review(_Model):
    """The reconciled review: everything a reference report contains."""

    schema_version: int = 1
    header: ReviewHeader
    executive_summary: str = ""
    findings: list[ReconciledFinding] = Field(default_factory=list)
    appendix_findings: list[ReconciledFinding] = Field(
        default_factory=list,
        description="Low-confidence suggestions past the configured limit: kept, not inline.",
    )
    design_observations: list[DesignObservation] = Field(default_factory=list)
    testing_assessment: list[str] = Field(default_factory=list)
    documentation_assessment: str = ""
    commit_structure: str = ""
    acknowledged_limitations: list[str] = Field(default_factory=list)
    unresolved_feedback: list[str] = Field(default_factory=list)
    retro: list[AgentRetro] = Field(default_factory=list)
    reconciliation_notes: list[ReconciliationNote] = Field(default_factory=list)
    process_notes: ProcessNotes = Field(default_factory=ProcessNotes)
    coverage: list[FileCoverageSummary] = Field(default_factory=list)
    excluded_files: list[ExcludedFile] = Field(default_factory=list)
    withheld_secrets: list[WithheldSecret] = Field(default_factory=list)
    model_verified: bool = Field(
        default=False, description="Whether a lead model verified the claims against the code."
    )
    notices: list[str] = Field(
        default_factory=list, description="Plain statements the reader must see (e.g. no models)."
    )
    agent_reviews: list[AgentReview] = Field(default_factory=list)
    rounds: RoundInfo | None = Field(
        default=None, description="Round 2 on: the previous round's findings and their status."
    )
    trail: list[TrailEntry] = Field(
        default_factory=list,
        description="Where every reviewer finding ended: a finding's ID (inline or appendix)"
        " or dropped with the reason. Each input finding appears exactly once.",
    )
    unchecked: bool = Field(
        default=False,
        description="Reviewers made findings but none could be located in the code: the"
        " review is no answer either way (``--fail-on`` fails it).",
    )
    unchecked_reason: str = ""

    def finding(self, finding_id: str) -> ReconciledFinding | None:
        """The finding with this ID (case-insensitive), inline or in the appendix."""
        wanted = finding_id.upper()
        for finding in [*self.findings, *self.appendix_findings]:
            if finding.id.upper() == wanted:
                return finding
        return None

    def counts(self) -> dict[Severity, int]:
        counts = zero_counts()
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts
