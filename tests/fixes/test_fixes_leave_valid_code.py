"""A fix either leaves valid code, applied once, or is refused and changes nothing."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.cli import main
from deep_review.fixes import plan_fix
from deep_review.fixes.errors import FixAlreadyApplied, FixDoesNotApply
from deep_review.model import Location
from tests.fixes.test_apply_command import finding, save_review
from tests.fixes.test_properties import edited_texts, text_of
from tests.support.gitrepo import GitRepo

LOOP = """\
class Forwarder:
    def serve(self):
        while True:
            try:
                conn = self.accept()
            except OSError as error:
                log.warning("accept failed: %s", error)
                continue
            self.pipe(conn)
"""

# The model lost the first line's indentation (as models do) and kept the rest.
BACKOFF_FIX = """\
log.warning("accept failed: %s", error)
+                self.wait(0.5)
                continue
"""


def at(path: str, line: int) -> Location:
    return Location(path=path, start_line=line, end_line=line)


def test_a_first_line_that_lost_its_indentation_does_not_shift_the_new_lines() -> None:
    # `deep-review demo` I2 had this shape and left an IndentationError behind.
    plan = plan_fix({"f.py": LOOP}, BACKOFF_FIX, hint=at("f.py", 7))
    fixed = plan.texts["f.py"]
    assert "                self.wait(0.5)\n                continue\n" in fixed
    ast.parse(fixed)


def test_a_fix_indented_inconsistently_with_the_file_is_refused() -> None:
    shifted = """\
                    log.warning("accept failed: %s", error)
+                    self.wait(0.5)
            continue
"""
    with pytest.raises(FixDoesNotApply, match="indented inconsistently") as refused:
        plan_fix({"f.py": LOOP}, shifted, hint=at("f.py", 7))
    assert refused.value.status == "ambiguous"


def test_a_fix_that_would_break_python_syntax_is_refused_with_the_line() -> None:
    broken = "--- a/f.py\n+++ b/f.py\n@@ -3,1 +3,1 @@\n-        while True:\n+        while True\n"
    with pytest.raises(FixDoesNotApply, match=r"would break the syntax of f.py at line 3"):
        plan_fix({"f.py": LOOP}, broken)


@pytest.mark.parametrize(
    ("path", "before", "patch"),
    [
        ("main.go", "package main\n\nfunc f() {\n\tg()\n}\n", "-}\n+\n"),
        ("app.ts", "function f(): number {\n  return 1;\n}\n", "-  return 1;\n+  return (1;\n"),
        ("conf.json", '{\n  "a": 1\n}\n', '-  "a": 1\n+  "a": 1,,\n'),
        ("lib.rs", "fn f() -> i32 {\n    1\n}\n", "-fn f() -> i32 {\n+fn f( -> i32 {\n"),
    ],
)
def test_a_fix_that_would_break_other_languages_is_refused(
    path: str, before: str, patch: str
) -> None:
    with pytest.raises(FixDoesNotApply, match=f"would break the syntax of {path}"):
        plan_fix({path: before}, patch, hint=at(path, 1))


def test_a_file_broken_before_the_fix_does_not_block_a_fix_that_is_no_worse() -> None:
    before = "def f(:\n    return 1\n\nx = 1\n"
    plan = plan_fix({"f.py": before}, "-x = 1\n+x = 2\n", hint=at("f.py", 4))
    assert plan.texts["f.py"].endswith("x = 2\n")


WRAP_FIX = """\
--- a/app.py
+++ b/app.py
@@ -2,2 +2,5 @@ def handler(request):
 data = request.json()
-return data["name"]
+try:
+    return data["name"]
+except KeyError:
+    return None
"""


def test_applying_twice_changes_nothing_the_second_time(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    # A flattened (whitespace-insensitive) fix: its old line is found again inside its result.
    repo.write(
        "app.py", 'def handler(request):\n    data = request.json()\n    return data["name"]\n'
    )
    repo.commit("app")
    save_review(repo, finding("S1", "app.py", WRAP_FIX))
    argv = ["apply", "S1", "--repo", str(repo.root)]
    assert main(argv) == 0
    once = (repo.root / "app.py").read_bytes()
    ast.parse(once)
    assert once.count(b"try:") == 1
    capsys.readouterr()
    assert main(argv) == 0
    assert "already applied" in capsys.readouterr().out
    assert (repo.root / "app.py").read_bytes() == once


def test_a_refused_fix_leaves_every_file_byte_identical(repo: GitRepo) -> None:
    repo.write("app.py", "def f():\n    return 1\n")
    repo.write("lib.py", "x = 1\n")
    repo.commit("app")
    breaking = "--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-def f():\n+def f(\n     return 1\n"
    save_review(repo, finding("I1", "app.py", breaking, line=1))
    before = {p.name: p.read_bytes() for p in repo.root.glob("*.py")}
    assert main(["apply", "I1", "--repo", str(repo.root)]) == 1
    assert {p.name: p.read_bytes() for p in repo.root.glob("*.py")} == before


@settings(max_examples=200, deadline=None)
@given(edited_texts(unique=True))
def test_apply_then_apply_again_is_apply(texts: tuple[list[str], list[str]]) -> None:
    original, edited = texts
    old = [line + "\n" for line in original]
    new = [line + "\n" for line in edited]
    patch = "".join(difflib.unified_diff(old, new, "a/f.txt", "b/f.txt"))
    if not patch:
        return
    once = plan_fix({"f.txt": text_of(original)}, patch).texts["f.txt"]
    assert once == text_of(edited)
    try:
        twice = plan_fix({"f.txt": once}, patch).texts.get("f.txt", once)
    except FixAlreadyApplied:
        twice = once
    except FixDoesNotApply:
        twice = once  # refused: nothing changes either
    assert twice == once


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(max_size=15), max_size=8),
    st.lists(st.sampled_from(["-", "+", " ", "@@", "--- a/f.py", "+++ b/f.py"]), max_size=8),
    st.lists(st.text(max_size=12), max_size=8),
)
def test_planning_never_changes_its_input(
    lines: list[str], markers: list[str], texts: list[str]
) -> None:
    files = {"f.py": "".join(line.replace("\n", "") + "\n" for line in lines)}
    snapshot = dict(files)
    patch = "".join(f"{m}{t}\n" for m, t in zip(markers, texts, strict=False))
    try:
        plan = plan_fix(files, patch, hint=at("f.py", 1))
    except FixDoesNotApply:
        plan = None
    assert files == snapshot
    if plan is not None and "f.py" in plan.texts and not _python_error(snapshot["f.py"]):
        assert not _python_error(plan.texts["f.py"])  # valid before, valid after


def _python_error(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError):
        return True
    return False


def test_the_demo_fix_that_broke_indentation_now_leaves_valid_python(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) in (0, 1)
    assert main(["apply", "I2", "--repo", str(out)]) == 0
    ast.parse((out / "hostagent" / "forwarder.py").read_text())
