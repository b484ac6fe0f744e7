"""What the server knows about the review: findings on screen, their anchors, what is hidden."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deep_review.lsp.tracking import Anchor, LineSpan, anchor_for
from deep_review.model import AgentReview, Finding, ReconciledFinding, Review, Severity
from deep_review.severity import zero_counts


@dataclass
class ShownFinding:
    """A finding the server may show: reconciled (``reviewer`` None) or preliminary."""

    key: str
    finding: Finding
    reviewer: str | None = None
    anchor: Anchor | None = None
    fixed: bool = False
    """Its fix was applied through ``deepReview.applyFix``: resolved for good."""

    @property
    def preliminary(self) -> bool:
        return self.reviewer is not None

    @property
    def reconciled(self) -> ReconciledFinding | None:
        return self.finding if isinstance(self.finding, ReconciledFinding) else None

    def attach(self, lines: list[str]) -> Anchor:
        """Tie the finding to the document text the first time it is shown."""
        if self.anchor is None:
            reported = LineSpan(self.finding.start_line - 1, self.finding.end_line - 1)
            self.anchor = anchor_for(lines, reported, self.finding.evidence)
        return self.anchor


def review_key(review: Review) -> str:
    """Identifies one review, so a stale diagnostic's data is recognised as stale."""
    header = review.header
    return f"{header.diff_hash[:16] or header.head_sha[:12]}@{header.date.isoformat()}"


@dataclass
class ReviewState:
    """The current review, the preliminary findings of a running one, and what is hidden."""

    review: Review | None = None
    key: str = ""
    report_html: Path | None = None
    reconciled: dict[str, ShownFinding] = field(default_factory=dict)
    preliminary: dict[str, ShownFinding] = field(default_factory=dict)
    dismissed: set[str] = field(default_factory=set)
    running: bool = False

    def set_review(
        self, review: Review, *, report_html: Path | None, is_dismissed: Callable[[Finding], bool]
    ) -> None:
        """Show ``review``'s findings, replacing every earlier and preliminary one."""
        self.review = review
        self.key = review_key(review)
        self.report_html = report_html
        self.reconciled = {f.id.upper(): ShownFinding(f.id, f) for f in review.findings}
        self.preliminary = {}
        self.dismissed = {f.id.upper() for f in review.findings if is_dismissed(f)}

    def add_preliminary(
        self, agent_review: AgentReview, *, is_dismissed: Callable[[Finding], bool]
    ) -> None:
        """One reviewer's findings (less those dismissed before), until reconciliation."""
        name = agent_review.reviewer
        for number, finding in enumerate(agent_review.findings, start=1):
            if is_dismissed(finding):
                continue
            key = f"{name}#{number}"
            self.preliminary[key] = ShownFinding(key, finding, reviewer=name)

    def discard_preliminary(self) -> None:
        """Forget a run's unverified findings (it was cancelled or failed)."""
        self.preliminary = {}

    def finding(self, finding_id: str) -> ShownFinding | None:
        """The reconciled finding with this ID, case-insensitive."""
        return self.reconciled.get(finding_id.strip().upper())

    def visible(self, show: Callable[[Severity], bool]) -> Iterator[ShownFinding]:
        """What goes on screen now: a running review's preliminary findings, else the review's."""
        source = self.preliminary if self.running and self.preliminary else self.reconciled
        for shown in source.values():
            if not show(shown.finding.severity):
                continue
            if shown.anchor is not None and shown.anchor.resolved:
                continue
            if not shown.preliminary and shown.key.upper() in self.dismissed:
                continue
            yield shown

    def all_shown(self) -> Iterator[ShownFinding]:
        """Every finding that follows edits, shown or not."""
        yield from self.reconciled.values()
        yield from self.preliminary.values()

    def counts(self, show: Callable[[Severity], bool]) -> dict[Severity, int]:
        """How many findings of each severity are on screen."""
        counts = zero_counts()
        for shown in self.visible(show):
            counts[shown.finding.severity] += 1
        return counts
