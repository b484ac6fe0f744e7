"""Stage 1: check every agent finding against the reviewed tree; re-anchor or drop with a reason."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from deep_review.change.model import Change, ChangedFile
from deep_review.model import SEVERITY_PREFIX, AgentReview, Finding, RelatedLocation
from deep_review.reconcile.text import is_elision, normalize_code_line

# How far (in lines) quoted evidence may sit from the cited span and still count as "at" it.
NEAR_LINES = 3
# Quoted evidence shorter than this (whitespace removed) identifies nothing: "}" is everywhere.
MIN_EVIDENCE_CHARS = 6

EvidenceMatch = Literal["at-lines", "reanchored", "removed-code", "no-evidence", "unlocated"]


class TextSource(Protocol):
    """The reviewed tree, read-only: a file's text, or None when it is absent or unreadable."""

    def read_text(self, path: str) -> str | None: ...


@dataclass(frozen=True)
class Claim:
    """One agent finding that survived grounding, with where it came from."""

    agent: str
    agent_order: int
    index: int
    local_id: str
    finding: Finding
    evidence_match: EvidenceMatch
    reanchored_from: tuple[int, int] | None = None
    unlocated_reason: str = ""
    """Set when the finding could not be located in the code: it goes to the appendix."""

    @property
    def key(self) -> tuple[int, int]:
        return (self.agent_order, self.index)

    @property
    def label(self) -> str:
        return f"{self.agent}'s {self.local_id}"


@dataclass(frozen=True)
class DroppedClaim:
    """An agent finding that could not be grounded, and why."""

    agent: str
    index: int
    local_id: str
    finding: Finding
    reason: str


@dataclass(frozen=True)
class GroundingResult:
    claims: list[Claim]
    dropped: list[DroppedClaim]


def local_ids(findings: Sequence[Finding]) -> list[str]:
    """The agent's own numbering of its findings (C1, I1, I2, S1...), in submitted order."""
    counters = {"C": 0, "I": 0, "S": 0}
    ids: list[str] = []
    for finding in findings:
        prefix = SEVERITY_PREFIX[finding.severity]
        counters[prefix] += 1
        ids.append(f"{prefix}{counters[prefix]}")
    return ids


def ground_reviews(
    reviews: Sequence[AgentReview], change: Change, source: TextSource
) -> GroundingResult:
    """Ground every finding of every agent review, in panel order."""
    texts = _TextCache(source)
    claims: list[Claim] = []
    dropped: list[DroppedClaim] = []
    for order, review in enumerate(reviews):
        for index, (finding, local_id) in enumerate(
            zip(review.findings, local_ids(review.findings), strict=True)
        ):
            outcome = ground_finding(finding, change, texts)
            if isinstance(outcome, str):
                if _is_absent(outcome):
                    # A deterministic fact: the file is in neither tree. The finding is false.
                    dropped.append(DroppedClaim(review.reviewer, index, local_id, finding, outcome))
                else:
                    # "Could not locate" is not "false": kept, unlocated, for the appendix.
                    kept = _within_file(finding, change, texts)
                    claims.append(
                        Claim(
                            review.reviewer, order, index, local_id, kept, "unlocated",
                            unlocated_reason=outcome,
                        )
                    )  # fmt: skip
                continue
            grounded, match, moved_from = outcome
            claims.append(
                Claim(review.reviewer, order, index, local_id, grounded, match, moved_from)
            )
    return GroundingResult(claims, dropped)


class _TextCache:
    def __init__(self, source: TextSource) -> None:
        self._source = source
        self._cache: dict[str, str | None] = {}

    def exists(self, path: str) -> bool:
        """Whether the path is there at all (sources that cannot tell say no)."""
        exists = getattr(self._source, "exists", None)
        return bool(exists(path)) if callable(exists) else False

    def read(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = self._source.read_text(path)
        return self._cache[path]


def _resolve_path(path: str, change: Change, texts: _TextCache) -> tuple[str, str] | None:
    """The finding's path as it exists in the tree (tolerating a/ b/ and repo-root prefixes)."""
    candidates = [path.lstrip("/")]
    for prefix in ("a/", "b/"):
        if path.startswith(prefix):
            candidates.append(path[len(prefix) :])
    root = change.repo_root.replace("\\", "/").rstrip("/") + "/"
    if path.startswith(root):
        candidates.append(path[len(root) :])
    for candidate in candidates:
        text = texts.read(candidate)
        if text is not None:
            return candidate, text
    return None


def _within_file(finding: Finding, change: Change, texts: _TextCache) -> Finding:
    """The finding with its cited lines clamped into its file (when the file can be read)."""
    resolved = _resolve_path(finding.path, change, texts)
    if resolved is None:
        return finding
    count = max(len(resolved[1].splitlines()), 1)
    start, end = sorted((finding.start_line, finding.end_line))
    start = min(max(start, 1), count)
    return finding.model_copy(
        update={"path": resolved[0], "start_line": start, "end_line": min(max(end, start), count)}
    )


_ABSENT = "does not exist in the reviewed tree"


def _is_absent(reason: str) -> bool:
    return reason.endswith(_ABSENT)


def _unreadable_reason(path: str, change: Change, texts: _TextCache) -> str:
    """Why a cited file has no text to check the finding against."""
    changed = change.file(path)
    if changed is not None and changed.status == "deleted":
        return f"`{path}` is deleted by this change, so there is nothing to fix there"
    if (changed is not None and changed.is_binary) or texts.exists(path):
        return f"`{path}` cannot be read as text (binary, too large or withheld)"
    return f"`{path}` {_ABSENT}"


GroundOutcome = tuple[Finding, EvidenceMatch, tuple[int, int] | None] | str


def ground_finding(finding: Finding, change: Change, texts: _TextCache) -> GroundOutcome:
    """The grounded finding (maybe re-anchored) or the reason it cannot be grounded."""
    resolved = _resolve_path(finding.path, change, texts)
    if resolved is None:
        return _unreadable_reason(finding.path, change, texts)
    path, text = resolved
    lines = text.splitlines()
    start, end = sorted((finding.start_line, finding.end_line))
    in_bounds = start <= len(lines)
    span = (start, min(end, max(len(lines), 1)))
    related = _ground_related(finding.related, texts)
    segments = _evidence_segments(finding.evidence)
    if not segments:
        if not in_bounds:
            return (
                f"lines {start}-{end} are past the end of `{path}` ({len(lines)} lines)"
                " and no evidence was quoted"
            )
        grounded = _moved(finding, path, span, related)
        return grounded, "no-evidence", None
    matches = find_evidence(lines, segments) or find_evidence_loosely(lines, finding.evidence)
    near = [m for m in matches if _distance(m, (start, end)) <= NEAR_LINES]
    if in_bounds and near:
        return _moved(finding, path, span, related), "at-lines", None
    if matches:
        best = min(matches, key=lambda m: (_distance(m, (start, end)), m))
        return _moved(finding, path, best, related), "reanchored", (start, end)
    if in_bounds and _in_removed_code(change.file(path), segments):
        return _moved(finding, path, span, related), "removed-code", None
    if not in_bounds:
        return (
            f"lines {start}-{end} are past the end of `{path}` ({len(lines)} lines)"
            " and the quoted evidence is not in the file"
        )
    return f"the quoted evidence is not in `{path}` (cited at lines {start}-{end})"


def _moved(
    finding: Finding, path: str, span: tuple[int, int], related: list[RelatedLocation]
) -> Finding:
    return finding.model_copy(
        update={"path": path, "start_line": span[0], "end_line": span[1], "related": related}
    )


def _ground_related(related: Sequence[RelatedLocation], texts: _TextCache) -> list[RelatedLocation]:
    """Related locations that exist, clamped to their file; the rest are left out."""
    kept: list[RelatedLocation] = []
    for location in related:
        text = texts.read(location.path)
        if text is None:
            continue
        count = max(len(text.splitlines()), 1)
        start, end = sorted((location.start_line, location.end_line))
        if start > count:
            continue
        kept.append(location.model_copy(update={"start_line": start, "end_line": min(end, count)}))
    return kept


def _evidence_segments(evidence: str) -> list[list[str]]:
    """Quoted code split at elision marks into runs of normalised, non-blank lines."""
    segments: list[list[str]] = [[]]
    for raw in evidence.splitlines():
        if raw.startswith(("+", "-")) and not raw.startswith(("++", "--")):
            raw = raw[1:]  # a quote copied from the diff keeps its +/- column
        if is_elision(raw):
            segments.append([])
            continue
        line = normalize_code_line(raw)
        if line:
            segments[-1].append(line)
    kept = [segment for segment in segments if segment]
    if sum(len("".join(segment)) for segment in kept) < MIN_EVIDENCE_CHARS:
        return []
    return kept


def find_evidence(lines: Sequence[str], segments: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Every 1-based line span where the segments occur in order (whitespace-insensitive)."""
    numbered = [(n, normalize_code_line(line)) for n, line in enumerate(lines, start=1)]
    content = [(n, text) for n, text in numbered if text]
    spans: list[tuple[int, int]] = []
    first = segments[0]
    for position in range(len(content)):
        if not _segment_at(content, position, first):
            continue
        start_line = content[position][0]
        cursor = position + len(first)
        end_line = content[cursor - 1][0]
        complete = True
        for segment in segments[1:]:
            found = _next_segment(content, cursor, segment)
            if found is None:
                complete = False
                break
            cursor = found + len(segment)
            end_line = content[cursor - 1][0]
        if complete:
            spans.append((start_line, end_line))
    return spans


def _segment_at(content: Sequence[tuple[int, str]], position: int, segment: Sequence[str]) -> bool:
    if position + len(segment) > len(content):
        return False
    last = len(segment) - 1
    for offset, wanted in enumerate(segment):
        actual = content[position + offset][1]
        # The first and last quoted lines may be partial (a quote that starts mid-line).
        if 0 < offset < last and wanted != actual:
            return False
        if wanted not in actual:
            return False
    return True


def _next_segment(
    content: Sequence[tuple[int, str]], start: int, segment: Sequence[str]
) -> int | None:
    for position in range(start, len(content)):
        if _segment_at(content, position, segment):
            return position
    return None


def _distance(span: tuple[int, int], cited: tuple[int, int]) -> int:
    """Lines between two spans; 0 when they overlap."""
    if span[1] < cited[0]:
        return cited[0] - span[1]
    if span[0] > cited[1]:
        return span[0] - cited[1]
    return 0


def _in_removed_code(changed: ChangedFile | None, segments: Sequence[Sequence[str]]) -> bool:
    """Whether the quote is code this change removed (a finding about what was deleted)."""
    if changed is None:
        return False
    removed = [
        line[1:]
        for hunk in changed.hunks
        for line in hunk.text.splitlines()[1:]
        if line.startswith(("-", " "))
    ]
    return bool(find_evidence(removed, segments))


# Annotations reviewers append to quoted code: ``// ln leaked``, ``# line 446``, ``<- here``.
_ANNOTATION = re.compile(r"\s+(?://|#|<-|/\*|--)\s*.*$")
# Quoted lines may skip this many file lines between them without an elision mark.
MAX_SKIPPED_LINES = 15
# Share of the quoted lines that must be found, in order, for a loose match.
LOOSE_MATCH_SHARE = 0.75


def find_evidence_loosely(lines: Sequence[str], evidence: str) -> list[tuple[int, int]]:
    """Spans where most quoted lines occur in order, each within a few lines of the last.

    For quotes that skip lines without ``...``, carry the reviewer's annotations, or join
    lines across a blank: every quoted line is tried as written and without a trailing
    comment-like annotation, and matches a file line that contains it or that it contains.
    """
    quoted = [_quote_variants(raw) for raw in evidence.splitlines()]
    quoted = [variants for variants in quoted if variants]
    if not quoted or sum(len(v[0]) for v in quoted) < MIN_EVIDENCE_CHARS:
        return []
    content = [(n, normalize_code_line(line)) for n, line in enumerate(lines, start=1)]
    content = [(n, text) for n, text in content if text]
    needed = max(1, -(-len(quoted) * 3 // 4)) if len(quoted) > 1 else 1
    spans: list[tuple[int, int]] = []
    for position, (number, text) in enumerate(content):
        if not _line_matches(text, quoted[0]):
            continue
        found, last, cursor = 1, number, position + 1
        for variants in quoted[1:]:
            for probe in range(cursor, len(content)):
                probe_number, probe_text = content[probe]
                if probe_number - last > MAX_SKIPPED_LINES + 1:
                    break
                if _line_matches(probe_text, variants):
                    found, last, cursor = found + 1, probe_number, probe + 1
                    break
        if found >= needed:
            spans.append((number, last))
    return spans


def _quote_variants(raw: str) -> list[str]:
    if raw.startswith(("+", "-")) and not raw.startswith(("++", "--")):
        raw = raw[1:]
    if is_elision(raw):
        return []
    full = normalize_code_line(raw)
    if not full:
        return []
    bare = normalize_code_line(_ANNOTATION.sub("", raw))
    return [full, bare] if bare and bare != full else [full]


def _line_matches(text: str, variants: Sequence[str]) -> bool:
    for variant in variants:
        if variant in text:
            return True
        # The quote is the line plus something the reviewer added after it.
        if len(text) >= 8 and text in variant and variant.startswith(text):
            return True
    return False
