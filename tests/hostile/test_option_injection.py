"""Refs and names from the command line or a cloned repository's config are data, not options."""

from __future__ import annotations

from pathlib import Path

import pytest

from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, finding, project, submit
from tests.support.gitrepo import GitRepo

BASES = ["--output={out}/pwned", "-o{out}/pwned", "--exec-path={out}", "HEAD~1 --output={out}/x"]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("source", ["flag", "config", "env"])
def test_an_option_shaped_base_is_just_a_ref_that_does_not_exist(
    repo: GitRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    base: str,
    source: str,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    project(repo)
    value = base.format(out=out)
    argv = ["review", "--repo", str(repo.root)]
    if source == "flag":
        argv.append(f"--base={value}")
    elif source == "config":
        repo.write(".deep-review.toml", f"base = {value!r}\n".replace("'", '"'))
    else:
        monkeypatch.setenv("DEEP_REVIEW_BASE", value)

    assert main(argv) == 2
    assert f"{value!r} is not a commit in this repository" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_a_reviewer_named_like_a_path_stays_inside_the_store(
    repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(repo)
    with ScriptedModelServer({"claude-x": [submit(finding())]}) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        repo.write(
            ".deep-review.toml",
            '[[reviewers]]\nname = "../../../escaped"\nprovider = "anthropic"\n'
            f'model = "claude-x"\nbase_url = "{server.url}"\napi_key_env = "{KEY_ENV}"\n'
            "scripted = true\n",
        )
        assert main(["review", "--repo", str(repo.root)]) == 0
    store = repo.root / ".deep-review"
    assert [p for p in tmp_path.rglob("*escaped*") if store not in p.parents] == []
    assert [p.parent.parent.name for p in store.rglob("*escaped*")] == ["agents"]
