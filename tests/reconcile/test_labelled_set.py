"""Each case of the labelled set: the groups, drops, severities and placements it expects."""

from __future__ import annotations

import pytest

from deep_review.model import ReconciledFinding, Review
from tests.reconcile.casefile import Case, found_groups, load_cases, run_case

CASES = load_cases()


def _finding_for(key: str, review: Review, sources: dict[str, list[str]]) -> ReconciledFinding:
    finding_id = next(fid for fid, keys in sources.items() if key in keys)
    found = review.finding(finding_id)
    assert found is not None
    return found


def test_the_set_is_large_enough_to_mean_something() -> None:
    assert len(CASES) >= 20
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_case(case: Case) -> None:
    review, trace, keys = await run_case(case)
    sources = {fid: [keys[s] for s in group] for fid, group in trace.sources.items()}

    assert found_groups(trace, keys) == sorted(sorted(g) for g in case.expect.groups)

    dropped = {keys[source]: reason for source, reason in trace.dropped.items()}
    assert sorted(dropped) == sorted(case.expect.dropped)
    for key, words in case.expect.dropped.items():
        assert words in dropped[key]
        note_texts = [n.text for n in review.reconciliation_notes if n.kind == "drop"]
        assert any(words in text for text in note_texts), "every drop is explained in the notes"

    for key, severity in case.expect.severity.items():
        assert _finding_for(key, review, sources).severity == severity

    for key, (path, start, end) in case.expect.location.items():
        finding = _finding_for(key, review, sources)
        assert (finding.path, finding.start_line, finding.end_line) == (path, start, end)

    for key in case.expect.outside_diff:
        assert _finding_for(key, review, sources).outside_diff
    appendix_ids = {f.id for f in review.appendix_findings}
    for group in case.expect.groups:
        finding = _finding_for(group[0], review, sources)
        expected_in_appendix = any(key in case.expect.appendix for key in group)
        assert (finding.id in appendix_ids) == expected_in_appendix, finding.title
        assert finding.consensus == len(finding.agents)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_nothing_is_lost_and_ids_are_unique_and_contiguous(case: Case) -> None:
    review, trace, keys = await run_case(case)

    merged = [source for sources in trace.sources.values() for source in sources]
    accounted = sorted([*merged, *trace.dropped])
    assert accounted == sorted(keys), "every agent finding is kept, merged or dropped: once"
    ids = [f.id for f in [*review.findings, *review.appendix_findings]]
    assert sorted(ids) == sorted(trace.sources)
    for prefix in "CIS":
        numbers = sorted(int(i[1:]) for i in ids if i.startswith(prefix))
        assert numbers == list(range(1, len(numbers) + 1))
