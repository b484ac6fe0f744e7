"""``deep-review reconcile``: saved agent reviews in, a reconciled review out, no reviewers run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.model import AgentReview, Review
from deep_review.panel.scripted import ScriptedModelServer
from tests.support.gitrepo import GitRepo

HEAD = "def ratio(part, whole):\n    return part / whole\n"


def _saved(tmp_path: Path, name: str, title: str, **extra: object) -> Path:
    review = AgentReview.model_validate(
        {
            "reviewer": name,
            "findings": [
                {
                    "path": "calc.py", "start_line": 2, "end_line": 2, "severity": "important",
                    "category": "regression", "title": title,
                    "body": "`ratio` divides by zero when `whole` is 0.",
                    "evidence": "return part / whole",
                }
            ],
            **extra,
        }
    )  # fmt: skip
    path = tmp_path / f"{name}.json"
    path.write_text(review.model_dump_json())
    return path


@pytest.fixture
def project(repo: GitRepo) -> GitRepo:
    repo.write("calc.py", "def ratio(part, whole):\n    return 0\n")
    repo.commit("Start")
    repo.branch("ratio")
    repo.write("calc.py", HEAD)
    repo.commit("Compute the ratio")
    return repo


def test_reconciles_saved_reviews_and_prints_json(
    project: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _saved(tmp_path, "claude", "`ratio` divides by zero when `whole` is 0")
    second = _saved(tmp_path, "gpt", "Division by zero in `ratio` for an empty total")

    code = main(["reconcile", str(first), str(second), "--repo", str(project.root)])

    assert code == 0
    review = Review.model_validate_json(capsys.readouterr().out)
    [finding] = review.findings
    assert (finding.id, finding.agents) == ("I1", ["claude", "gpt"])
    assert review.header.branch == "ratio"
    assert [r.name for r in review.header.reviewers] == ["claude", "gpt"]
    assert review.model_verified is False


def test_a_saved_review_can_be_reconciled_again(
    project: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _saved(tmp_path, "claude", "`ratio` divides by zero when `whole` is 0")
    main(["reconcile", str(first), "--repo", str(project.root)])
    saved = tmp_path / "review.json"
    saved.write_text(capsys.readouterr().out)

    assert main(["reconcile", str(saved), "--repo", str(project.root)]) == 0

    again = Review.model_validate_json(capsys.readouterr().out)
    assert [f.title for f in again.findings] == ["`ratio` divides by zero when `whole` is 0"]


def test_writes_report_files_with_out(project: GitRepo, tmp_path: Path) -> None:
    first = _saved(tmp_path, "claude", "`ratio` divides by zero when `whole` is 0")
    stem = tmp_path / "out" / "again"
    stem.parent.mkdir()

    code = main(
        ["reconcile", str(first), "--repo", str(project.root), "--format", "md",
         "--format", "json", "--out", str(stem)]
    )  # fmt: skip

    assert code == 0
    assert "I1" in (stem.parent / "again.md").read_text()
    assert json.loads((stem.parent / "again.json").read_text())["findings"][0]["id"] == "I1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "is not valid JSON"),
        ('{"findings": []}', "is not an agent review: reviewer: Field required"),
    ],
)
def test_bad_input_is_a_clear_error(
    project: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    path = tmp_path / "review.json"
    if content is not None:
        path.write_text(content)

    code = main(["reconcile", str(path), "--repo", str(project.root)])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("deep-review: ")
    assert message in err


def test_the_same_reviewer_twice_is_refused(
    project: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _saved(tmp_path, "claude", "Division by zero")

    assert main(["reconcile", str(first), str(first), "--repo", str(project.root)]) == 2
    assert "more than one review from claude" in capsys.readouterr().err


def test_an_unknown_lead_is_a_clear_error(
    project: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _saved(tmp_path, "claude", "Division by zero")

    code = main(["reconcile", str(first), "--repo", str(project.root), "--lead", "nobody"])

    assert code == 2
    assert "no model reviewer named 'nobody' to lead reconciliation" in capsys.readouterr().err


def test_lead_from_the_configured_panel_verifies_over_http(
    project: GitRepo,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verification = {
        "status": "confirmed",
        "reason": "calc.py:2 divides by whole without a zero check.",
    }
    with ScriptedModelServer(
        {"lead-model": [{"submit": verification, "tool_name": "submit_verification"}]}
    ) as server:
        project.write(
            ".deep-review.toml",
            "[[reviewers]]\n"
            'name = "claude"\nprovider = "anthropic"\nmodel = "lead-model"\n'
            f'base_url = "{server.url}"\napi_key_env = "RECONCILE_TEST_LEAD_TOKEN"\n'
            "scripted = true\nmax_retries = 0\n",
        )
        monkeypatch.setenv("RECONCILE_TEST_LEAD_TOKEN", "sk-test-cli-lead")
        first = _saved(tmp_path, "claude", "`ratio` divides by zero when `whole` is 0")

        code = main(["reconcile", str(first), "--repo", str(project.root), "--lead", "claude"])

    assert code == 0
    review = Review.model_validate_json(capsys.readouterr().out)
    assert review.model_verified is True
    [finding] = review.findings
    assert finding.verification.status == "confirmed"
    assert finding.verification.note == verification["reason"]
    assert "sk-test-cli-lead" not in review.model_dump_json()
