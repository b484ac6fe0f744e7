"""Offline analyzers as panel members: ruff and sarif-command, on real repos and processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deep_review.change import collect_change
from deep_review.config import ReviewerConfig
from deep_review.events import ReviewEvent
from deep_review.model import AgentReview
from deep_review.panel.analyzers import run_analyzer
from deep_review.panel.analyzers.ruff import severity_for
from deep_review.panel.sandbox import RepoSandbox
from tests.support.gitrepo import GitRepo

RUFF = ReviewerConfig(name="ruff", provider="ruff")

BASE_APP = "import json\n\n\ndef load(path):\n    return open(path).read()\n"
CHANGED_APP = (
    "import json\n"
    "import os\n"
    "\n"
    "\n"
    "def load(path):\n"
    "    return open(path).read()\n"
    "\n"
    "\n"
    "def save(path, data):\n"
    "    with open(path, 'w') as handle:\n"
    "        handle.write(serialize(data))\n"
)


@pytest.fixture
def python_change(repo: GitRepo) -> GitRepo:
    """Base has an old unused import; the branch adds another and an undefined name."""
    repo.write("ruff.toml", '[lint]\nselect = ["F"]\n')
    repo.write("src/app.py", BASE_APP)
    repo.write("notes.md", "# notes\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("src/app.py", CHANGED_APP)
    repo.write("notes.md", "# notes\nmore\n")
    repo.commit("feature work")
    return repo


async def analyze(repo: GitRepo, reviewer: ReviewerConfig) -> tuple[AgentReview, list[ReviewEvent]]:
    events: list[ReviewEvent] = []
    change = collect_change(repo.root, base="main")
    review = await run_analyzer(reviewer, change, RepoSandbox(repo.root), on_event=events.append)
    return review, events


def git_apply_check(repo: GitRepo, patch: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "apply", "--check", "-"],
        cwd=repo.root,
        input=patch,
        text=True,
        capture_output=True,
        check=False,
    )


async def test_ruff_reports_only_changed_lines_with_applicable_fixes(
    python_change: GitRepo,
) -> None:
    review, events = await analyze(python_change, RUFF)
    assert review.status == "completed", review.error
    assert review.provider == "ruff" and review.model.startswith("ruff ")
    by_code = {f.title.split(":")[0]: f for f in review.findings}
    assert set(by_code) == {"F401", "F821"}  # the old `json` import is not reported

    unused = by_code["F401"]
    assert (unused.path, unused.start_line, unused.end_line) == ("src/app.py", 2, 2)
    assert unused.severity == "suggestion" and unused.category == "regression"
    assert unused.evidence == "import os"
    assert unused.fix is not None and "-import os\n" in unused.fix
    applied = git_apply_check(python_change, unused.fix)
    assert applied.returncode == 0, applied.stderr

    undefined = by_code["F821"]
    assert (undefined.start_line, undefined.severity) == (11, "important")
    assert undefined.evidence == "        handle.write(serialize(data))"
    assert undefined.fix is None
    assert "serialize" in undefined.title

    assert [c.path for c in review.coverage] == ["src/app.py"]
    assert review.stats.tool_calls == {"ruff": 1}
    assert [e.kind for e in events] == ["reviewer-started", "tool-called", "reviewer-finished"]


async def test_ruff_fix_applies_when_the_file_has_no_final_newline(repo: GitRepo) -> None:
    repo.write("ruff.toml", '[lint]\nselect = ["F"]\n')
    repo.write("mod.py", "x = 1\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("mod.py", "import sys\nx = 1")
    review, _ = await analyze(repo, RUFF)
    (finding,) = review.findings
    assert finding.fix is not None
    assert "\\ No newline at end of file" in finding.fix
    applied = git_apply_check(repo, finding.fix)
    assert applied.returncode == 0, applied.stderr


async def test_ruff_with_no_python_changes_completes_empty(repo: GitRepo) -> None:
    repo.write("a.md", "x\n")
    repo.commit("base")
    repo.branch("feature")
    repo.write("a.md", "y\n")
    review, _ = await analyze(repo, RUFF)
    assert review.status == "completed"
    assert review.findings == [] and review.coverage == []
    assert review.summary == "No changed Python files to check."


async def test_ruff_config_error_is_a_clear_failure(python_change: GitRepo) -> None:
    python_change.write("ruff.toml", "[lint]\nselect = 12\n")
    review, events = await analyze(python_change, RUFF)
    assert review.status == "failed"
    assert review.error is not None and review.error.startswith("ruff failed on src/app.py")
    assert events[-1].kind == "reviewer-failed"


def test_bugish_rule_families_are_important() -> None:
    assert severity_for("F821") == "important"
    assert severity_for("F811") == "important"
    assert severity_for("E999") == "important"
    assert severity_for("invalid-syntax") == "important"
    assert severity_for("F401") == "suggestion"
    assert severity_for("E501") == "suggestion"


SARIF_SCRIPT = """
import json, sys
files = sys.argv[1:]
results = [
    {"ruleId": "py.no-serialize", "level": "error",
     "message": {"text": "serialize is undefined here\\nsecond line"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/app.py"},
                    "region": {"startLine": 11, "endLine": 11}}}],
     "fixes": [{"artifactChanges": [{"artifactLocation": {"uri": "src/app.py"},
                "replacements": [{"deletedRegion": {"startLine": 11, "startColumn": 22,
                                                    "endLine": 11, "endColumn": 31},
                                  "insertedContent": {"text": "json.dumps"}}]}]}]},
    {"ruleId": "py.old-json", "level": "warning", "message": {"text": "old line"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/app.py"},
                    "region": {"startLine": 1}}}]},
    {"ruleId": "py.note", "message": {"text": "a note"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file://%s/src/app.py"},
                    "region": {"startLine": 9}}}]},
    {"ruleId": "md.thing", "level": "warning", "message": {"text": "markdown"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "notes.md"},
                    "region": {"startLine": 2}}}]},
]
rules = [{"id": "py.note", "defaultConfiguration": {"level": "note"}}]
print(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "fake",
      "rules": rules}}, "results": results}], "argv": files}))
sys.exit(1)
"""


def sarif_reviewer(command: str) -> ReviewerConfig:
    return ReviewerConfig(name="fake-sast", provider="sarif-command", command=command)


def write_sarif_script(repo: GitRepo) -> Path:
    script = repo.root.parent / "fake_sast.py"
    script.write_text(SARIF_SCRIPT % str(repo.root.resolve()))
    return script


async def test_sarif_command_maps_results_on_changed_lines(python_change: GitRepo) -> None:
    script = write_sarif_script(python_change)
    reviewer = sarif_reviewer(f"{sys.executable} {script} {{files}}")
    review, events = await analyze(python_change, reviewer)
    assert review.status == "completed", review.error
    assert review.provider == "sarif-command"
    titles = {f.title: f for f in review.findings}
    assert set(titles) == {
        "py.no-serialize: serialize is undefined here",
        "py.note: a note",
        "md.thing: markdown",
    }
    error = titles["py.no-serialize: serialize is undefined here"]
    assert (error.path, error.start_line, error.severity) == ("src/app.py", 11, "important")
    assert error.evidence == "        handle.write(serialize(data))"
    assert error.fix is not None and "+        handle.write(json.dumps(data))" in error.fix
    assert git_apply_check(python_change, error.fix).returncode == 0
    note = titles["py.note: a note"]
    assert (note.start_line, note.severity) == (9, "suggestion")
    assert sorted(c.path for c in review.coverage) == ["notes.md", "src/app.py"]
    assert [e.kind for e in events] == ["reviewer-started", "tool-called", "reviewer-finished"]


async def test_sarif_command_gets_quoted_file_arguments(repo: GitRepo) -> None:
    repo.write("base.txt", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write("dir with space/it's.txt", "x\n")
    script = repo.root.parent / "echo_args.py"
    script.write_text(
        "import json, sys\n"
        "print(json.dumps({'version': '2.1.0', 'runs': [{'results': [{'message': "
        "{'text': repr(sys.argv[1:])}, 'locations': [{'physicalLocation': {'artifactLocation':"
        " {'uri': sys.argv[1]}, 'region': {'startLine': 1}}}]}]}]}))\n"
    )
    review, _ = await analyze(repo, sarif_reviewer(f"{sys.executable} {script} {{files}}"))
    (finding,) = review.findings
    assert finding.body == repr(["dir with space/it's.txt"])


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("definitely-not-a-real-tool-xyz {files}", "cannot run 'definitely-not-a-real-tool-xyz'"),
        (f"{sys.executable} -c 'import sys; sys.exit(3)'", "exited with status 3"),
        (f"{sys.executable} -c 'print(\"not json\")'", "printed invalid SARIF: not JSON"),
        (f"{sys.executable} -c 'print(\"{{}}\")'", "printed invalid SARIF: no 'runs' array"),
        ("unbalanced 'quote", "cannot parse the command template"),
    ],
)
async def test_sarif_command_failures_are_clear(
    python_change: GitRepo, command: str, expected: str
) -> None:
    review, events = await analyze(python_change, sarif_reviewer(command))
    assert review.status == "failed"
    assert review.error is not None and expected in review.error, review.error
    assert review.reviewer == "fake-sast"
    assert events[-1].kind == "reviewer-failed"


async def test_sarif_command_timeout_fails_that_reviewer(python_change: GitRepo) -> None:
    reviewer = ReviewerConfig(
        name="slow",
        provider="sarif-command",
        deadline_s=0.5,
        command=f"{sys.executable} -c 'import time; time.sleep(30)'",
    )
    review, _ = await analyze(python_change, reviewer)
    assert review.status == "failed"
    assert review.error == "slow: python3.11 took longer than 0.5s".replace(
        "python3.11", Path(sys.executable).name
    )


async def test_sarif_parse_keeps_raw_output_for_invalid_documents(python_change: GitRepo) -> None:
    script = python_change.root.parent / "old_sarif.py"
    script.write_text(f"print({json.dumps({'version': '1.0', 'runs': []})!r})\n")
    reviewer = sarif_reviewer(f"{sys.executable} {script}")
    review, _ = await analyze(python_change, reviewer)
    assert review.status == "failed"
    assert review.error is not None and "is not SARIF 2.1.0" in review.error
    assert review.raw_output is not None and '"version": "1.0"' in review.raw_output


async def test_sarif_command_sees_the_reviewed_commit_not_a_dirty_working_tree(
    python_change: GitRepo,
) -> None:
    reader = python_change.root.parent / "first_line.py"
    reader.write_text(
        "import json, os, sys\n"
        "first = open(sys.argv[1]).readline().strip()\n"
        "print(json.dumps({'version': '2.1.0', 'runs': [{'results': [{'level': 'error',"
        " 'message': {'text': first}, 'locations': [{'physicalLocation': {'artifactLocation':"
        " {'uri': os.path.abspath(sys.argv[1])}, 'region': {'startLine': 2}}}]}]}]}))\n"
    )
    python_change.write("src/app.py", "dirty = True\n" + CHANGED_APP)
    change = collect_change(python_change.root, base="main", include_uncommitted=False)
    sandbox = RepoSandbox(python_change.root, ref=change.head_sha)
    reviewer = sarif_reviewer(f"{sys.executable} {reader} src/app.py")
    review = await run_analyzer(reviewer, change, sandbox, on_event=lambda _: None)
    assert review.status == "completed", review.error
    (finding,) = review.findings
    assert finding.body == "import json"
    assert (finding.path, finding.start_line) == ("src/app.py", 2)
    assert (python_change.root / "src/app.py").read_text().startswith("dirty = True")


async def test_sarif_command_never_sees_credentials(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs-should-not-leak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-should-not-leak")
    repo.write("base.txt", "")
    repo.commit("base")
    repo.branch("feature")
    repo.write("a.txt", "x\n")
    script = repo.root.parent / "show_env.py"
    script.write_text(
        "import json, os\n"
        "seen = sorted(k for k in os.environ if 'TOKEN' in k or 'SECRET' in k)\n"
        "print(json.dumps({'version': '2.1.0', 'runs': [{'results': [{'message': "
        "{'text': repr(seen)}, 'locations': [{'physicalLocation': {'artifactLocation':"
        " {'uri': 'a.txt'}, 'region': {'startLine': 1}}}]}]}]}))\n"
    )
    review, _ = await analyze(repo, sarif_reviewer(f"{sys.executable} {script}"))
    assert review.status == "completed", review.error
    assert [f.title for f in review.findings] == ["[]"]
