"""Grounding details: where quoted code is found, and what happens when it is not."""

from __future__ import annotations

from pathlib import Path

from deep_review.model import AgentReview, Finding
from deep_review.panel.sandbox import RepoSandbox
from deep_review.reconcile.ground import ground_reviews
from tests.reconcile.casefile import DictSource, change_from_files
from tests.support.gitrepo import GitRepo

TEXT = (
    "".join(f"line {n}\n" for n in range(1, 41))
    .replace("line 5\n", "retry(call)\n")
    .replace("line 30\n", "retry(call)\n")
)


def _ground(**fields: object) -> tuple[Finding | None, str | None]:
    finding = {
        "path": "a.py", "start_line": 1, "end_line": 1, "severity": "important",
        "category": "regression", "title": "t", **fields,
    }  # fmt: skip
    review = AgentReview.model_validate({"reviewer": "claude", "findings": [finding]})
    change = change_from_files({"a.py": "x\n"}, {"a.py": TEXT})
    result = ground_reviews([review], change, DictSource({"a.py": TEXT}))
    if result.dropped:
        return None, result.dropped[0].reason
    return result.claims[0].finding, result.claims[0].evidence_match


def test_evidence_found_twice_anchors_to_the_nearest() -> None:
    finding, match = _ground(start_line=22, end_line=22, evidence="retry( call )")

    assert finding is not None
    assert (finding.start_line, finding.end_line, match) == (30, 30, "reanchored")


def test_evidence_within_a_few_lines_keeps_the_cited_span() -> None:
    finding, match = _ground(start_line=3, end_line=3, evidence="retry(call)")

    assert finding is not None
    assert (finding.start_line, match) == (3, "at-lines")


def test_an_end_line_past_the_file_is_clamped() -> None:
    finding, _ = _ground(start_line=38, end_line=90)

    assert finding is not None
    assert (finding.start_line, finding.end_line) == (38, 40)


def test_trivial_evidence_does_not_anchor_anything() -> None:
    finding, match = _ground(start_line=12, end_line=12, evidence="}")

    assert finding is not None
    assert match == "no-evidence"


def test_related_locations_that_do_not_exist_are_left_out() -> None:
    finding, _ = _ground(
        evidence="line 1",
        related=[
            {"path": "a.py", "start_line": 30, "end_line": 99, "note": "twin"},
            {"path": "ghost.py", "start_line": 1, "end_line": 1},
            {"path": "a.py", "start_line": 400, "end_line": 401},
        ],
    )

    assert finding is not None
    assert [(r.path, r.start_line, r.end_line) for r in finding.related] == [("a.py", 30, 40)]


def test_diff_style_paths_are_resolved() -> None:
    finding, _ = _ground(path="b/a.py", evidence="line 1")

    assert finding is not None
    assert finding.path == "a.py"


def test_a_path_outside_the_tree_is_dropped_with_its_reason() -> None:
    _, reason = _ground(path="../etc/passwd")

    assert reason == "`../etc/passwd` does not exist in the reviewed tree"


def test_a_file_that_exists_but_cannot_be_read_is_not_called_missing(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", TEXT)
    repo.write(".env", "TOKEN=abc\n")
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary")
    findings = [
        {"path": path, "start_line": 1, "end_line": 1, "severity": "important",
         "category": "gap", "title": "t"}
        for path in (".env", "logo.png", "nope.py")
    ]  # fmt: skip
    review = AgentReview.model_validate({"reviewer": "claude", "findings": findings})
    change = change_from_files({"a.py": "x\n"}, {"a.py": TEXT})

    result = ground_reviews([review], change, RepoSandbox(repo.root))

    # Only a file in neither tree proves the finding false; unreadable ones are unlocated.
    assert [d.reason for d in result.dropped] == ["`nope.py` does not exist in the reviewed tree"]
    assert [(c.finding.path, c.evidence_match, c.unlocated_reason) for c in result.claims] == [
        (".env", "unlocated", "`.env` cannot be read as text (binary, too large or withheld)"),
        (
            "logo.png",
            "unlocated",
            "`logo.png` cannot be read as text (binary, too large or withheld)",
        ),
    ]
