"""The sections around the findings: commit structure, assessments, limitations."""

from __future__ import annotations

from deep_review.model import CommitInfo
from deep_review.reconcile.summarise import commit_structure, merge_assessments
from tests.reconcile import scenario


def test_commit_structure_flags_work_in_progress_commits() -> None:
    change = scenario.change().model_copy(
        update={
            "commits": [
                CommitInfo(sha="1" * 40, subject="Add the dump command"),
                CommitInfo(sha="2" * 40, subject="fixup! Add the dump command"),
                CommitInfo(sha="3" * 40, subject="WIP tests"),
            ]
        }
    )

    assert commit_structure(change) == (
        "3 commits. Squash before merging: `22222222` fixup! Add the dump command,"
        " `33333333` WIP tests."
    )


def test_commit_structure_of_uncommitted_work() -> None:
    change = scenario.change().model_copy(update={"commits": []})

    assert commit_structure(change).startswith("No commits yet")


def test_assessments_merge_numbered_items_and_keep_the_fuller_wording() -> None:
    merged = merge_assessments(
        [
            "1. No test covers the dump command.\n2. The get path is tested only with ASCII keys.",
            "- No test covers the dump command or its file output.\n- Docs are fine.",
        ]
    )

    assert merged == [
        "No test covers the dump command or its file output.",
        "The get path is tested only with ASCII keys.",
        "Docs are fine.",
    ]
