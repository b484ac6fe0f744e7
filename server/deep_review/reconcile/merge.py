"""Stage 2: find findings from different agents (or twice from one) that describe one problem."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import anyio

from deep_review.model import Finding, Location
from deep_review.reconcile.ground import Claim
from deep_review.reconcile.lead import MergeJudgement
from deep_review.reconcile.text import (
    defect_kinds,
    identifiers,
    jaccard,
    overlap_coefficient,
    sequence_ratio,
    title_template,
    words,
)

PairDecision = Literal["merge", "ask", "separate"]

# Two spans this close in one file are "the same place" (agents cite shifted line ranges).
NEARBY_LINES = 12
# Further apart in one file: the same function or block, judged more strictly.
SAME_REGION_LINES = 40
# Overlapping spans are a hint on their own, unless the texts name different kinds of defect.
OVERLAP_BONUS = 0.05
# Merge questions in flight at once when a lead model decides them.
CONFIRM_CONCURRENCY = 4
# Below this similarity two findings are about different things, whatever else links them.
MIN_COMPATIBLE = 0.12

# (merge threshold, ask-the-lead threshold) per kind of location link.
THRESHOLDS: dict[str, tuple[float, float]] = {
    "nearby": (0.22, 0.1),
    "region": (0.45, 0.28),
    "linked": (0.2, 0.1),
    # Different files with nothing linking them: only a lead model may merge these.
    "unlinked": (2.0, 0.42),
}


@dataclass(frozen=True)
class PairScore:
    """How alike two claims are and what the deterministic rule decides about them."""

    similarity: float
    link: str
    decision: PairDecision

    def describe(self) -> str:
        where = {
            "nearby": "same place",
            "region": "same region of the file",
            "linked": "linked locations",
            "unlinked": "same description",
        }[self.link]
        return f"{where}, similarity {self.similarity:.2f}"


@dataclass(frozen=True)
class _Features:
    words: frozenset[str]
    title_words: tuple[str, ...]
    names: frozenset[str]
    kinds: frozenset[str]
    title_kinds: frozenset[str]


@lru_cache(maxsize=4096)
def _features(title: str, body: str) -> _Features:
    text = f"{title}\n{body}"
    return _Features(
        frozenset(words(text)),
        tuple(words(title)),
        frozenset(identifiers(text)),
        frozenset(defect_kinds(text)),
        frozenset(defect_kinds(title)),
    )


def text_similarity(a: Finding, b: Finding) -> float:
    """Token Jaccard of the prose, title similarity, shared identifiers and defect kinds."""
    fa, fb = _features(a.title, a.body), _features(b.title, b.body)
    # Overlap as well as Jaccard: a terse finding and a thorough one on the same bug share
    # most of the terse one's words but few of the thorough one's.
    prose = (jaccard(fa.words, fb.words) + overlap_coefficient(fa.words, fb.words)) / 2
    titles = sequence_ratio(fa.title_words, fb.title_words)
    names = jaccard(fa.names, fb.names)
    kinds = jaccard(fa.kinds, fb.kinds)
    score = 0.35 * prose + 0.2 * titles + 0.25 * names + 0.2 * kinds
    if _kinds_conflict(a, b):
        score *= 0.5  # titled as different kinds of defect: different problems
    return round(score, 4)


def _gap(a: Location, b: Location) -> int | None:
    """Lines between two spans in one file (0 when overlapping); None for different files."""
    if a.path != b.path:
        return None
    if a.end_line < b.start_line:
        return b.start_line - a.end_line
    if b.end_line < a.start_line:
        return a.start_line - b.end_line
    return 0


def _linked(a: Finding, b: Finding) -> bool:
    """Whether one finding's related locations point at the other (or both at one place)."""
    for left, right in ((a, b), (b, a)):
        for location in left.related:
            gap = _gap(location, right)
            if gap is not None and gap <= NEARBY_LINES:
                return True
    for location in a.related:
        for other in b.related:
            gap = _gap(location, other)
            if gap is not None and gap <= NEARBY_LINES:
                return True
    return False


def _link(a: Finding, b: Finding) -> str:
    gap = _gap(a, b)
    if gap is not None and gap <= NEARBY_LINES:
        return "nearby"
    if gap is not None and gap <= SAME_REGION_LINES:
        return "region"
    return "linked" if _linked(a, b) else "unlinked"


def score_pair(a: Claim, b: Claim) -> PairScore:
    """The similarity of two claims and the deterministic merge decision."""
    similarity = text_similarity(a.finding, b.finding)
    link = _link(a.finding, b.finding)
    if _gap(a.finding, b.finding) == 0 and not _kinds_conflict(a.finding, b.finding):
        similarity = round(similarity + OVERLAP_BONUS, 4)
    merge_at, ask_at = THRESHOLDS[link]
    if _distinct_by_construction(a, b):
        decision: PairDecision = "separate"
    elif similarity >= merge_at or _same_lines_same_kind(a, b, similarity):
        decision = "merge"
    elif similarity >= ask_at:
        decision = "ask"
    else:
        decision = "separate"
    return PairScore(similarity, link, decision)


# An analyzer's rule code leads its finding's title (``F401: `os` imported but unused``).
_RULE_CODE = re.compile(r"^\s*([A-Z][A-Z0-9_-]{0,15}[0-9]{1,6})(?::|\s)")
# One reviewer's two findings are one claim only when their titles are (nearly) the same.
SAME_CLAIM_TITLES = 0.9


def rule_code(finding: Finding) -> str | None:
    """The analyzer rule a finding reports (``F401``), when its title leads with one."""
    match = _RULE_CODE.match(finding.title)
    return match.group(1) if match else None


def _distinct_by_construction(a: Claim, b: Claim) -> bool:
    """Pairs that are never one problem, whatever their words share.

    Different rule codes are different defects; two findings one reviewer listed apart are
    two claims unless they are the same claim at the same place; one title template about
    different identifiers (``os`` unused, ``sys`` unused) is two findings.
    """
    if "unlocated" in (a.evidence_match, b.evidence_match):
        return True  # where it is, is unknown: nothing places it beside another claim
    code_a, code_b = rule_code(a.finding), rule_code(b.finding)
    if code_a and code_b and code_a != code_b:
        return True
    if a.agent == b.agent and not _same_claim(a.finding, b.finding):
        return True
    return _same_rule_other_subject(a.finding, b.finding)


# Two reviewers' spans sharing this much of the shorter one are about the same lines.
SHARED_LINES = 0.6
# ...and their texts at least this alike (the lead-question floor of nearby pairs).
SHARED_LINES_SIMILARITY = 0.1


def _same_lines_same_kind(a: Claim, b: Claim, similarity: float) -> bool:
    """Two reviewers on the same lines, in other words, with no sign of different defects.

    Wording differs between models far more than where they point: when grounded spans
    mostly coincide, the titles do not name different kinds of defect and the texts share
    something, it is one problem.
    """
    if a.agent == b.agent or similarity < SHARED_LINES_SIMILARITY:
        return False
    if _kinds_conflict(a.finding, b.finding) or a.finding.path != b.finding.path:
        return False
    if "no-evidence" in (a.evidence_match, b.evidence_match):
        return False
    shared = (
        min(a.finding.end_line, b.finding.end_line)
        - max(a.finding.start_line, b.finding.start_line)
        + 1
    )
    shorter = min(
        a.finding.end_line - a.finding.start_line + 1,
        b.finding.end_line - b.finding.start_line + 1,
    )
    return shared > 0 and shared / shorter >= SHARED_LINES


def _same_claim(a: Finding, b: Finding) -> bool:
    """One reviewer said the same thing twice: same lines, and (nearly) the same title or the
    same kind of defect in the same named code."""
    if _gap(a, b) != 0:
        return False
    fa, fb = _features(a.title, a.body), _features(b.title, b.body)
    if sequence_ratio(fa.title_words, fb.title_words) >= SAME_CLAIM_TITLES:
        return True
    return bool(fa.kinds & fb.kinds and fa.names & fb.names)


def _kinds_conflict(a: Finding, b: Finding) -> bool:
    """Both titles name a kind of defect, and not a common one (bodies mention too much)."""
    kinds_a = _features(a.title, a.body).title_kinds
    kinds_b = _features(b.title, b.body).title_kinds
    return bool(kinds_a and kinds_b and not kinds_a & kinds_b)


def _same_rule_other_subject(a: Finding, b: Finding) -> bool:
    """One title template about different identifiers (``os`` unused, ``sys`` unused)."""
    names_a, names_b = identifiers(a.title), identifiers(b.title)
    if not names_a or not names_b or names_a & names_b:
        return False
    return title_template(a.title) == title_template(b.title)


ConfirmMerge = Callable[[Claim, Claim, PairScore], Awaitable[bool | MergeJudgement]]


@dataclass
class Group:
    """Claims judged to be one problem, with why each was joined."""

    claims: list[Claim]
    reasons: list[str]


async def group_claims(claims: Sequence[Claim], confirm: ConfirmMerge | None = None) -> list[Group]:
    """Cluster claims into problems; with ``confirm`` a lead model decides each candidate pair."""
    ordered = sorted(claims, key=lambda claim: claim.key)
    scores = _PairScores(ordered)
    candidates: list[tuple[float, int, int]] = []
    wanted = ("merge", "ask") if confirm is not None else ("merge",)
    for i, left in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            if confirm is None and _link(left.finding, ordered[j].finding) == "unlinked":
                continue  # only a lead may merge these: not worth scoring
            score = scores[(i, j)]
            if score.decision in wanted:
                candidates.append((-score.similarity, i, j))
    candidates.sort()
    decisions = await _ask_all(candidates, ordered, scores, confirm) if confirm else {}
    parent = list(range(len(ordered)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(ordered))}
    reasons: dict[int, list[str]] = {i: [] for i in range(len(ordered))}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for _, i, j in candidates:
        ri, rj = root(i), root(j)
        if ri == rj or not _compatible(members[ri], members[rj], scores):
            continue
        if confirm is not None and not decisions[(i, j)]:
            continue
        keep, gone = min(ri, rj), max(ri, rj)
        parent[gone] = keep
        members[keep] = sorted(members[keep] + members.pop(gone))
        reasons[keep] = [
            *reasons[keep],
            *reasons.pop(gone),
            f"{ordered[i].label} ~ {ordered[j].label}: {scores[(i, j)].describe()}"
            + _lead_reason(decisions.get((i, j))),
        ]
    return [
        Group([ordered[m] for m in members[r]], reasons[r]) for r in sorted(members) if root(r) == r
    ]


def _lead_reason(decision: bool | MergeJudgement | None) -> str:
    """The lead's own words on a merge it confirmed, for the reconciliation note."""
    if isinstance(decision, MergeJudgement) and decision.reason:
        return f"; the lead confirmed: {decision.reason.rstrip('.')}"
    return ""


async def _ask_all(
    candidates: Sequence[tuple[float, int, int]],
    ordered: Sequence[Claim],
    scores: _PairScores,
    confirm: ConfirmMerge,
) -> dict[tuple[int, int], bool | MergeJudgement]:
    """The lead's decision on every candidate pair, asked a few at a time."""
    decisions: dict[tuple[int, int], bool | MergeJudgement] = {}
    limiter = anyio.Semaphore(CONFIRM_CONCURRENCY)

    async def ask(i: int, j: int) -> None:
        async with limiter:
            decisions[(i, j)] = await confirm(ordered[i], ordered[j], scores[(i, j)])

    async with anyio.create_task_group() as group:
        for _, i, j in candidates:
            group.start_soon(ask, i, j)
    return decisions


class _PairScores:
    """Pair scores computed on first use (most pairs of a large review are never needed)."""

    def __init__(self, claims: Sequence[Claim]) -> None:
        self._claims = claims
        self._scores: dict[tuple[int, int], PairScore] = {}

    def __getitem__(self, pair: tuple[int, int]) -> PairScore:
        if pair not in self._scores:
            self._scores[pair] = score_pair(self._claims[pair[0]], self._claims[pair[1]])
        return self._scores[pair]


def _compatible(left: Sequence[int], right: Sequence[int], scores: _PairScores) -> bool:
    """No pair across the two clusters is clearly about something else (stops chaining)."""
    for i in left:
        for j in right:
            score = scores[(min(i, j), max(i, j))]
            if score.similarity < MIN_COMPATIBLE:
                return False
    return True
