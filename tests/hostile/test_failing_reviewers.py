"""Rate limits, hangs and a reviewer that dies mid-run: the others' work is kept."""

from __future__ import annotations

from typing import Any

import pytest

from deep_review.cli import main
from deep_review.panel.scripted import ScriptedModelServer
from tests.hostile.scenario import KEY_ENV, finding, latest_review, project, submit
from tests.support.gitrepo import GitRepo

SHELL_FIX = """\
--- a/app.py
+++ b/app.py
@@ -5,3 +5,4 @@
 def run(cmd):
-    import os
-    os.system(cmd)
+    import shlex
+    import subprocess
+    subprocess.run(shlex.split(cmd), check=True)
"""


def reviewer(name: str, url: str, **options: object) -> str:
    lines = [
        f'[[reviewers]]\nname = "{name}"\nprovider = "openai"\nmodel = "{name}"',
        f'base_url = "{url}"\napi_key_env = "{KEY_ENV}"\nscripted = true',
    ]
    lines += [f"{key} = {value}" for key, value in options.items()]
    return "\n".join(lines) + "\n"


def test_a_panel_with_failing_reviewers_still_delivers_the_good_ones(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project(repo)
    transcripts: dict[str, list[dict[str, Any]]] = {
        "good": [submit(finding(fix=SHELL_FIX))],
        "throttled": [{"status": 429, "retry_after": 0.1}, submit(finding(title="Throttled"))],
        "dies": [{"tool": "read_file", "input": {"path": "app.py"}}, {"malformed": "json"}],
        "hangs": [{"hang": True}],
        "gone": [{"status": 503}],
    }
    with ScriptedModelServer(transcripts) as server:
        monkeypatch.setenv(KEY_ENV, "sk-test")
        repo.write(
            ".deep-review.toml",
            reviewer("good", server.openai_url, max_retries=0)
            + reviewer("throttled", server.openai_url, max_retries=2)
            + reviewer("dies", server.openai_url, max_retries=1)
            + reviewer("hangs", server.openai_url, max_retries=0, request_timeout_s=1)
            + reviewer("gone", server.openai_url, max_retries=1),
        )
        code = main(["review", "--repo", str(repo.root)])

    assert code == 0
    err = capsys.readouterr().err
    review = latest_review(repo.root)
    agents = {a.reviewer: a for a in review.agent_reviews}
    assert agents["good"].status == "completed"
    assert agents["throttled"].status == "completed"  # waited out the 429
    assert agents["dies"].status == "failed" and agents["dies"].error
    assert agents["dies"].stats.tool_calls == {"read_file": 1}  # its work so far is recorded
    assert agents["hangs"].status in ("failed", "timed-out") and agents["hangs"].error
    assert "503" in (agents["gone"].error or "")
    for name in ("dies", "hangs", "gone"):
        assert f"{name}: failed" in err
    shell = next(f for f in review.findings if f.title == "Shell injection through run()")
    assert sorted(shell.agents) == ["good", "throttled"]

    # The author edits the lines the fix was written for: it must not apply to the new text.
    edited = (repo.root / "app.py").read_text().replace("os.system(cmd)", "os.popen(cmd)")
    (repo.root / "app.py").write_text(edited)
    assert main(["apply", shell.id, "--repo", str(repo.root)]) == 1
    assert "does not apply" in capsys.readouterr().err
    assert (repo.root / "app.py").read_text() == edited
