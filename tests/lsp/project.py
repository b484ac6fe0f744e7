"""The reviewed project the language-server tests work on, and a saved review of it."""

from __future__ import annotations

from datetime import UTC, datetime

from deep_review.change import collect_change
from deep_review.model import (
    ReconciledFinding,
    RelatedLocation,
    Review,
    ReviewerInfo,
    ReviewHeader,
)
from deep_review.report.files import renderer_for
from deep_review.store import ReviewStore
from tests.support.gitrepo import GitRepo

BASE_APP = "def greet(name):\n    return 'hi ' + name\n"

APP = """\
import os


def greet(name):
    return 'hi ' + name


def load(path):
    data = open(path).read()
    return data


def run(cmd):
    os.system(cmd)
"""

APP_WITH_SHELL_FIX = APP.replace(
    "    os.system(cmd)\n",
    "    import shlex\n    import subprocess\n    subprocess.run(shlex.split(cmd), check=True)\n",
)

EMOJI = 'def label(name):\n    return "😀 日本 " + name  # 🎉\n'

SHELL_FIX = """\
--- a/app.py
+++ b/app.py
@@ -13,2 +13,4 @@
 def run(cmd):
-    os.system(cmd)
+    import shlex
+    import subprocess
+    subprocess.run(shlex.split(cmd), check=True)
"""

LEAK_FIX = """\
--- a/app.py
+++ b/app.py
@@ -8,3 +8,4 @@
 def load(path):
-    data = open(path).read()
+    with open(path) as handle:
+        data = handle.read()
     return data
--- a/emoji.py
+++ b/emoji.py
@@ -1,2 +1,2 @@
 def label(name):
-    return "😀 日本 " + name  # 🎉
+    return f"😀 日本 {name}"  # 🎉
"""


def feature_project(repo: GitRepo) -> GitRepo:
    """``main`` with a greeting; branch ``feature`` adds loading, running and an emoji label."""
    repo.write("app.py", BASE_APP)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app.py", APP)
    repo.write("emoji.py", EMOJI)
    repo.commit("add load, run and label")
    return repo


def findings() -> list[ReconciledFinding]:
    """C1 (shell injection, fix), I1 (leaked handle, two-file fix), S1 (no fix), S2 (emoji)."""
    return [
        ReconciledFinding(
            id="C1",
            path="app.py",
            start_line=13,
            end_line=14,
            severity="critical",
            category="regression",
            title="Shell injection through run()",
            body="`os.system` passes `cmd` to the shell, so user input runs as commands.",
            evidence="os.system(cmd)",
            fix=SHELL_FIX,
            agents=["claude", "codex"],
            related=[RelatedLocation(path="app.py", start_line=8, end_line=9, note="caller")],
            consensus=2,
        ),
        ReconciledFinding(
            id="I1",
            path="app.py",
            start_line=9,
            end_line=9,
            severity="important",
            category="gap",
            title="File handle never closed",
            body="The handle leaks until garbage collection.",
            evidence="data = open(path).read()",
            fix=LEAK_FIX,
            agents=["codex"],
        ),
        ReconciledFinding(
            id="S1",
            path="app.py",
            start_line=5,
            end_line=5,
            severity="suggestion",
            category="enhancement",
            title="Use an f-string",
            evidence="return 'hi ' + name",
            agents=["gemini"],
        ),
        ReconciledFinding(
            id="S2",
            path="emoji.py",
            start_line=2,
            end_line=2,
            severity="suggestion",
            category="enhancement",
            title="Emoji label concatenates",
            evidence='return "😀 日本 " + name  # 🎉',
            agents=["claude"],
        ),
    ]


def save_review(repo: GitRepo, review_findings: list[ReconciledFinding] | None = None) -> Review:
    """A reconciled review of the branch as it stands, saved (and cached) in the store."""
    change = collect_change(repo.root)
    review = Review(
        header=ReviewHeader(
            branch=change.branch,
            base_ref=change.base_ref,
            base_sha=change.base_sha,
            head_sha=change.head_sha,
            diff_hash=change.diff_hash,
            date=datetime(2026, 11, 26, 4, 0, tzinfo=UTC),
            reviewers=[ReviewerInfo(name="claude", provider="anthropic", model="scripted")],
            verdict="Needs changes",
        ),
        findings=findings() if review_findings is None else review_findings,
    )
    ReviewStore(repo.root).save_review(review, renderer_for(("md", "html")))
    return review
