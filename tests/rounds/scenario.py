"""A branch reviewed in rounds: the fixture repository, its edits between rounds, the reviewers.

Round 1 finds five problems. Between rounds 1 and 2 the author fixes the restart leak as
proposed (commit "review I2"), fixes half of the cache finding (commit "review I1"), deletes the
helper module, claims "fixes S2" without touching it, and dismisses S1. Between rounds 2 and 3
the author finishes the cache fix and edits around spawn() without fixing it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from deep_review.cli import main
from deep_review.model import Review
from deep_review.panel.scripted import ScriptedModelServer
from tests.support.gitrepo import GitRepo

KEY_ENV = "ROUNDS_SCRIPTED_KEY"

POOL = """\
class Pool:
    def __init__(self, size):
        self.size = size
        self.workers = []

    def stop(self):
        self.workers.clear()

    def restart(self):
        self.workers = self.spawn()
        return self.workers

    def spawn(self):
        return [object() for _ in range(self.size)]
"""
POOL_FIXED = POOL.replace(
    "        self.workers = self.spawn()\n",
    "        self.stop()\n        self.workers = self.spawn()\n",
)
POOL_ROUND3 = POOL_FIXED.replace(
    "    def spawn(self):\n",
    '    def spawn(self):\n        """New workers, one per slot."""\n'
    "        # Sized once: a resize needs a restart.\n        count = self.size\n"
    "        assert count >= 0\n",
)
CACHE = (
    'import json\n\n\ndef save(path, data):\n    handle = open(path, "w")\n'
    "    json.dump(data, handle)\n"
)
CACHE_FIXED = (
    'import json\n\n\ndef save(path, data):\n    with open(path, "w") as handle:\n'
    "        json.dump(data, handle)\n"
)
CONFIG = "TIMEOUT = 30\nRETRIES = 3\n"
UTIL = "def legacy_helper(value):\n    return str(value).strip().lower()\n"

LEAK_FIX = """\
--- a/app/pool.py
+++ b/app/pool.py
@@ -9,3 +9,4 @@
     def restart(self):
-        self.workers = self.spawn()
+        self.stop()
+        self.workers = self.spawn()
         return self.workers
"""
CACHE_FIX = """\
--- a/app/cache.py
+++ b/app/cache.py
@@ -4,3 +4,3 @@
 def save(path, data):
-    handle = open(path, "w")
-    json.dump(data, handle)
+    with open(path, "w") as handle:
+        json.dump(data, handle)
--- a/.gitignore
+++ b/.gitignore
@@ -1 +1,2 @@
 __pycache__/
+cache.json
"""


def big_module(functions: int = 220) -> str:
    """A long, plain module: most of the branch diff, untouched after round 1."""
    parts = []
    for n in range(functions):
        parts.append(
            f"def handler_{n}(request, registry):\n"
            f'    """Route {n}: look the request up and answer it."""\n'
            f"    entry = registry.lookup(request.path, slot={n})\n"
            f"    if entry is None:\n"
            f"        return {{'status': 404, 'route': {n}}}\n"
            f"    return {{'status': 200, 'route': {n}, 'body': entry.render()}}\n\n\n"
        )
    return "".join(parts)


def finding(
    title: str, path: str, start: int, end: int, evidence: str, **extra: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "severity": "suggestion",
        "category": "gap",
        "title": title,
        "path": path,
        "start_line": start,
        "end_line": end,
        "body": extra.pop("body", f"{title}."),
        "evidence": evidence,
    }
    return {**base, **extra}


LEAK = finding(
    "restart() leaks the previous workers",
    "app/pool.py",
    9,
    10,
    "        self.workers = self.spawn()",
    severity="important",
    category="regression",
    body="restart() replaces the workers without stopping the old ones.",
    fix=LEAK_FIX,
)
CACHE_LEAK = finding(
    "Cache file handle is never closed and the cache file is not ignored",
    "app/cache.py",
    5,
    6,
    '    handle = open(path, "w")\n    json.dump(data, handle)',
    severity="important",
    body="save() leaves the file open; and cache.json will be committed by accident.",
    fix=CACHE_FIX,
)
TIMEOUT = finding(
    "Timeout is hard-coded",
    "app/config.py",
    1,
    1,
    "TIMEOUT = 30",
    body="The request timeout is a constant; operators cannot tune it.",
)
SPAWN = finding(
    "spawn() creates placeholder objects instead of workers",
    "app/pool.py",
    13,
    14,
    "        return [object() for _ in range(self.size)]",
    body="spawn() returns bare object() placeholders, so restart() never starts real workers.",
)
HELPER = finding(
    "legacy_helper duplicates str.casefold",
    "app/util.py",
    1,
    2,
    "    return str(value).strip().lower()",
    category="enhancement",
    body="casefold() is the Unicode-correct way to compare case-insensitively.",
)
# Round 2: the same problems in other words.
SPAWN_REWORDED = finding(
    "Workers are bare object() placeholders",
    "app/pool.py",
    14,
    15,
    "        return [object() for _ in range(self.size)]",
    severity="important",
    body="spawn() still hands out object() placeholders: restart() never starts a real worker.",
)
TIMEOUT_REWORDED = finding(
    "Timeout constant should come from settings",
    "app/config.py",
    1,
    1,
    "TIMEOUT = 30",
    body="A hard-coded request timeout cannot be tuned by operators.",
)
SIZE = finding(
    "Pool size is never validated",
    "app/pool.py",
    3,
    3,
    "        self.size = size",
    severity="important",
    body="A negative size makes spawn() return an empty pool silently.",
)


def submit(*findings: dict[str, Any]) -> dict[str, Any]:
    return {"submit": {"summary": "Reviewed.", "findings": list(findings)}}


def transcripts(server: ScriptedModelServer) -> None:
    """Round 1 by default; rounds 2 and 3 recognised by the prompt's round line."""
    server.add_transcript("claude-rounds", [submit(LEAK, CACHE_LEAK, SPAWN)])
    server.add_transcript("codex-rounds", [submit(LEAK, TIMEOUT, HELPER)])
    server.add_transcript(
        "claude-rounds", [submit(SPAWN_REWORDED, TIMEOUT_REWORDED)], when="This is round 2"
    )
    server.add_transcript("codex-rounds", [submit(SIZE)], when="This is round 2")
    spawn3 = {**SPAWN_REWORDED, "start_line": 19, "end_line": 19}
    server.add_transcript("claude-rounds", [submit(spawn3)], when="This is round 3")
    server.add_transcript("codex-rounds", [submit(SIZE)], when="This is round 3")


def configure(repo: GitRepo, server: ScriptedModelServer) -> None:
    tables = []
    for name, provider, url in (
        ("claude", "anthropic", server.url),
        ("codex", "openai", server.openai_url),
    ):
        tables.append(
            f'[[reviewers]]\nname = "{name}"\nprovider = "{provider}"\n'
            f'model = "{name}-rounds"\nbase_url = "{url}"\napi_key_env = "{KEY_ENV}"\n'
            "scripted = true\nmax_retries = 0\n"
        )
    repo.write(".deep-review.toml", "\n".join(tables))


def build(repo: GitRepo, server: ScriptedModelServer) -> GitRepo:
    """``main`` with a README and .gitignore; branch ``pool`` adds the reviewed code."""
    repo.write("README.md", "# Pool\n")
    repo.write(".gitignore", "__pycache__/\n")
    configure(repo, server)
    repo.commit("initial")
    repo.branch("pool")
    repo.write("app/pool.py", POOL)
    repo.write("app/cache.py", CACHE)
    repo.write("app/config.py", CONFIG)
    repo.write("app/util.py", UTIL)
    repo.write("app/handlers.py", big_module())
    repo.commit("Add the worker pool")
    return repo


def between_rounds_1_and_2(repo: GitRepo) -> dict[str, str]:
    """The author's commits after round 1; returns their SHAs by name."""
    shas = {}
    repo.write("app/pool.py", POOL_FIXED)
    shas["leak"] = repo.commit("Stop the old workers on restart (review I2)")
    repo.write("app/cache.py", CACHE_FIXED)
    shas["cache"] = repo.commit("Close the cache file (review I1)")
    (repo.root / "app/util.py").unlink()
    shas["helper"] = repo.commit("Remove the legacy helper")
    repo.write("README.md", "# Pool\n\nWorkers, restarted in place.\n")
    shas["claim"] = repo.commit("Document the pool; fixes S2")
    return shas


def between_rounds_2_and_3(repo: GitRepo) -> None:
    repo.write(".gitignore", "__pycache__/\ncache.json\n")
    repo.commit("Ignore the cache file (review S2)")
    repo.write("app/pool.py", POOL_ROUND3)
    repo.commit("Document spawn()")


def review(repo: GitRepo, *extra: str) -> int:
    return main(["review", "--repo", str(repo.root), "--format", "md", *extra])


def saved_reviews(root: Path) -> list[Review]:
    folder = root / ".deep-review" / "reviews"
    return [Review.model_validate_json(p.read_text()) for p in sorted(folder.glob("*.json"))]


def prompt_tokens(review: Review) -> int:
    """What the scripted server counted as the reviewers' prompt tokens (input + cached)."""
    return sum(a.stats.input_tokens + a.stats.cached_tokens for a in review.agent_reviews)
