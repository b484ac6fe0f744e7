"""The review cache never stands in for a different review, and exit codes say what happened."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deep_review.cli import main
from deep_review.events import ReviewerRetrying, ReviewerStarted
from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer
from deep_review.terminal import TerminalProgress
from tests.support.gitrepo import GitRepo
from tests.test_review_command import POOL_BASE, POOL_CHANGE, leak_finding, submit

KEY = "sk-scripted-cache-test-key-0123456789"


def transcripts() -> dict[str, list[dict[str, Any]]]:
    return {
        "claude-scripted": [submit(leak_finding("restart() leaks the previous workers", 9, 10))],
        "gpt-scripted": [
            submit(leak_finding("Old workers are never stopped on restart", 10, 10, "critical"))
        ],
    }


@pytest.fixture
def server() -> Iterator[ScriptedModelServer]:
    with ScriptedModelServer(transcripts()) as running:
        yield running


@pytest.fixture
def pool_repo(repo: GitRepo) -> GitRepo:
    repo.write("app/pool.py", POOL_BASE)
    repo.commit("Add the pool")
    repo.branch("restart")
    repo.write("app/pool.py", POOL_CHANGE)
    repo.commit("Pool: restart in place")
    return repo


def write_config(
    repo: GitRepo,
    server: ScriptedModelServer,
    *,
    claude_effort: str = "high",
    with_codex: bool = True,
    extra: str = "",
) -> None:
    """The scripted panel, written but not committed (config changes are not part of the diff)."""
    codex = f"""
[[reviewers]]
name = "codex"
provider = "openai"
model = "gpt-scripted"
base_url = "{server.openai_url}"
api_key_env = "SCRIPTED_KEY"
scripted = true
"""
    config = f"""
[[reviewers]]
name = "claude"
provider = "anthropic"
model = "claude-scripted"
base_url = "{server.url}"
api_key_env = "SCRIPTED_KEY"
effort = "{claude_effort}"
max_retries = 0
scripted = true
{codex if with_codex else ""}
[[reviewers]]
name = "ruff"
provider = "ruff"
{extra}
"""
    (repo.root / ".deep-review.toml").write_text(config)
    # Keep the config out of the reviewed diff: the cache must notice it on its own.
    (repo.root / ".git" / "info" / "exclude").write_text(".deep-review.toml\n")


def review(repo: GitRepo, *args: str) -> int:
    return main(["review", "--repo", str(repo.root), "--format", "json", *args])


def asked(server: ScriptedModelServer, model: str) -> int:
    return len(server.requests_for(model))


def latest(repo: GitRepo) -> Review:
    from deep_review.store import ReviewStore

    found = ReviewStore(repo.root).latest_review()
    assert found is not None
    return found


# -- the cache ------------------------------------------------------------------------------


def test_setting_the_key_after_a_no_key_review_runs_the_model_instead_of_the_cache(
    pool_repo: GitRepo, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(pool_repo, server, with_codex=False)
    monkeypatch.delenv("SCRIPTED_KEY", raising=False)
    assert review(pool_repo) == 3  # claude had no key: not reviewed by a model
    assert asked(server, "claude-scripted") == 0

    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    assert review(pool_repo) == 0

    assert asked(server, "claude-scripted") >= 1
    claude = next(a for a in latest(pool_repo).agent_reviews if a.reviewer == "claude")
    assert claude.status == "completed" and claude.findings


def test_adding_a_reviewer_runs_only_that_reviewer_and_reuses_the_others(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo, "--reviewers", "claude,ruff") == 0
    claude_before = asked(server, "claude-scripted")
    assert claude_before >= 1 and asked(server, "gpt-scripted") == 0

    assert review(pool_repo) == 0

    assert asked(server, "claude-scripted") == claude_before  # reused, not asked again
    assert asked(server, "gpt-scripted") >= 1  # the new reviewer ran
    assert "claude: same change and settings as before" in capsys.readouterr().err
    reviewers = {a.reviewer: a.status for a in latest(pool_repo).agent_reviews}
    assert reviewers == {"claude": "completed", "codex": "completed", "ruff": "completed"}
    assert sorted(latest(pool_repo).findings[0].agents) == ["claude", "codex"]


def test_the_same_panel_twice_is_served_from_the_cache(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo) == 0
    before = len(server.requests)

    assert review(pool_repo) == 0

    assert len(server.requests) == before
    assert "cached" in capsys.readouterr().err


@pytest.mark.parametrize(
    "change",
    [
        {"claude_effort": "low"},
        {"extra": '[commands]\nallow = ["python -V"]\n'},
        {"extra": "[reconcile]\nmax_suggestions = 3\n"},
    ],
    ids=["reviewer effort", "command allowlist", "reconcile settings"],
)
def test_a_setting_that_changes_the_result_is_a_cache_miss(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo) == 0
    capsys.readouterr()

    write_config(pool_repo, server, **change)  # type: ignore[arg-type]
    assert review(pool_repo) == 0

    err = capsys.readouterr().err
    assert "since the last review: cached" not in err  # the whole review was not reused


def test_a_changed_effort_reruns_that_reviewer_only(
    pool_repo: GitRepo, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo) == 0
    claude, gpt = asked(server, "claude-scripted"), asked(server, "gpt-scripted")

    write_config(pool_repo, server, claude_effort="low")
    assert review(pool_repo) == 0

    assert asked(server, "claude-scripted") > claude
    assert asked(server, "gpt-scripted") == gpt


def test_no_cache_file_holds_the_key(
    pool_repo: GitRepo, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo) == 0

    files = [p for p in (pool_repo.root / ".deep-review").rglob("*") if p.is_file()]
    assert any("cache" in p.parts for p in files)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path


# -- names are checked before the cache and before the panel --------------------------------


def test_an_unknown_reviewer_is_an_error_even_when_a_review_is_cached(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    assert review(pool_repo) == 0
    capsys.readouterr()

    assert review(pool_repo, "--reviewers", "nosuch") == 2

    err = capsys.readouterr().err
    assert "unknown reviewer nosuch" in err
    assert "claude, codex, ruff" in err  # the valid names


def test_an_unknown_lead_is_an_error_before_any_reviewer_runs(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)

    assert review(pool_repo, "--lead", "nosuch") == 2

    assert server.requests == []
    err = capsys.readouterr().err
    assert "nosuch" in err and "claude, codex" in err
    assert not (pool_repo.root / ".deep-review" / "reviews").exists()


# -- gates ----------------------------------------------------------------------------------


def test_fail_on_cannot_pass_when_no_configured_model_reviewer_completed(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_config(pool_repo, server, with_codex=False)
    monkeypatch.delenv("SCRIPTED_KEY", raising=False)

    code = review(pool_repo, "--fail-on", "suggestion")

    assert code == 3
    err = capsys.readouterr().err
    assert "no model reviewer completed" in err and "claude: failed" in err


def test_require_all_fails_when_one_configured_reviewer_did_not_complete(
    pool_repo: GitRepo,
    server: ScriptedModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(
        pool_repo,
        server,
        extra='\n[[reviewers]]\nname = "gemini"\nprovider = "openai-compatible"\n'
        'model = "gemini-x"\nbase_url = "http://127.0.0.1:9/v1"\napi_key_env = "NOT_SET_KEY"\n',
    )

    without = review(pool_repo)
    capsys.readouterr()
    strict = review(pool_repo, "--require-all")

    assert without == 0  # claude and codex completed: reviewed by models
    assert strict == 4
    out, err = capsys.readouterr()
    assert "1 of 4 reviewers did not complete: gemini (failed)" in err
    assert "note: reviewer gemini did not complete (failed)" in out


# -- the plain-line progress view -----------------------------------------------------------


def test_retry_lines_say_why_and_when() -> None:
    stream = io.StringIO()
    with TerminalProgress(stream) as show:
        show(ReviewerStarted(reviewer="claude", model="claude-opus-4-7"))
        for attempt in range(1, 5):
            show(
                ReviewerRetrying(
                    reviewer="claude", reason="Connection error.", delay_s=attempt * 0.5
                )
            )

    retries = stream.getvalue().splitlines()[1:]
    assert retries == [
        f"deep-review: claude: retrying in {n * 0.5:.1f}s: Connection error." for n in range(1, 5)
    ]


def test_an_unreachable_endpoint_prints_each_retry_with_its_reason(
    pool_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    (pool_repo.root / ".deep-review.toml").write_text(
        '[[reviewers]]\nname = "claude"\nprovider = "anthropic"\nmodel = "claude-x"\n'
        'base_url = "http://127.0.0.1:9"\napi_key_env = "SCRIPTED_KEY"\nmax_retries = 2\n'
    )

    assert review(pool_repo, "--no-cache") == 3

    lines = [line for line in capfd.readouterr().err.splitlines() if "claude: " in line]
    retries = [line for line in lines if "retrying" in line]
    assert len(retries) == 2
    assert all(line.split("claude: ", 1)[1].strip() for line in lines), lines
    assert all("retrying in" in line and "s: " in line for line in retries)


def test_plural_wording_in_the_summary(
    pool_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    pool_repo.write("app/extra.py", "import os\n")

    main(["review", "--repo", str(pool_repo.root), "--reviewers", "ruff", "--format", "md"])

    out, err = capsys.readouterr()
    assert "1 reviewers" not in out + err and "1 suggestions" not in out + err
    assert "stage: panel — 1 reviewer" in err


def test_exit_codes_are_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for code, words in [
        (0, "done"),
        (1, "--fail-on"),
        (2, "usage"),
        (3, "model"),
        (4, "--require-all"),
    ]:
        row = next((line for line in readme.splitlines() if line.startswith(f"| {code} ")), "")
        assert words in row, f"README exit-code table lacks {code}"


def test_a_review_from_reused_reviewers_still_lists_the_withheld_secrets(
    pool_repo: GitRepo, server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIPTED_KEY", KEY)
    write_config(pool_repo, server)
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    pool_repo.write("app/settings.py", f'GITHUB_TOKEN = "{token}"\n')
    assert review(pool_repo) == 0
    before = len(server.requests)

    write_config(pool_repo, server, extra="[reconcile]\nmax_suggestions = 3\n")
    assert review(pool_repo) == 0

    assert len(server.requests) == before  # every reviewer reused
    withheld = [(s.path, s.line) for s in latest(pool_repo).withheld_secrets]
    assert withheld == [("app/settings.py", 1)]
