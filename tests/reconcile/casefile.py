"""The labelled reconciliation set: load a case, build its change and tree, score the result."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from deep_review.change.model import Change, ChangedFile, Hunk
from deep_review.config import ReconcileConfig
from deep_review.model import AgentReview, CommitInfo, Review, Severity
from deep_review.reconcile.lead import LeadModel
from deep_review.reconcile.pipeline import ReconcileTrace, reconcile_with_trace

CASES = Path(__file__).parent / "cases"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    groups: list[list[str]] = Field(description="Surviving finding keys, grouped by problem.")
    dropped: dict[str, str] = Field(default_factory=dict, description="key → words in reason.")
    severity: dict[str, Severity] = Field(default_factory=dict)
    location: dict[str, tuple[str, int, int]] = Field(default_factory=dict)
    outside_diff: list[str] = Field(default_factory=list)
    appendix: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    about: str
    base: dict[str, list[str]]
    head: dict[str, list[str]]
    reviews: list[dict[str, Any]]
    expect: Expectation
    config: dict[str, Any] = Field(default_factory=dict)

    def text(self, path: str) -> str | None:
        lines = self.head.get(path)
        return None if lines is None else "\n".join(lines) + "\n"

    def agent_reviews(self) -> tuple[list[AgentReview], dict[tuple[str, int], str]]:
        """The reviews as AgentReview models, and (agent, index) → the finding's case key."""
        reviews: list[AgentReview] = []
        keys: dict[tuple[str, int], str] = {}
        for raw in self.reviews:
            findings = []
            for index, finding in enumerate(raw.get("findings", [])):
                keys[(raw["reviewer"], index)] = finding["key"]
                findings.append({k: v for k, v in finding.items() if k != "key"})
            reviews.append(AgentReview.model_validate({**raw, "findings": findings}))
        return reviews, keys


class DictSource:
    """The reviewed tree of a case (an input, like the sandbox a real run passes)."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self._files = dict(files)

    def read_text(self, path: str) -> str | None:
        return self._files.get(path)


def load_cases() -> list[Case]:
    """Every case of the labelled set, in file order."""
    return [Case.model_validate_json(p.read_text()) for p in sorted(CASES.glob("*.json"))]


def change_from_files(base: Mapping[str, str], head: Mapping[str, str]) -> Change:
    """A Change between two in-memory trees, hunks as git would show them (3 context lines)."""
    files: list[ChangedFile] = []
    for path in sorted(set(base) | set(head)):
        old, new = base.get(path), head.get(path)
        if old == new:
            continue
        status = "added" if old is None else "deleted" if new is None else "modified"
        patch_lines = list(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                f"a/{path}",
                f"b/{path}",
                n=3,
            )
        )
        hunks = list(_hunks(patch_lines[2:]))
        files.append(
            ChangedFile(
                path=path,
                status=status,
                hunks=hunks,
                patch="".join(patch_lines),
                text=new,
                added=sum(len(h.added_lines) for h in hunks),
                removed=sum(
                    1 for h in hunks for line in h.text.splitlines()[1:] if line.startswith("-")
                ),
            )
        )
    return Change(
        repo_root="/labelled/repo",
        base_ref="main",
        base_sha="a" * 40,
        head_sha="b" * 40,
        branch="feature",
        commits=[CommitInfo(sha="c" * 40, subject="Change the store")],
        files=files,
        diff_hash="labelled",
    )


def _hunks(lines: list[str]) -> Iterator[Hunk]:
    current: list[str] = []
    for line in [*lines, "@@ -0,0 +0,0 @@"]:
        if line.startswith("@@") and current:
            yield _hunk(current)
            current = []
        current.append(line)


def _hunk(lines: list[str]) -> Hunk:
    match = _HUNK.match(lines[0].rstrip("\n"))
    assert match, lines[0]
    old_start, old_len, new_start, new_len, section = match.groups()
    added: list[int] = []
    number = int(new_start)
    for line in lines[1:]:
        if line.startswith("+"):
            added.append(number)
            number += 1
        elif line.startswith(" "):
            number += 1
    return Hunk(
        old_start=int(old_start),
        old_lines=int(old_len or 1),
        new_start=int(new_start),
        new_lines=int(new_len or 1),
        section=section.strip(),
        text="".join(line if line.endswith("\n") else line + "\n" for line in lines),
        added_lines=added,
    )


async def run_case(
    case: Case, *, lead: LeadModel | None = None
) -> tuple[Review, ReconcileTrace, dict[tuple[str, int], str]]:
    """Reconcile one case; the result, its trace, and the case keys of the agent findings."""
    reviews, keys = case.agent_reviews()
    base = {p: "\n".join(lines) + "\n" for p, lines in case.base.items()}
    head = {p: "\n".join(lines) + "\n" for p, lines in case.head.items()}
    review, trace = await reconcile_with_trace(
        reviews,
        change_from_files(base, head),
        DictSource(head),
        config=ReconcileConfig.model_validate(case.config),
        lead=lead,
    )
    return review, trace, keys


def found_groups(trace: ReconcileTrace, keys: Mapping[tuple[str, int], str]) -> list[list[str]]:
    """The groups the reconciler formed, as sorted lists of case keys."""
    return sorted(sorted(keys[source] for source in group) for group in trace.sources.values())


def pair_counts(expected: list[list[str]], found: list[list[str]]) -> tuple[int, int, int]:
    """(true positive, false positive, false negative) same-problem pairs."""
    want = {frozenset(p) for g in expected for p in combinations(g, 2)}
    got = {frozenset(p) for g in found for p in combinations(g, 2)}
    return len(want & got), len(got - want), len(want - got)
