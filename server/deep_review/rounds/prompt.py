"""What reviewers of round N+1 get: the prior findings as data, and the incremental diff."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence

from deep_review.change.model import Change
from deep_review.model import PriorFinding
from deep_review.panel.prompting import RoundData
from deep_review.panel.sandbox import is_secret_file


def prior_findings_data(priors: Sequence[PriorFinding]) -> str:
    """The prior round's findings and their status, as JSON lines (data, never instructions)."""
    rows = []
    for prior in priors:
        row: dict[str, object] = {
            "id": f"round {prior.round} {prior.finding_id}",
            "severity": prior.severity,
            "title": prior.title,
            "was_at": f"{prior.path}:{prior.start_line}-{prior.end_line}",
            "status": prior.status,
            "why": prior.evidence,
        }
        if prior.current_path and prior.current_start_line:
            row["now_at"] = (
                f"{prior.current_path}:{prior.current_start_line}-{prior.current_end_line}"
            )
        if prior.citations:
            row["commits_citing_it"] = prior.citation_label
        rows.append(json.dumps(row, ensure_ascii=True))
    return "\n".join(rows) if rows else "(none)"


def since_diff(change: Change, prior_text: Callable[[str], str | None], *, context: int = 3) -> str:
    """Unified diff, file by file, of every reviewed file between the prior head and now."""
    parts = []
    for changed in change.reviewed_files:
        if changed.is_binary or (changed.text is None and changed.status != "deleted"):
            continue
        old = prior_text(changed.old_path or changed.path)
        new = changed.text or ""
        if old == new or (old is None and not new):
            continue
        if is_secret_file(changed.path):
            parts.append(
                f"diff --git a/{changed.path} b/{changed.path}\n"
                "[withheld: a secret-bearing file is never sent to a model]\n"
            )
            continue
        lines = difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{changed.path}" if old is not None else "/dev/null",
            tofile=f"b/{changed.path}",
            n=context,
        )
        body = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
        parts.append(f"diff --git a/{changed.path} b/{changed.path}\n{body}")
    return "".join(parts)


def branch_summary(change: Change) -> str:
    """The whole branch diff in summary: each file with its hunk headers."""
    lines = []
    for changed in change.reviewed_files:
        lines.append(f"{changed.path} ({changed.status}, +{changed.added} -{changed.removed})")
        for hunk in changed.hunks:
            header = hunk.text.split("\n", 1)[0]
            lines.append(f"  {header}")
    return "\n".join(lines) + "\n" if lines else "(no files)\n"


def round_data(
    number: int,
    prior_round: int,
    prior_head: str,
    priors: Sequence[PriorFinding],
    change: Change,
    diff_since: str | None,
) -> RoundData:
    """The prompt data for round ``number`` (``diff_since`` None: a full review)."""
    return RoundData(
        round=number,
        prior_round=prior_round,
        prior_head=prior_head,
        prior_findings=prior_findings_data(priors),
        since_diff=diff_since,
        branch_summary=branch_summary(change) if diff_since is not None else "",
    )
