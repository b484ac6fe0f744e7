"""Stage 5: the parts of the review around the findings, merged across agents."""

from __future__ import annotations

import re
from collections.abc import Sequence

from deep_review.change.model import Change
from deep_review.model import (
    AgentReview,
    DesignObservation,
    FileCoverageSummary,
    ReconciledFinding,
)
from deep_review.reconcile.text import jaccard, words

# Two observations or assessment items sharing this much vocabulary say the same thing.
SAME_POINT = 0.45
_MARKERS = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b[:(]?(.*)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_WIP_SUBJECT = re.compile(r"^(?:fixup!|squash!|amend!|wip\b|WIP\b|tmp\b|temp\b)", re.IGNORECASE)


def _same_point(left: str, right: str) -> bool:
    return jaccard(set(words(left)), set(words(right))) >= SAME_POINT


def merge_design_observations(reviews: Sequence[AgentReview]) -> list[DesignObservation]:
    """One entry per distinct observation, attributed to every agent who made it."""
    merged: list[DesignObservation] = []
    for review in reviews:
        for observation in review.design_observations:
            twin = next(
                (
                    m
                    for m in merged
                    if m.kind == observation.kind
                    and m.scope == observation.scope
                    and _same_point(m.text, observation.text)
                ),
                None,
            )
            if twin is None:
                merged.append(observation.model_copy(update={"agents": [review.reviewer]}))
                continue
            if review.reviewer not in twin.agents:
                twin.agents.append(review.reviewer)
            if len(observation.text) > len(twin.text):
                twin.text = observation.text
    kind_order = {"concern": 0, "strength": 1}
    scope_order = {"in-scope": 0, "future": 1}
    return sorted(merged, key=lambda o: (kind_order[o.kind], scope_order[o.scope]))


def _items(text: str) -> list[str]:
    """An assessment split into its points: bullets, numbered items or paragraphs."""
    lines = [line for line in text.strip().splitlines()]
    if any(_BULLET.match(line) for line in lines):
        items: list[str] = []
        for line in lines:
            if _BULLET.match(line):
                items.append(_BULLET.sub("", line).strip())
            elif line.strip() and items:
                items[-1] = f"{items[-1]} {line.strip()}"
            elif line.strip():
                items.append(line.strip())
        return items
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def merge_assessments(texts: Sequence[str]) -> list[str]:
    """Distinct points across agents' assessments, the fuller wording kept for each."""
    merged: list[str] = []
    for text in texts:
        for item in _items(text):
            twin = next((i for i, m in enumerate(merged) if _same_point(m, item)), None)
            if twin is None:
                merged.append(item)
            elif len(item) > len(merged[twin]):
                merged[twin] = item
    return merged


def coverage(change: Change, reviews: Sequence[AgentReview]) -> list[FileCoverageSummary]:
    """Per reviewed file: the completed agents that covered it (said so, or reported in it)."""
    summaries: list[FileCoverageSummary] = []
    completed = [r for r in reviews if r.status == "completed"]
    for changed in sorted(change.reviewed_files, key=lambda f: f.path):
        reviewed_by: list[str] = []
        missed_by: list[str] = []
        for review in completed:
            (reviewed_by if _covered(review, changed.path) else missed_by).append(review.reviewer)
        summaries.append(
            FileCoverageSummary(path=changed.path, reviewed_by=reviewed_by, missed_by=missed_by)
        )
    return summaries


def _covered(review: AgentReview, path: str) -> bool:
    statuses = {c.status for c in review.coverage if c.path == path}
    if statuses & {"reviewed", "trivial"}:
        return True
    return any(f.path == path for f in review.findings)


def commit_structure(change: Change) -> str:
    """A short note on how the change is split into commits."""
    commits = change.commits
    if not commits:
        return "No commits yet: the change is uncommitted work in the working tree."
    lines: list[str] = []
    if len(commits) == 1:
        lines.append(f"Single commit `{commits[0].sha[:8]}` {commits[0].subject}.")
    else:
        lines.append(f"{len(commits)} commits.")
    wip = [c for c in commits if _WIP_SUBJECT.match(c.subject)]
    if wip:
        listed = ", ".join(f"`{c.sha[:8]}` {c.subject}" for c in wip)
        lines.append(f"Squash before merging: {listed}.")
    long = [c for c in commits if len(c.subject) > 72]
    if long:
        lines.append(
            f"{len(long)} subject line{'s are' if len(long) > 1 else ' is'} longer than 72"
            " characters."
        )
    empty = [c for c in commits if not c.subject.strip()]
    if empty:
        lines.append(f"{len(empty)} commit{'s have' if len(empty) > 1 else ' has'} no subject.")
    if len(lines) == 1:
        lines.append("No concerns.")
    return " ".join(lines)


def acknowledged_limitations(change: Change) -> list[str]:
    """TODO/FIXME/XXX/HACK markers the change adds: limits the author already states."""
    found: list[str] = []
    for changed in sorted(change.reviewed_files, key=lambda f: f.path):
        for hunk in changed.hunks:
            new_line = hunk.new_start
            for line in hunk.text.splitlines()[1:]:
                if line.startswith("+"):
                    match = _MARKERS.search(line)
                    if match:
                        note = match.group(2).strip(" :-*/#") or "(no text)"
                        found.append(f"{changed.path}:{new_line}: {match.group(1)} {note}")
                    new_line += 1
                elif line.startswith(" "):
                    new_line += 1
    return found


def structure_line(findings: Sequence[ReconciledFinding], observations: int) -> str:
    """The "Structure: ..." line of the executive summary."""
    counts = {"critical": 0, "important": 0, "suggestion": 0}
    for finding in findings:
        counts[finding.severity] += 1
    plural = "s" if counts["suggestion"] != 1 else ""
    obs = "observation" if observations == 1 else "observations"
    return (
        f"Structure: {counts['critical']} Critical, {counts['important']} Important,"
        f" {counts['suggestion']} Suggestion{plural}, {observations} design {obs}."
    )


def template_summary(
    change: Change,
    reviews: Sequence[AgentReview],
    findings: Sequence[ReconciledFinding],
    appendix: int,
    dropped: int,
) -> str:
    """The executive summary written without a model: facts only."""
    files = change.reviewed_files
    added = sum(f.added for f in files)
    removed = sum(f.removed for f in files)
    completed = [r.reviewer for r in reviews if r.status == "completed"]
    failed = [r.reviewer for r in reviews if r.status != "completed"]
    raised = sum(len(r.findings) for r in reviews)
    parts = [
        f"The change touches {len(files)} file{'s' * (len(files) != 1)} (+{added}/-{removed})."
        f" {len(completed)} reviewer{'s' * (len(completed) != 1)} completed"
        + (f" ({', '.join(completed)})" if completed else "")
        + (f"; {', '.join(failed)} did not" if failed else "")
        + f", raising {raised} finding{'s' * (raised != 1)};"
        f" after grounding, merging and calibration {len(findings)}"
        f" remain{'s' * (len(findings) == 1)}"
        + (f", {appendix} moved to the appendix" if appendix else "")
        + (f" and {dropped} dropped as not matching the code" if dropped else "")
        + "."
    ]
    top = [f for f in findings if f.severity != "suggestion"][:3]
    if top:
        parts.append(
            "Key issues: " + "; ".join(f"{f.id} {f.title} ({f.location_label})" for f in top) + "."
        )
    return " ".join(parts)
