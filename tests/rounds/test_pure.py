"""The pure parts of rounds: line mapping, citations, classification, dismissals, renumbering."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.model import ReconciledFinding, Review, ReviewHeader
from deep_review.rounds.citations import parse_citations
from deep_review.rounds.classify import classify_prior
from deep_review.rounds.dismiss import apply_dismissals
from deep_review.rounds.facts import CommitFacts, FileFacts, RoundFacts
from deep_review.rounds.link import renumber
from deep_review.rounds.mapping import map_line, map_range, parse_zero_context_hunks
from deep_review.store.dismissals import make_dismissal


def zero_context_patch(old: list[str], new: list[str]) -> str:
    return "".join(
        line if line.endswith("\n") else line + "\n"
        for line in difflib.unified_diff(old, new, "a/f", "b/f", n=0, lineterm="")
    )


edits = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), st.integers(0, 3)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(size=st.integers(1, 40), changes=edits)
def test_an_untouched_line_maps_to_the_same_text(
    size: int, changes: list[tuple[int, int, int]]
) -> None:
    old = [f"line {n}" for n in range(size)]
    new = list(old)
    fresh = 0
    for at, remove, add in changes:
        at = min(at, len(new))
        inserted = []
        for _ in range(add):
            inserted.append(f"new {fresh}")
            fresh += 1
        new[at : at + remove] = inserted
    hunks = parse_zero_context_hunks(zero_context_patch(old, new))
    touched = set()
    for hunk in hunks:
        touched.update(range(hunk.old_start, hunk.old_start + hunk.old_count))
    for number, text in enumerate(old, 1):
        if number in touched or text not in new:
            continue
        assert new[map_line(hunks, number) - 1] == text


def test_a_span_replaced_by_a_bigger_one_covers_the_replacement() -> None:
    old = ["a", "b", "c", "d"]
    new = ["a", "x", "y", "z", "d"]
    mapped = map_range(parse_zero_context_hunks(zero_context_patch(old, new)), 2, 3)
    assert (mapped.start, mapped.end, mapped.touched) == (2, 4, True)


@given(st.sampled_from(["C", "I", "S"]), st.integers(1, 99))
def test_review_ids_in_commit_messages_are_recognised(letter: str, number: int) -> None:
    finding_id = f"{letter}{number}"
    for message in (
        f"Fix the loop (review {finding_id})",
        f"fixes {finding_id}",
        f"Address deep-review {finding_id}: guard it",
    ):
        assert finding_id in parse_citations(message).ids


def test_words_that_look_like_ids_are_not_citations() -> None:
    for message in ("Add I2C driver", "Bump the S1 register width", "C3 linearisation order"):
        assert parse_citations(message).empty
    lists = parse_citations(
        "Grouped fixes: parseCopyPaths (review I2); IsSSHCygwin (review S1, S3)"
    )
    assert lists.ids == {"I2", "S1", "S3"}
    assert parse_citations("Address review feedback").generic


def _finding(finding_id: str, **fields: object) -> ReconciledFinding:
    base: dict[str, object] = {
        "id": finding_id,
        "path": "app.py",
        "start_line": 3,
        "end_line": 3,
        "severity": "suggestion",
        "category": "gap",
        "title": "Retries forever on a closed socket",
        "body": "The loop never gives up when the peer has closed the connection.",
        "evidence": "while not sent: sent = sock.send(data)",
    }
    return ReconciledFinding.model_validate({**base, **fields})


def _review(*findings: ReconciledFinding) -> Review:
    return Review(
        header=ReviewHeader(date=datetime(2026, 1, 1, tzinfo=UTC), head_sha="p" * 40),
        findings=list(findings),
    )


OLD = "import socket\n\nwhile not sent: sent = sock.send(data)\nreturn sent\n"


def _facts(new: str | None, *commits: CommitFacts) -> RoundFacts:
    old_lines = OLD.splitlines(keepends=True)
    patch = zero_context_patch(old_lines, (new or "").splitlines(keepends=True))
    file = FileFacts(
        "app.py",
        "app.py" if new is not None else None,
        OLD,
        new,
        tuple(parse_zero_context_hunks(patch)),
    )
    return RoundFacts("p" * 40, "h" * 40, {"app.py": file}, commits)


def test_a_finding_whose_code_is_untouched_is_unaddressed_and_a_false_claim_is_disproved() -> None:
    claim = CommitFacts("c" * 40, "Retry properly (review S1)", added={"README.md": ("x",)})
    [prior] = classify_prior(_review(_finding("S1")), _facts(OLD + "# more\n", claim))
    assert prior.status == "unaddressed"
    assert prior.citation_label == "cited in ccccccc but still present"


def test_a_finding_whose_code_changed_is_addressed_with_the_commit_named() -> None:
    new = OLD.replace("while not sent: sent = sock.send(data)", "sock.sendall(data)")
    commit = CommitFacts(
        "d" * 40,
        "Use sendall",
        removed={"app.py": ("while not sent: sent = sock.send(data)",)},
        added={"app.py": ("sock.sendall(data)",)},
    )
    [prior] = classify_prior(_review(_finding("S1")), _facts(new, commit))
    assert prior.status == "addressed"
    assert "ddddddd (Use sendall)" in prior.evidence


def test_a_deleted_file_makes_its_findings_obsolete() -> None:
    [prior] = classify_prior(_review(_finding("S1")), _facts(None))
    assert prior.status == "obsolete"


def test_a_dismissal_holds_for_the_same_claim_in_other_words_not_for_another_claim() -> None:
    dismissed = _finding("S1")
    dismissal = make_dismissal(dismissed, "by design")
    reworded = _finding(
        "I1",
        title="Send loop never gives up",
        body="When the peer closed the socket the loop retries forever.",
        start_line=4,
        end_line=4,
    )
    other_claim = _finding(
        "I2",
        title="Blocking send stalls the event loop",
        body="sock.send blocks the asyncio thread under back-pressure.",
    )
    same_title_elsewhere = _finding("S2", start_line=9, end_line=9, evidence="queue.put(item)")
    text = OLD + "\n" * 5 + "queue.put(item)\n"
    kept, dropped = apply_dismissals(
        [reworded, other_claim, same_title_elsewhere], [dismissal], lambda path: text
    )
    assert [f.id for f in kept] == ["I2", "S2"]
    assert [(d.title, d.reason) for d in dropped] == [("Send loop never gives up", "by design")]
    # Once the dismissed code itself changes, the dismissal no longer speaks for it.
    changed = text.replace("while not sent: sent = sock.send(data)", "sock.sendall(data)")
    kept, dropped = apply_dismissals([reworded], [dismissal], lambda path: changed)
    assert [f.id for f in kept] == ["I1"] and dropped == []


def test_renumbering_keeps_order_and_continues_into_the_appendix() -> None:
    inline = [
        _finding("I1", severity="important"),
        _finding("I2", severity="suggestion"),  # demoted by the gate
        _finding("S1"),
        _finding("", title="carried"),
    ]
    appendix = [_finding("S2")]
    new_inline, new_appendix, renamed = renumber(inline, appendix)
    assert [f.id for f in new_inline] == ["I1", "S1", "S2", "S3"]
    assert [f.title for f in new_inline][1] == inline[2].title  # S1 (number 1) before old I2
    assert [f.id for f in new_appendix] == ["S4"]
    assert renamed == {"I1": "I1", "S1": "S1", "I2": "S2", "S2": "S4"}


def test_a_broader_claim_about_the_same_code_supersedes_the_prior_finding() -> None:
    from deep_review.rounds.link import link_findings

    prior_finding = _finding("S1")
    [prior] = classify_prior(_review(prior_finding), _facts(OLD))
    broader = _finding(
        "I1",
        title="Socket writes ignore back-pressure and errors",
        body="Partial writes, EAGAIN and EPIPE are all treated alike; use sendall with a timeout.",
    )
    unrelated = _finding("S2", path="other.py", evidence="x = 1", title="Name x")
    linked, priors = link_findings([broader, unrelated], [prior], {"S1": prior_finding})
    assert linked[0].prior is not None and linked[0].prior.label == "supersedes round 1 S1"
    assert linked[1].prior is None
    assert priors[0].current_id == "I1"


def test_a_commit_addressing_the_review_as_a_whole_is_checked_for_each_finding() -> None:
    claim = CommitFacts("e" * 40, "Address deep-review feedback")
    [prior] = classify_prior(_review(_finding("S1")), _facts(OLD, claim))
    assert [(c.generic, c.check) for c in prior.citations] == [(True, "disproved")]


def test_citations_in_real_commit_messages_after_a_review() -> None:
    """lima-vm/lima PR #4885: the author's commit bodies after its round-1 review (one a line)."""
    corpus = Path(__file__).parent / "corpus" / "lima-4885-commit-messages.txt"
    cited = [parse_citations(line).ids for line in corpus.read_text().splitlines()]
    assert cited == [
        frozenset(),  # disable nolintlint
        frozenset(),  # Windows CI jobs
        frozenset(),  # restore the Msys skip
        frozenset({"I1", "I2", "S1", "S3", "S4", "S8"}),  # grouped fixes
        frozenset({"S6"}),
        frozenset({"S7", "S9"}),
    ]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["critical", "important", "suggestion"]), st.booleans()),
        max_size=12,
    ),
    st.integers(0, 4),
)
def test_renumbered_ids_are_unique_and_count_up_per_severity(
    specs: list[tuple[str, bool]], appendix_size: int
) -> None:
    inline = [
        _finding(f"S{n + 1}" if numbered else "", severity=severity)
        for n, (severity, numbered) in enumerate(specs)
    ]
    appendix = [_finding(f"S{90 + n}") for n in range(appendix_size)]
    new_inline, new_appendix, _ = renumber(inline, appendix)
    ids = [f.id for f in [*new_inline, *new_appendix]]
    assert len(set(ids)) == len(ids) == len(specs) + appendix_size
    for prefix in "CIS":
        numbers = [int(i[1:]) for i in ids if i[0] == prefix]
        assert numbers == list(range(1, len(numbers) + 1))
    severities = [f.severity for f in new_inline]
    assert severities == sorted(severities, key=["critical", "important", "suggestion"].index)


def test_a_quoted_block_whose_targeted_line_changed_another_way_is_addressed() -> None:
    block = _finding(
        "S1",
        start_line=3,
        end_line=4,
        evidence="while not sent: sent = sock.send(data)\nreturn sent",
        fix=(
            "--- a/app.py\n+++ b/app.py\n@@ -3,2 +3,2 @@\n"
            "-while not sent: sent = sock.send(data)\n+sock.sendall(data, timeout=5)\n"
            " return sent\n"
        ),
    )
    other_way = OLD.replace("while not sent: sent = sock.send(data)", "sent = sock.sendall(data)")
    [prior] = classify_prior(_review(block), _facts(other_way))
    assert prior.status == "addressed" and "fixed another way" in prior.evidence
    half = _finding("S1", start_line=3, end_line=4, evidence=block.evidence)  # no fix to go by
    [prior] = classify_prior(_review(half), _facts(other_way))
    assert prior.status == "partially-addressed"
