"""The repository every editor test reviews: a branch with a real off-by-one bug, a scripted
reviewer that finds it, and a fix that repairs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.gitrepo import GitRepo

REVIEWED_FILE = "pricing.py"
FINDING_TITLE = "bulk_total skips the last price"
SCRIPTED_MODEL = "scripted-claude"
KEY_VARIABLE = "DEEP_REVIEW_EDITOR_TEST_KEY"

BASE_SOURCE = '''"""Prices and discounts for the checkout."""


def apply_discount(price: float, percent: float) -> float:
    """Price after a percentage discount."""
    return price * (1 - percent / 100)
'''

BRANCH_SOURCE = (
    BASE_SOURCE
    + '''

def bulk_total(prices: list[float], percent: float) -> float:
    """Total of several prices, each discounted."""
    total = 0.0
    for i in range(len(prices) - 1):
        total += apply_discount(prices[i], percent)
    return total
'''
)

FIXED_SOURCE = (
    BASE_SOURCE
    + '''

def bulk_total(prices: list[float], percent: float) -> float:
    """Total of several prices, each discounted."""
    total = 0.0
    for price in prices:
        total += apply_discount(price, percent)
    return total
'''
)

FIX_DIFF = """--- a/pricing.py
+++ b/pricing.py
@@ -11,4 +11,4 @@
     total = 0.0
-    for i in range(len(prices) - 1):
-        total += apply_discount(prices[i], percent)
+    for price in prices:
+        total += apply_discount(price, percent)
     return total
"""

REVIEW = {
    "summary": "Adds bulk_total; its loop stops one price early.",
    "verdict": "Merge with fixes",
    "findings": [
        {
            "path": REVIEWED_FILE,
            "start_line": 12,
            "end_line": 13,
            "severity": "important",
            "category": "regression",
            "title": FINDING_TITLE,
            "body": (
                "`range(len(prices) - 1)` stops before the last index, so the last price is"
                " never added: a cart of one item totals 0."
            ),
            "evidence": (
                "    for i in range(len(prices) - 1):\n"
                "        total += apply_discount(prices[i], percent)"
            ),
            "fix": FIX_DIFF,
        }
    ],
    "coverage": [{"path": REVIEWED_FILE, "status": "reviewed"}],
}


def write_transcripts(folder: Path, *, think_s: float = 0.0) -> Path:
    """The scripted reviewer: reads the file once, thinks ``think_s``, submits the finding."""
    folder.mkdir(parents=True, exist_ok=True)
    steps = [
        {"tool": "read_file", "input": {"path": REVIEWED_FILE}},
        {"submit": REVIEW, "delay_s": think_s},
    ]
    (folder / f"{SCRIPTED_MODEL}.json").write_text(
        json.dumps({"model": SCRIPTED_MODEL, "steps": steps}, indent=2), encoding="utf-8"
    )
    return folder


def build_fixture_repo(root: Path, model_url: str) -> GitRepo:
    """main has apply_discount; branch feature/bulk-total adds the buggy bulk_total."""
    repo = GitRepo(root)
    repo.write(REVIEWED_FILE, BASE_SOURCE)
    repo.write(".gitignore", ".deep-review/\n")
    repo.commit("Add apply_discount")
    repo.branch("feature/bulk-total")
    repo.write(REVIEWED_FILE, BRANCH_SOURCE)
    repo.commit("Add bulk_total")
    repo.write(
        ".deep-review.toml",
        f"""base = "main"

[[reviewers]]
name = "claude"
provider = "anthropic"
model = "{SCRIPTED_MODEL}"
base_url = "{model_url}"
api_key_env = "{KEY_VARIABLE}"
scripted = true
""",
    )
    repo.git("add", ".deep-review.toml")
    repo.git("commit", "-q", "-m", "Configure the scripted reviewer")
    return repo


@contextmanager
def scripted_model_server(transcripts: Path) -> Iterator[str]:
    """Runs ``python -m deep_review.panel.scripted`` and yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "deep_review.panel.scripted", "--transcripts", str(transcripts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("listening "):
            _, err = process.communicate(timeout=10)
            raise AssertionError(f"the scripted model server did not start: {line}{err}")
        yield line.split(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def server_env() -> dict[str, str]:
    """The environment editors start `deep-review serve` with: the venv first on PATH, a key."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": venv_bin + os.pathsep + os.environ.get("PATH", ""),
        KEY_VARIABLE: "test-key-not-secret",
    }


# The VS Code run reviews the same branch with two more findings: one fixed from the palette,
# one dismissed. Their fixes keep line counts, so each applies after the others.
DOCSTRING_TITLE = "bulk_total's docstring hides that the total is discounted"
DISMISSED_TITLE = "Money sums are never rounded to cents"
PALETTE_FIXED_SOURCE = FIXED_SOURCE.replace(
    '"""Total of several prices, each discounted."""',
    '"""Sum of the prices, each after the discount."""',
)
DOCSTRING_FIX = """--- a/pricing.py
+++ b/pricing.py
@@ -9,3 +9,3 @@
 def bulk_total(prices: list[float], percent: float) -> float:
-    \"\"\"Total of several prices, each discounted.\"\"\"
+    \"\"\"Sum of the prices, each after the discount.\"\"\"
     total = 0.0
"""
THREE_FINDINGS_REVIEW = {
    **REVIEW,
    "findings": [
        *REVIEW["findings"],
        {
            "path": REVIEWED_FILE,
            "start_line": 10,
            "end_line": 10,
            "severity": "suggestion",
            "category": "enhancement",
            "title": DOCSTRING_TITLE,
            "body": "Say the discount applies to each price, so callers do not discount twice.",
            "evidence": '    """Total of several prices, each discounted."""',
            "fix": DOCSTRING_FIX,
        },
        {
            "path": REVIEWED_FILE,
            "start_line": 14,
            "end_line": 14,
            "severity": "suggestion",
            "category": "enhancement",
            "title": DISMISSED_TITLE,
            "body": "Floating-point cents accumulate error; round to two decimals when returning.",
            "evidence": "    return total",
        },
    ],
}
# Text only in the diff of a branch whose bulk_total is fixed: the review started after the
# fixes meets the slow script, the first review the quick one.
AFTER_FIX_MARKER = "for price in prices:"


def write_vscode_transcripts(folder: Path, *, slow_s: float) -> Path:
    """The first review finds three things at once; a review after the fixes thinks ``slow_s``."""
    folder.mkdir(parents=True, exist_ok=True)
    scripts = [
        {
            "model": SCRIPTED_MODEL,
            "when": AFTER_FIX_MARKER,
            "steps": [{"submit": {**REVIEW, "findings": []}, "delay_s": slow_s}],
        },
        {
            "model": SCRIPTED_MODEL,
            "steps": [
                {"tool": "read_file", "input": {"path": REVIEWED_FILE}},
                {"submit": THREE_FINDINGS_REVIEW},
            ],
        },
    ]
    (folder / f"{SCRIPTED_MODEL}.json").write_text(json.dumps(scripts, indent=2), encoding="utf-8")
    return folder
