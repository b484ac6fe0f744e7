"""Carry each prior finding into the current code and say what became of it (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deep_review.model import (
    CitationCheck,
    CommitCitation,
    PriorFinding,
    PriorStatus,
    ReconciledFinding,
    Review,
)
from deep_review.rounds.citations import parse_citations
from deep_review.rounds.facts import CommitFacts, FileFacts, RoundFacts
from deep_review.rounds.mapping import MappedRange, map_range
from deep_review.rounds.text import code_lines, find_block, meaningful, present_fraction
from deep_review.store.fingerprint import finding_fingerprint

_SEARCH_MARGIN = 12
_FIX_APPLIED = 0.8


@dataclass(frozen=True)
class FixLines:
    """What a finding's suggested diff adds and removes, per file (normalised, meaningful)."""

    added: dict[str, list[str]]
    removed: dict[str, list[str]] | None = None


def fix_lines(fix: str | None, default_path: str) -> FixLines:
    """The lines a unified diff adds and removes, by the file it changes."""
    added: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    path = default_path
    for line in (fix or "").splitlines():
        if line.startswith("+++ "):
            target = line[4:].split("\t")[0].strip()
            path = target[2:] if target.startswith("b/") else target
        elif line.startswith("--- "):
            continue
        elif line[:1] in ("+", "-"):
            text = " ".join(line[1:].split())
            if text and meaningful(text):
                (added if line[0] == "+" else removed).setdefault(path, []).append(text)
    return FixLines(added, removed)


def _new_lines_only(fix: FixLines, facts: RoundFacts) -> FixLines:
    """Drop fix lines the file already had at the prior head: their presence proves nothing."""
    kept: dict[str, list[str]] = {}
    for path, lines in fix.added.items():
        file = facts.file(path)
        old = {" ".join(x.split()) for x in (file.old_text or "").splitlines()} if file else set()
        fresh = [line for line in lines if line not in old]
        if fresh:
            kept[path] = fresh
    return FixLines(kept, fix.removed)


def _fix_state(fix: FixLines, texts: dict[str, list[str]]) -> tuple[str, list[str]]:
    """How much of the proposed fix is in the code now, and the files whose part is missing.

    ``applied`` / ``partial`` / ``none``; the missing files matter when the fix spans several
    (002's "the binary is gone, the .gitignore half is not").
    """
    if not fix.added:
        return "none", []
    fractions: dict[str, float] = {}
    for path, lines in fix.added.items():
        have = texts.get(path)
        fractions[path] = present_fraction(lines, have) if have is not None else 0.0
    missing = [path for path, f in fractions.items() if f == 0.0]
    if all(f >= _FIX_APPLIED for f in fractions.values()):
        return "applied", []
    if any(f > 0 for f in fractions.values()):
        return "partial", missing
    return "none", missing


def _evidence_lines(finding: ReconciledFinding, facts: FileFacts | None) -> list[str]:
    lines = code_lines(finding.evidence)
    if lines or facts is None or facts.old_text is None:
        return lines
    old = facts.old_text.splitlines()[finding.start_line - 1 : finding.end_line]
    return code_lines("\n".join(old))


def _evidence_fraction(evidence: list[str], new_text: str, mapped: MappedRange) -> float:
    """How much of the quoted code is still there: near where it should be, else anywhere."""
    lines = [" ".join(x.split()) for x in new_text.splitlines()]
    low = max(mapped.start - 1 - _SEARCH_MARGIN - len(evidence), 0)
    high = mapped.end + _SEARCH_MARGIN + len(evidence)
    window = [line for line in lines[low:high] if line]
    near = present_fraction(evidence, window)
    if near == 1.0:
        return near
    if find_block([line for line in lines if line], evidence) is not None:
        return 1.0  # the whole quoted block moved elsewhere in the file
    return near


def _touching_commits(
    finding: ReconciledFinding, evidence: list[str], fix: FixLines, commits: Sequence[CommitFacts]
) -> list[CommitFacts]:
    """Commits that removed the quoted code or added the fix's lines in the finding's file."""
    wanted_removed = {line for line in evidence if meaningful(line)}
    found = []
    for commit in commits:
        removed = {" ".join(x.split()) for x in commit.removed.get(finding.path, ())}
        added_ok = any(
            {" ".join(x.split()) for x in commit.added.get(path, ())} & set(lines)
            for path, lines in fix.added.items()
        )
        if removed & wanted_removed or added_ok or finding.path in commit.deleted_paths:
            found.append(commit)
    if found:
        return found
    return [c for c in commits if finding.path in c.removed or finding.path in c.added]


def _fix_targets_gone(
    finding: ReconciledFinding, fix: FixLines, new_text: str, mapped: MappedRange
) -> bool:
    """Whether every line the proposed fix removes (in the finding's file) is gone from there.

    When a quoted block keeps its context lines but the line the fix targets changed, the
    finding is addressed, not half done.
    """
    targets = (fix.removed or {}).get(finding.path, [])
    if not targets:
        return False
    return _evidence_fraction(targets, new_text, mapped) == 0.0


def _commit_phrase(commits: Sequence[CommitFacts]) -> str:
    if not commits:
        return "not in any commit (uncommitted edits)"
    shown = ", ".join(f"{c.short} ({c.subject})" for c in commits[:3])
    more = f" and {len(commits) - 3} more" if len(commits) > 3 else ""
    return f"in {shown}{more}"


def _decide(
    finding: ReconciledFinding,
    facts: FileFacts | None,
    fix: FixLines,
    all_texts: dict[str, list[str]],
) -> tuple[PriorStatus, str, MappedRange | None]:
    if facts is None or facts.current_path is None or facts.new_text is None:
        return "obsolete", f"{finding.path} no longer exists", None
    mapped = map_range(facts.hunks, finding.start_line, finding.end_line)
    evidence = _evidence_lines(finding, facts)
    present = _evidence_fraction(evidence, facts.new_text, mapped) if evidence else 1.0
    state, missing = _fix_state(fix, all_texts)
    where = f"{finding.path}:{finding.start_line}-{finding.end_line}"
    if present == 0.0 and state == "partial" and missing and len(fix.added) > 1:
        return (
            "partially-addressed",
            f"the quoted code at {where} changed, but the fix's part in {', '.join(missing)}"
            " is not in place",
            mapped,
        )
    if present == 0.0:
        if mapped.removed_wholesale and state != "applied":
            return "obsolete", f"the code at {where} was removed with its surroundings", mapped
        how = " as its fix proposed" if state == "applied" else ""
        return "addressed", f"the quoted code at {where} is gone{how}", mapped
    if state == "applied":
        return "addressed", f"the code at {where} changed as its fix proposed", mapped
    if state == "partial":
        rest = f" (missing in {', '.join(missing)})" if missing else ""
        quoted = "is still there" if present == 1.0 else "changed only in part"
        return (
            "partially-addressed",
            f"part of the proposed fix is in place{rest}; the quoted code at {where} {quoted}",
            mapped,
        )
    if present < 1.0 and _fix_targets_gone(finding, fix, facts.new_text, mapped):
        return (
            "addressed",
            f"the lines at {where} that its fix would change are gone (fixed another way)",
            mapped,
        )
    if present < 1.0:
        return (
            "partially-addressed",
            f"part of the quoted code at {where} changed, part is still there",
            mapped,
        )
    if mapped.touched:
        return (
            "unaddressed",
            f"lines near {where} changed but the quoted code is still there",
            mapped,
        )
    return "unaddressed", f"the quoted code at {where} is unchanged", mapped


def _citations(
    finding_id: str, status: PriorStatus, commits: Sequence[CommitFacts]
) -> list[CommitCitation]:
    found = []
    checks: dict[str, CitationCheck] = {
        "addressed": "honoured",
        "obsolete": "honoured",
        "partially-addressed": "partly-honoured",
    }
    check = checks.get(status, "disproved")
    for commit in commits:
        cited = parse_citations(commit.message)
        if finding_id.upper() in cited.ids or (cited.generic and not cited.ids):
            found.append(
                CommitCitation(
                    sha=commit.sha,
                    subject=commit.subject,
                    generic=finding_id.upper() not in cited.ids,
                    check=check,
                )
            )
    return found


def _current_texts(facts: RoundFacts) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for file in facts.files.values():
        if file.current_path and file.new_text is not None:
            texts[file.current_path] = [" ".join(x.split()) for x in file.new_text.splitlines()]
            texts.setdefault(file.path, texts[file.current_path])
    return texts


def classify_prior(
    prior: Review,
    facts: RoundFacts,
    *,
    dismissed: dict[str, str] | None = None,
) -> list[PriorFinding]:
    """Every inline finding of ``prior``, carried into the current code and classified.

    ``dismissed`` maps fingerprints of dismissed findings to the user's reason.
    """
    dismissed = dismissed or {}
    texts = _current_texts(facts)
    results = []
    for finding in prior.findings:
        fingerprint = finding_fingerprint(finding)
        file = facts.file(finding.path)
        fix = _new_lines_only(fix_lines(finding.fix, finding.path), facts)
        evidence = _evidence_lines(finding, file)
        status, why, mapped = _decide(finding, file, fix, texts)
        reason = ""
        if fingerprint in dismissed:
            status, reason = "dismissed", dismissed[fingerprint]
            why = "dismissed" + (f": {reason}" if reason else "")
        touching = _touching_commits(finding, evidence, fix, facts.commits)
        if status in ("addressed", "obsolete", "partially-addressed"):
            why += f"; changed {_commit_phrase(touching)}"
        if not facts.prior_head_known:
            why += " (the prior head is gone from this repository: compared by quoted code)"
        results.append(
            PriorFinding(
                round=prior.header.round,
                finding_id=finding.id,
                title=finding.title,
                severity=finding.severity,
                category=finding.category,
                path=finding.path,
                start_line=finding.start_line,
                end_line=finding.end_line,
                fingerprint=fingerprint,
                status=status,
                evidence=why,
                commits=[c.sha for c in touching],
                citations=_citations(finding.id, status, facts.commits),
                current_path=file.current_path if file else None,
                current_start_line=mapped.start if mapped else None,
                current_end_line=mapped.end if mapped else None,
                dismissal_reason=reason,
            )
        )
    return results


def changed_lines_near(prior: PriorFinding, facts: RoundFacts) -> int:
    """Lines added or removed around a prior finding since its round."""
    file = facts.file(prior.path)
    if file is None:
        return 0
    return map_range(file.hunks, prior.start_line, prior.end_line).changed_nearby


def prior_lines_now(prior: PriorFinding, facts: RoundFacts) -> str:
    """The current text of the lines a prior finding maps to (its refreshed evidence)."""
    file = facts.file(prior.path)
    if file is None or file.new_text is None or prior.current_start_line is None:
        return ""
    end = prior.current_end_line or prior.current_start_line
    return "\n".join(file.new_text.splitlines()[prior.current_start_line - 1 : end])


def fact_paths(prior: Review) -> list[str]:
    """Every file the facts must cover: the prior findings' files and those their fixes touch."""
    paths: list[str] = []
    for finding in prior.findings:
        paths.append(finding.path)
        paths.extend(fix_lines(finding.fix, finding.path).added)
        paths.extend(related.path for related in finding.related)
    return list(dict.fromkeys(paths))
