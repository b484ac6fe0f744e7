"""The lead model over the panel's agent loop: merge confirmation, verification, narratives."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from deep_review.change.model import Change
from deep_review.config import ANALYZER_PROVIDERS, CommandsConfig, ReviewerConfig
from deep_review.events import EventSink, ReviewerStarted, ReviewEvent
from deep_review.model import AgentRetro, AgentReview, Finding, ReconciledFinding, Review, Severity
from deep_review.panel.agent import run_agent
from deep_review.panel.prompting import data_block, new_boundary, render
from deep_review.panel.redact import Redactor
from deep_review.panel.sandbox import RepoSandbox
from deep_review.panel.tools import Toolbox
from deep_review.reconcile.lead import (
    LeadModel,
    LeadModelError,
    MergeJudgement,
    VerificationResult,
    find_lead_config,
)

M = TypeVar("M", bound=BaseModel)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


class _Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MergeDecision(_Submission):
    """What ``submit_merge_decision`` takes."""

    same_problem: bool = Field(description="True when one fix would resolve both findings.")
    reason: str = Field(default="", description="One sentence: why.")


class Verdict(_Submission):
    """What ``submit_verification`` takes."""

    status: Literal["confirmed", "downgraded", "upgraded", "dropped"]
    severity: Severity | None = Field(
        default=None, description="The right severity when downgraded or upgraded."
    )
    reason: str = Field(min_length=1, description="One or two sentences citing the code.")
    repo_context: str = Field(
        default="", description="A repository fact future reviewers should know, or empty."
    )


class Narrative(_Submission):
    """What ``submit_narrative`` takes."""

    narrative: str = Field(min_length=1)


class Summary(_Submission):
    """What ``submit_summary`` takes."""

    summary: str = Field(min_length=1)


@cache
def prompt(name: str) -> str:
    """``reconcile/prompts/<name>.md`` without its front matter."""
    path = resources.files("deep_review.reconcile").joinpath("prompts", f"{name}.md")
    return _FRONT_MATTER.sub("", path.read_text("utf-8"), count=1)


def model_family(reviewer: ReviewerConfig) -> str:
    """Which family of models a reviewer runs (verification may want a different one)."""
    model = reviewer.model.lower()
    for family, markers in (
        ("anthropic", ("claude",)),
        ("openai", ("gpt", "codex", "o1", "o3", "o4")),
        ("google", ("gemini", "gemma")),
        ("meta", ("llama",)),
        ("alibaba", ("qwen",)),
        ("mistral", ("mistral", "mixtral", "codestral")),
        ("deepseek", ("deepseek",)),
    ):
        if any(model.startswith(marker) or f"/{marker}" in model for marker in markers):
            return family
    return reviewer.provider if reviewer.provider != "openai-compatible" else model or "local"


class ModelLead:
    """A LeadModel that asks a model, with the read-only tools, through ``run_agent``."""

    def __init__(
        self,
        reviewer_config: ReviewerConfig,
        sandbox: RepoSandbox,
        change: Change,
        on_event: EventSink,
        env: Mapping[str, str],
        *,
        alternates: Sequence[ReviewerConfig] = (),
        families: Mapping[str, str] | None = None,
    ) -> None:
        self._reviewer = reviewer_config
        self._alternates = list(alternates)
        self._families = dict(families or {})
        self._change = change
        self._on_event = on_event
        self._announced: set[str] = set()
        self._env = env
        self._redactor = Redactor()
        self._toolbox = Toolbox(sandbox, change, commands=CommandsConfig(), redactor=self._redactor)

    @property
    def name(self) -> str:
        return _label(self._reviewer)

    async def confirm_merge(self, a: Finding, b: Finding) -> MergeJudgement:
        """Whether the two findings are one problem, as the lead judges it, and why."""
        boundary = new_boundary(a.model_dump_json(), b.model_dump_json())
        text = render(
            prompt("merge"),
            {
                "first": data_block("FIRST FINDING", self._finding_json(a), boundary),
                "second": data_block("SECOND FINDING", self._finding_json(b), boundary),
            },
        )
        decision = await self._ask("decide a merge", text, MergeDecision, "submit_merge_decision")
        return MergeJudgement(same_problem=decision.same_problem, reason=decision.reason.strip())

    async def verify(self, finding: ReconciledFinding, change: Change) -> VerificationResult:
        """Check one finding against the code, preferably with a model of another family."""
        verifier = self._verifier_for(finding)
        changed = change.file(finding.path)
        diff = self._redactor.redact_diff(changed.patch, finding.path) if changed else ""
        boundary = new_boundary(finding.model_dump_json(), diff)
        text = render(
            prompt("verify"),
            {
                "finding": data_block("FINDING", self._finding_json(finding), boundary),
                "diff": data_block(
                    "DIFF", diff or "(the file is not changed by this change)", boundary
                ),
            },
        )
        verdict = await self._ask(
            "verify a finding", text, Verdict, "submit_verification", reviewer=verifier
        )
        return VerificationResult(
            status=verdict.status,
            severity=verdict.severity,
            reason=verdict.reason,
            repo_context=verdict.repo_context,
            verifier=_label(verifier),
        )

    async def narrate(self, retro: AgentRetro, review: AgentReview) -> str:
        """The lead's retro paragraph on one reviewer."""
        facts = {
            "retro": retro.model_dump(exclude={"narrative"}),
            "summary": review.summary,
            "design_observations": [o.model_dump() for o in review.design_observations],
        }
        facts = _redacted_texts(facts, self._redactor, "")
        payload = json.dumps(facts, indent=2, sort_keys=True)
        boundary = new_boundary(payload)
        text = render(prompt("narrate"), {"retro": data_block("RETRO", payload, boundary)})
        answer = await self._ask("narrate a retro", text, Narrative, "submit_narrative")
        return answer.narrative.strip()

    async def summarise(self, review: Review) -> str:
        """The lead's executive summary of the reconciled review."""
        facts = {
            "verdict": review.header.verdict,
            "verdict_reason": review.header.verdict_reason,
            "findings": [
                {
                    "id": f.id,
                    "severity": f.severity,
                    "title": f.title,
                    "location": f.location_label,
                    "agents": f.agents,
                }
                for f in review.findings
            ],
            "design_observations": [o.model_dump() for o in review.design_observations],
            "agent_summaries": {r.reviewer: r.summary for r in review.agent_reviews if r.summary},
        }
        facts = _redacted_texts(facts, self._redactor, "")
        payload = json.dumps(facts, indent=2, sort_keys=True)
        boundary = new_boundary(payload)
        text = render(prompt("summarise"), {"review": data_block("REVIEW", payload, boundary)})
        answer = await self._ask("summarise the review", text, Summary, "submit_summary")
        return answer.summary.strip()

    def _finding_json(self, finding: Finding) -> str:
        """The finding as JSON for a prompt, every text in it redacted (the finding is not)."""
        return json.dumps(self._redacted_finding(finding), indent=2, sort_keys=True)

    def _redacted_finding(self, finding: Finding) -> dict[str, Any]:
        """``finding`` dumped with secrets cut from every text a reviewer or analyzer wrote.

        Analyzer evidence and fixes come from local files unredacted; the stored finding keeps
        them (grounding needs the real text), only what goes to a provider is redacted.
        """
        redact = self._redactor
        data: dict[str, Any] = {
            key: _redacted_texts(value, redact, finding.path)
            for key, value in finding.model_dump(exclude_none=True).items()
        }
        data["evidence"] = redact.redact(
            finding.evidence, finding.path, first_line=finding.start_line
        )
        if finding.fix is not None:
            data["fix"] = redact.redact_diff(finding.fix, finding.path)
        return data

    def _verifier_for(self, finding: ReconciledFinding) -> ReviewerConfig:
        """The lead, unless it shares a family with every finder and another family is there."""
        finder_families = {self._families[a] for a in finding.agents if a in self._families}
        if model_family(self._reviewer) not in finder_families:
            return self._reviewer
        for alternate in self._alternates:
            if model_family(alternate) not in finder_families:
                return alternate
        return self._reviewer

    async def _ask(
        self,
        task: str,
        text: str,
        submit_model: type[M],
        submit_tool: str,
        *,
        reviewer: ReviewerConfig | None = None,
    ) -> M:
        chosen = reviewer or self._reviewer
        run = await run_agent(
            chosen.model_copy(update={"name": f"{chosen.name}-lead"}),
            system=prompt("system"),
            prompt=text,
            toolbox=self._toolbox,
            submit_model=submit_model,
            on_event=self._forward,
            env=self._env,
            submit_tool=submit_tool,
        )
        if run.result is None:
            raise LeadModelError(
                f"the lead model {_label(chosen)} could not {task}: {run.error or run.status}"
            )
        return run.result

    def _forward(self, event: ReviewEvent) -> None:
        """Pass the lead's agent events on, announcing each lead seat once, not once per task."""
        if isinstance(event, ReviewerStarted):
            if event.reviewer in self._announced:
                return
            self._announced.add(event.reviewer)
        self._on_event(event)


def _label(reviewer: ReviewerConfig) -> str:
    return f"{reviewer.name} ({reviewer.model})" if reviewer.model else reviewer.name


def _redacted_texts(value: Any, redactor: Redactor, path: str) -> Any:
    """``value`` (a JSON-like tree) with every string redacted; keys are left as they are."""
    if isinstance(value, str):
        return redactor.redact(value, path)
    if isinstance(value, dict):
        return {key: _redacted_texts(item, redactor, path) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted_texts(item, redactor, path) for item in value]
    return value


def make_lead(
    name: str | None,
    reviewers: Sequence[ReviewerConfig],
    *,
    sandbox: RepoSandbox,
    change: Change,
    on_event: EventSink,
    env: Mapping[str, str],
    verify_with_other_family: bool = True,
) -> LeadModel | None:
    """The lead model for ``name`` (None: no lead, the deterministic reconciler runs alone)."""
    if name is None:
        return None
    config = find_lead_config(name, reviewers)
    models = [r for r in reviewers if r.provider not in ANALYZER_PROVIDERS]
    alternates = [r for r in models if r is not config] if verify_with_other_family else []
    return ModelLead(
        config,
        sandbox,
        change,
        on_event,
        env,
        alternates=alternates,
        families={r.name: model_family(r) for r in models},
    )
