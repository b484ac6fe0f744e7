"""Validate the blind cases: each loads as a Case, builds its Change, and its labels are coherent.

Run from the repository root with ``PYTHONPATH=server``. Beyond loading, it checks what the
labels claim about the code, so a mislabelled case fails here rather than in scoring:
every input finding ends in exactly one place (a group or dropped); appendix, severity,
location and outside_diff keys are in groups; expected locations lie inside the head file;
findings dropped as "does not exist" cite a path in neither tree; evidence of findings that
are expected to ground (in a group, not in the appendix, inside a head file) has every
quoted line in the file or in the base, once annotations, diff columns and whitespace are
set aside.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent.parent))  # the repository root, for tests.*

from tests.reconcile.casefile import Case, change_from_files  # noqa: E402

_ANNOTATION = re.compile(r"\s*(//|#)\s*(<-|ln |line \d+|close\(\) removed|f still open).*$")


def _norm(line: str) -> str:
    line = _ANNOTATION.sub("", line)
    if line[:1] in "+-" and not line.startswith(("--", "++")):
        line = line[1:]
    return " ".join(line.split())


def problems(case: Case) -> list[str]:
    """What is wrong with one case's labels (empty when none)."""
    out: list[str] = []
    expect = case.expect
    keys = [f["key"] for r in case.reviews for f in r.get("findings", [])]
    if len(keys) != len(set(keys)):
        out.append("duplicate finding keys")
    grouped = [k for g in expect.groups for k in g]
    placed = grouped + list(expect.dropped)
    if sorted(placed) != sorted(keys):
        out.append(f"findings not placed exactly once: {sorted(placed)} vs {sorted(keys)}")
    for name, field in (
        ("appendix", expect.appendix),
        ("outside_diff", expect.outside_diff),
        ("severity", list(expect.severity)),
        ("location", list(expect.location)),
    ):
        stray = set(field) - set(grouped)
        if stray:
            out.append(f"{name} keys not in a group: {sorted(stray)}")
    for key, (path, start, end) in expect.location.items():
        lines = case.head.get(path)
        if lines is None or not 1 <= start <= end <= len(lines):
            out.append(f"location of {key} outside {path}")
    by_key = {f["key"]: f for r in case.reviews for f in r.get("findings", [])}
    for key, reason in expect.dropped.items():
        path = by_key[key]["path"]
        if "does not exist" in reason and (path in case.head or path in case.base):
            out.append(f"{key} dropped as absent but {path} is in a tree")
    for key in set(grouped) - set(expect.appendix):
        finding = by_key[key]
        head = case.head.get(finding["path"])
        if head is None or not finding.get("evidence"):
            continue
        known = {_norm(line) for line in head + case.base.get(finding["path"], [])}
        for line in finding["evidence"].splitlines():
            quoted = _norm(line)
            if quoted and quoted != "..." and quoted not in known:
                out.append(f"{key} expected to ground but quotes {line!r}")
    return out


def main() -> int:
    files = sorted(HERE.glob("*/*.json"))
    failures = 0
    for path in files:
        case = Case.model_validate_json(path.read_text())
        if case.name != path.stem:
            print(f"{path}: name {case.name!r} does not match the file name")
            failures += 1
        base = {p: "\n".join(lines) + "\n" for p, lines in case.base.items()}
        head = {p: "\n".join(lines) + "\n" for p, lines in case.head.items()}
        change = change_from_files(base, head)
        if not change.files:
            print(f"{path}: the change is empty")
            failures += 1
        for problem in problems(case):
            print(f"{path}: {problem}")
            failures += 1
    print(f"{len(files)} cases checked, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
