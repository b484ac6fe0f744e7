"""Whatever the panel submits, the reconciler loses nothing, stays in bounds and never crashes."""

from __future__ import annotations

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.config import ReconcileConfig
from deep_review.model import AgentReview, Review
from deep_review.reconcile.pipeline import ReconcileTrace, reconcile_with_trace
from tests.reconcile import scenario

HEAD = scenario.HEAD
LINES = {path: text.splitlines() for path, text in HEAD.items()}
WORDS = ["leak", "injection", "handle", "dump", "`get`", "closed", "SQL", "encoding", "slow", "key"]

evidence = st.one_of(
    st.just(""),
    st.sampled_from([line for lines in LINES.values() for line in lines if line.strip()]),
    st.text(min_size=1, max_size=40),
)
finding = st.fixed_dictionaries(
    {
        "path": st.sampled_from([*HEAD, "missing.py", "app/../app/store.py"]),
        "start_line": st.integers(1, 40),
        "end_line": st.integers(1, 40),
        "severity": st.sampled_from(["critical", "important", "suggestion"]),
        "category": st.sampled_from(["regression", "gap", "enhancement"]),
        "title": st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join),
        "body": st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
        "evidence": evidence,
    }
)
panel = st.lists(st.lists(finding, max_size=6), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(panel=panel, max_suggestions=st.integers(0, 3))
def test_every_finding_is_kept_merged_or_dropped_once(
    panel: list[list[dict[str, object]]], max_suggestions: int
) -> None:
    reviews = [
        AgentReview.model_validate({"reviewer": f"agent{n}", "findings": findings})
        for n, findings in enumerate(panel)
    ]

    async def run() -> tuple[Review, ReconcileTrace]:
        return await reconcile_with_trace(
            reviews,
            scenario.change(),
            scenario.source(),
            config=ReconcileConfig(max_suggestions=max_suggestions),
        )

    review, trace = anyio.run(run)

    everything = sorted((r.reviewer, i) for r in reviews for i in range(len(r.findings)))
    merged = [source for sources in trace.sources.values() for source in sources]
    assert sorted([*merged, *trace.dropped]) == everything
    shown = [*review.findings, *review.appendix_findings]
    assert len({f.id for f in shown}) == len(shown)
    assert sum(1 for f in review.findings if f.severity == "suggestion") <= max_suggestions
    for reconciled in shown:
        assert 1 <= reconciled.start_line <= reconciled.end_line <= len(LINES[reconciled.path])
        assert reconciled.consensus == len(reconciled.agents) >= 1
    assert review.executive_summary.count("Structure:") == 1
    # The machine-readable trail: every input finding once, to a shown ID or a drop reason.
    assert len(review.trail) == len(everything)
    assert len({entry.source for entry in review.trail}) == len(everything)
    ids = {f.id for f in shown}
    for entry in review.trail:
        assert entry.outcome in ids or entry.outcome.startswith("dropped: ")
