"""The review as data: what reviewers submit, what the reconciler produces, what reports render.

Field names are a contract: model reviewers emit them (``submit_review``), the report, the
language server and saved ``.deep-review/`` files read them. Change them only with a migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["critical", "important", "suggestion"]
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

SEVERITY_ORDER: dict[str, int] = {"critical": 0, "important": 1, "suggestion": 2}
SEVERITY_PREFIX: dict[str, str] = {"critical": "C", "important": "I", "suggestion": "S"}


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

    @property
    def location_label(self) -> str:
        if self.start_line == self.end_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


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

    def finding(self, finding_id: str) -> ReconciledFinding | None:
        """The finding with this ID (case-insensitive), inline or in the appendix."""
        wanted = finding_id.upper()
        for finding in [*self.findings, *self.appendix_findings]:
            if finding.id.upper() == wanted:
                return finding
        return None

    def counts(self) -> dict[Severity, int]:
        counts: dict[Severity, int] = {"critical": 0, "important": 0, "suggestion": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts
