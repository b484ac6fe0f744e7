"""A small change and panel used by the pipeline tests (built in memory, like the labelled set)."""

from __future__ import annotations

from typing import Any

from deep_review.change.model import Change
from deep_review.model import AgentReview
from tests.reconcile.casefile import DictSource, change_from_files

BASE = {
    "app/store.py": (
        "import sqlite3\n"
        "\n"
        "\n"
        "class Store:\n"
        "    def __init__(self, path):\n"
        "        self.conn = sqlite3.connect(path)\n"
        "\n"
        "    def get(self, key):\n"
        '        cursor = self.conn.execute("SELECT v FROM kv WHERE k = ?", (key,))\n'
        "        return cursor.fetchone()\n"
    ),
    "README.md": "# Store\n",
}
HEAD = {
    "app/store.py": (
        "import sqlite3\n"
        "\n"
        "\n"
        "class Store:\n"
        "    def __init__(self, path):\n"
        "        self.conn = sqlite3.connect(path)\n"
        "\n"
        "    def get(self, key):\n"
        "        # TODO: cache hot keys\n"
        "        cursor = self.conn.execute(f\"SELECT v FROM kv WHERE k = '{key}'\")\n"
        "        return cursor.fetchone()\n"
        "\n"
        "    def dump(self, target):\n"
        '        handle = open(target, "w")\n'
        '        for row in self.conn.execute("SELECT k, v FROM kv"):\n'
        "            handle.write(repr(row))\n"
    ),
    "README.md": "# Store\n\nA key-value store.\n",
}
SQLI = "cursor = self.conn.execute(f\"SELECT v FROM kv WHERE k = '{key}'\")"
SQLI_FIX = (
    "--- a/app/store.py\n+++ b/app/store.py\n@@ -10,1 +10,1 @@\n"
    f"-        {SQLI}\n"
    '+        cursor = self.conn.execute("SELECT v FROM kv WHERE k = ?", (key,))\n'
)
STALE_FIX = (
    "--- a/app/store.py\n+++ b/app/store.py\n@@ -10,1 +10,1 @@\n"
    "-        cursor = self.conn.query(key)\n"
    '+        cursor = self.conn.execute("SELECT v FROM kv WHERE k = ?", (key,))\n'
)


def finding(**fields: Any) -> dict[str, Any]:
    """A finding with sensible defaults for the fields a test does not care about."""
    return {"category": "regression", "body": "", "evidence": "", **fields}


def change() -> Change:
    return change_from_files(BASE, HEAD)


def source() -> DictSource:
    return DictSource(HEAD)


def panel() -> list[AgentReview]:
    """Three reviewers: a shared SQL injection, a leak only one saw, a hallucination, a failure."""
    claude = AgentReview.model_validate(
        {
            "reviewer": "claude",
            "model": "claude-opus-4-7",
            "findings": [
                finding(
                    path="app/store.py",
                    start_line=10,
                    end_line=10,
                    severity="critical",
                    title="SQL injection: `key` is formatted into the query in `get`",
                    body="The f-string puts the key into the SQL text (injection).",
                    evidence=SQLI,
                    fix=STALE_FIX,
                ),
                finding(
                    path="app/store.py",
                    start_line=14,
                    end_line=16,
                    severity="important",
                    title="`dump` never closes its file handle",
                    body="The handle leaks and rows may not be flushed.",
                    evidence='handle = open(target, "w")',
                ),
            ],
            "design_observations": [
                {"kind": "strength", "text": "The store keeps SQL in one class, easy to audit."},
                {"kind": "concern", "scope": "future", "text": "No migration story for kv."},
            ],
            "testing_assessment": "- No test covers `dump`.\n- No test for keys with quotes.",
            "documentation_assessment": "README describes the store briefly.",
            "coverage": [{"path": "app/store.py", "status": "reviewed"}],
            "stats": {"duration_s": 61.5, "tool_calls": {"read_file": 4, "grep": 2}},
        }
    )
    gpt = AgentReview.model_validate(
        {
            "reviewer": "gpt",
            "model": "gpt-5",
            "findings": [
                finding(
                    path="app/store.py",
                    start_line=9,
                    end_line=10,
                    severity="important",
                    title="`Store.get` builds SQL with an f-string (injection)",
                    body="Bind the key as a parameter; interpolation allows SQL injection.",
                    evidence=SQLI,
                    fix=SQLI_FIX,
                ),
                finding(
                    path="app/cache.py",
                    start_line=3,
                    end_line=4,
                    severity="important",
                    title="Cache never expires",
                    body="TTL ignored.",
                    evidence="ttl = None",
                ),
            ],
            "design_observations": [
                {"kind": "strength", "text": "The store keeps all SQL in one class: easy to audit."}
            ],
            "testing_assessment": "No test for keys with quotes in them.",
            "coverage": [
                {"path": "app/store.py", "status": "reviewed"},
                {"path": "README.md", "status": "trivial"},
            ],
            "stats": {"duration_s": 40.0, "tool_calls": {"exec_command": 9}},
        }
    )
    gemini = AgentReview(
        reviewer="gemini", model="gemini-2.5-pro", status="failed", error="HTTP 500 after retries"
    )
    return [claude, gpt, gemini]
