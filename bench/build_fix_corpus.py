"""Build fixtures/fix-corpus/ from real history: this repository's own commits. Run directly.

Each case is one real change to one file: the file before, the file after, and the real diff
between them (``git diff -U3``). The degradations that model output suffers are applied by
the test and the bench, not stored. A case's half is fixed by its commit: the first hex digit
of the commit's SHA even → ``tune``, odd → ``frozen`` (never looked at while changing ``fixes``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "fix-corpus"
MAX_LINES = 400
MAX_HUNKS = 6
MAX_CASES = 80


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def main() -> None:
    commits = git("log", "--no-merges", "--format=%H", "--", "server/*.py").split()
    cases = 0
    for half in ("tune", "frozen"):
        (OUT / half).mkdir(parents=True, exist_ok=True)
    for sha in commits:
        parent = git("rev-parse", f"{sha}^").strip()
        names = git("diff", "--name-status", parent, sha, "--", "server/*.py").splitlines()
        for entry in names:
            status, _, path = entry.partition("\t")
            if status != "M":
                continue
            before = git("show", f"{parent}:{path}")
            after = git("show", f"{sha}:{path}")
            if max(before.count("\n"), after.count("\n")) > MAX_LINES:
                continue
            diff = git("diff", "-U3", parent, sha, "--", path)
            hunks = diff.count("\n@@ ")
            if not 1 <= hunks <= MAX_HUNKS:
                continue
            half = "tune" if int(sha[0], 16) % 2 == 0 else "frozen"
            name = f"{sha[:10]}-{path.replace('/', '_')}.json"
            case = {"commit": sha, "path": path, "before": before, "after": after, "diff": diff}
            (OUT / half / name).write_text(json.dumps(case, indent=1) + "\n", encoding="utf-8")
            cases += 1
            if cases >= MAX_CASES:
                print(f"{cases} cases written to {OUT}", file=sys.stderr)
                return
    print(f"{cases} cases written to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
