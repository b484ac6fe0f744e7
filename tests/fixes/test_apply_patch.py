"""apply_patch and check_fix on the shapes reviewers write, tidy and sloppy."""

from __future__ import annotations

import pytest

from deep_review.fixes import FixDoesNotApply, apply_patch, check_fix, plan_fix
from deep_review.model import Location

SOURCE = """\
import os


def load(path):
    with open(path) as handle:
        return handle.read()


def save(path, data):
    with open(path, "w") as handle:
        handle.write(data)
"""


def at(path: str, start: int, end: int | None = None) -> Location:
    return Location(path=path, start_line=start, end_line=end or start)


def test_git_diff_with_a_b_headers_applies_at_its_position() -> None:
    patch = """\
diff --git a/store.py b/store.py
index 1111111..2222222 100644
--- a/store.py
+++ b/store.py
@@ -4,3 +4,3 @@ import os
 def load(path):
-    with open(path) as handle:
+    with open(path, encoding="utf-8") as handle:
         return handle.read()
"""
    plan = plan_fix({"store.py": SOURCE}, patch)

    assert plan.status == "applies"
    assert plan.texts == {
        "store.py": SOURCE.replace("open(path) as", 'open(path, encoding="utf-8") as')
    }


def test_bare_paths_and_several_hunks_in_several_files() -> None:
    other = "A = 1\nB = 2\n"
    patch = """\
--- store.py
+++ store.py
@@ -1,2 +1,3 @@
 import os
+import sys

@@ -10,2 +11,2 @@ def save(path, data):
     with open(path, "w") as handle:
-        handle.write(data)
+        handle.write(data.strip())
--- consts.py
+++ consts.py
@@ -1,2 +1,2 @@
-A = 1
+A = 10
 B = 2
"""
    result = apply_patch({"store.py": SOURCE, "consts.py": other}, patch)

    assert result["consts.py"] == "A = 10\nB = 2\n"
    assert result["store.py"].startswith("import os\nimport sys\n\n")
    assert result["store.py"].endswith("handle.write(data.strip())\n")


def test_new_and_deleted_files() -> None:
    patch = """\
diff --git a/NOTES.md b/NOTES.md
new file mode 100644
--- /dev/null
+++ b/NOTES.md
@@ -0,0 +1,2 @@
+# Notes
+Remember the milk.
diff --git a/old.txt b/old.txt
deleted file mode 100644
--- a/old.txt
+++ /dev/null
@@ -1,1 +0,0 @@
-bye
"""
    plan = plan_fix({"old.txt": "bye\n"}, patch)

    assert plan.texts == {"NOTES.md": "# Notes\nRemember the milk.\n"}
    assert plan.deleted == ["old.txt"]


def test_creating_a_file_that_exists_is_stale() -> None:
    patch = "--- /dev/null\n+++ b/x.txt\n@@ -0,0 +1 @@\n+hello\n"
    with pytest.raises(FixDoesNotApply) as failure:
        apply_patch({"x.txt": "already here\n"}, patch)
    assert failure.value.status == "stale"
    assert "already exists" in failure.value.reason


def test_moved_code_applies_with_offset_and_says_where() -> None:
    patch = """\
--- a/store.py
+++ b/store.py
@@ -10,2 +10,2 @@
     with open(path, "w") as handle:
-        handle.write(data)
+        handle.write(data or "")
"""
    moved = "# header\n# more header\n" + SOURCE
    plan = plan_fix({"store.py": moved}, patch)

    assert plan.status == "applies-with-offset"
    assert "line 12 instead of 10" in plan.reason
    assert plan.texts["store.py"].endswith('handle.write(data or "")\n')


def test_headerless_snippet_targets_the_finding_file_and_nearest_match() -> None:
    text = "def a():\n    return None\n\n\ndef b():\n    return None\n"
    snippet = "-    return None\n+    return 0\n"

    near_b = apply_patch({"m.py": text}, snippet, hint=at("m.py", 5, 6))
    near_a = apply_patch({"m.py": text}, snippet, hint=at("m.py", 1, 2))

    assert near_b["m.py"] == "def a():\n    return None\n\n\ndef b():\n    return 0\n"
    assert near_a["m.py"] == "def a():\n    return 0\n\n\ndef b():\n    return None\n"


def test_equally_near_matches_are_ambiguous() -> None:
    text = "x = 1\nvalue = compute()\ny = 2\nvalue = compute()\nz = 3\n"
    snippet = "-value = compute()\n+value = compute() or 0\n"

    status, reason = check_fix(snippet, {"m.py": text}.get, at("m.py", 3))

    assert status == "ambiguous"
    assert "2 places" in reason and "lines 2, 4" in reason


def test_without_any_reference_two_matches_are_ambiguous() -> None:
    text = "a\nb\na\n"
    with pytest.raises(FixDoesNotApply) as failure:
        apply_patch({"t.txt": text}, "-a\n+c\n")
    assert failure.value.status == "ambiguous"


def test_stale_names_the_first_line_that_does_not_match() -> None:
    patch = """\
 def save(path, data):
     with open(path, "w") as handle:
-        handle.write(data.encode())
+        handle.write(data.decode())
"""
    status, reason = check_fix(patch, {"store.py": SOURCE}.get, at("store.py", 9, 11))

    assert status == "stale"
    assert "'handle.write(data.encode())'" in reason
    assert "near line 9" in reason


def test_line_absent_everywhere_is_stale_with_that_line() -> None:
    status, reason = check_fix("-print('x')\n+print('y')\n", {"m.py": SOURCE}.get, at("m.py", 1))
    assert (status, reason) == (
        "stale",
        "The fix is stale: m.py has no line matching \"print('x')\".",
    )


def test_all_or_nothing_when_one_hunk_is_stale() -> None:
    files = {"store.py": SOURCE, "consts.py": "A = 1\n"}
    patch = """\
--- a/consts.py
+++ b/consts.py
@@ -1 +1 @@
-A = 1
+A = 2
--- a/store.py
+++ b/store.py
@@ -1 +1 @@
-import sys
+import os, sys
"""
    with pytest.raises(FixDoesNotApply) as failure:
        apply_patch(files, patch)
    assert failure.value.status == "stale"
    assert files == {"store.py": SOURCE, "consts.py": "A = 1\n"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "This should use a context manager instead.",
        "```python\nwith open(p) as f:\n    pass\n```",
        "@@ -x,1 +1 @@\n-a\n+b\n",
        "--- a/x.bin\n+++ b/x.bin\nBinary files a/x.bin and b/x.bin differ\n",
    ],
)
def test_unparseable_fixes_are_invalid(text: str) -> None:
    status, reason = check_fix(text, {"m.py": SOURCE}.get, at("m.py", 1))
    assert status == "invalid"
    assert reason.endswith(".")


def test_paths_outside_the_repository_are_invalid() -> None:
    patch = "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-root\n+toor\n"
    status, reason = check_fix(patch, lambda _: "root\n", at("m.py", 1))
    assert status == "invalid"
    assert "outside the repository" in reason


def test_fenced_diff_with_blank_lines_around_is_accepted() -> None:
    fix = "\n\n```diff\n\n-import os\n+import os\n+import sys\n\n```\n\n"
    result = apply_patch({"s.py": SOURCE}, fix, hint=at("s.py", 1))
    assert result["s.py"].startswith("import os\nimport sys\n\n\ndef load")


def test_prose_between_fenced_blocks_is_ignored_and_blocks_become_hunks() -> None:
    fix = """\
First, be explicit about the encoding:

```diff
-    with open(path) as handle:
+    with open(path, encoding="utf-8") as handle:
```

Then do the same when saving:

```diff
-    with open(path, "w") as handle:
+    with open(path, "w", encoding="utf-8") as handle:
```
"""
    result = apply_patch({"s.py": SOURCE}, fix, hint=at("s.py", 5))
    assert result["s.py"].count('encoding="utf-8"') == 2


def test_elision_lines_stand_for_unchanged_lines() -> None:
    fix = """\
 def load(path):
-    with open(path) as handle:
+    with open(path, "rb") as handle:
 ...
 def save(path, data):
-    with open(path, "w") as handle:
+    with open(path, "wb") as handle:
"""
    result = apply_patch({"s.py": SOURCE}, fix, hint=at("s.py", 4, 11))
    assert 'open(path, "rb")' in result["s.py"]
    assert 'open(path, "wb")' in result["s.py"]
    assert "return handle.read()" in result["s.py"]


def test_whitespace_insensitive_match_rebases_added_lines_to_tabs() -> None:
    go = "func run() {\n\tif err != nil {\n\t\treturn\n\t}\n}\n"
    snippet = """\
    if err != nil {
+        log(err)
        return
    }
"""
    result = apply_patch({"run.go": go}, snippet, hint=at("run.go", 2, 4))
    assert result["run.go"] == "func run() {\n\tif err != nil {\n\t\tlog(err)\n\t\treturn\n\t}\n}\n"


def test_consistent_indentation_shift_is_rebased() -> None:
    text = "class A:\n    def f(self):\n        x = 1\n        return x\n"
    snippet = "def f(self):\n    x = 1\n+    x += 1\n+    if x:\n+        x = 3\n    return x\n"
    result = apply_patch({"a.py": text}, snippet, hint=at("a.py", 2, 4))
    assert result["a.py"] == (
        "class A:\n    def f(self):\n        x = 1\n        x += 1\n"
        "        if x:\n            x = 3\n        return x\n"
    )


def test_trailing_whitespace_and_missing_final_newline_in_the_fix() -> None:
    text = "a = 1   \nb = 2\n"
    result = apply_patch(
        {"t.py": text}, "--- t.py\n+++ t.py\n@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3"
    )
    assert result == {"t.py": "a = 1   \nb = 3\n"}


def test_crlf_file_keeps_crlf_and_crlf_fix_applies() -> None:
    text = "one\r\ntwo\r\nthree\r\n"
    fix = "--- a/f.txt\r\n+++ b/f.txt\r\n@@ -1,3 +1,3 @@\r\n one\r\n-two\r\n+TWO\r\n three\r\n"
    assert apply_patch({"f.txt": text}, fix) == {"f.txt": "one\r\nTWO\r\nthree\r\n"}


def test_final_newline_state_is_preserved() -> None:
    text = "alpha\nbeta"
    replaced = apply_patch({"f": text}, "--- f\n+++ f\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma\n")
    appended = apply_patch({"f": text}, "--- f\n+++ f\n@@ -2,0 +3 @@\n+delta\n")
    removed = apply_patch({"f": text}, "--- f\n+++ f\n@@ -1,2 +1 @@\n alpha\n-beta\n")

    assert replaced == {"f": "alpha\ngamma"}
    assert appended == {"f": "alpha\nbeta\ndelta"}
    assert removed == {"f": "alpha"}


def test_no_newline_marker_from_git_is_honoured() -> None:
    text = "alpha\nbeta"
    patch = (
        "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n alpha\n-beta\n\\ No newline at end of file\n+beta\n"
    )
    assert apply_patch({"f": text}, patch) == {"f": "alpha\nbeta\n"}


def test_headerless_hunk_for_a_related_file_lands_there() -> None:
    files = {"main.go": "func a() {\n\tstart()\n}\n", "util.go": "func b() {\n\tstop()\n}\n"}
    fix = "```diff\n \tstart()\n+\tcheck()\n```\n```diff\n \tstop()\n+\tcleanup()\n```\n"
    plan = plan_fix(files, fix, hint=at("main.go", 2))
    assert plan.texts == {
        "main.go": "func a() {\n\tstart()\n\tcheck()\n}\n",
        "util.go": "func b() {\n\tstop()\n\tcleanup()\n}\n",
    }
    assert "util.go" in plan.reason


def test_names_no_file_and_no_hint_with_several_files_is_invalid() -> None:
    with pytest.raises(FixDoesNotApply) as failure:
        apply_patch({"a": "x\n", "b": "y\n"}, "-x\n+z\n")
    assert failure.value.status == "invalid"


def test_only_file_is_the_target_of_a_headerless_fix() -> None:
    assert apply_patch({"a": "x\ny\n"}, "-x\n+z\n") == {"a": "z\ny\n"}


def test_missing_file_is_stale() -> None:
    status, reason = check_fix(
        "--- a/gone.py\n+++ b/gone.py\n@@ -1 +1 @@\n-a\n+b\n", lambda _: None, at("gone.py", 1)
    )
    assert status == "stale"
    assert reason == "The fix changes gone.py, which does not exist."


def test_counts_guard_removed_lines_that_look_like_headers() -> None:
    text = "-- a\n++ b\nc\n"
    patch = "--- f\n+++ f\n@@ -1,3 +1,3 @@\n--- a\n+++ B\n ++ b\n c\n"
    assert apply_patch({"f": text}, patch) == {"f": "++ B\n++ b\nc\n"}


def test_applying_twice_is_refused_as_already_applied() -> None:
    fix = "--- a/s.py\n+++ b/s.py\n@@ -1,3 +1,4 @@\n import os\n+import sys\n \n \n"
    once = apply_patch({"s.py": SOURCE}, fix)
    with pytest.raises(FixDoesNotApply) as failure:
        apply_patch(once, fix)
    assert failure.value.status == "stale"
    assert (
        failure.value.reason == "The fix is already applied to s.py (its new lines are at line 1)."
    )


def test_counts_that_promise_too_many_lines_stop_at_the_next_file() -> None:
    patch = "--- a\n+++ a\n@@ -1,9 +1,9 @@\n-x\n+y\n--- b\n+++ b\n@@ -1 +1 @@\n-p\n+q\n"
    assert apply_patch({"a": "x\n", "b": "p\n"}, patch) == {"a": "y\n", "b": "q\n"}


def test_byte_order_mark_is_kept_when_the_first_line_changes() -> None:
    text = "\ufeffimport os\nimport re\n"
    fix = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n-import os\n+import sys\n import re\n"
    assert apply_patch({"m.py": text}, fix) == {"m.py": "\ufeffimport sys\nimport re\n"}


def test_moved_hunk_equally_far_from_its_line_numbers_both_ways_is_ambiguous() -> None:
    block = "if ready:\n    go()\n"
    text = "start\n" + block + "middle 1\nmiddle 2\nmiddle 3\nmiddle 4\n" + block + "end\n"
    fix = "--- a/f.py\n+++ b/f.py\n@@ -5,2 +5,2 @@\n if ready:\n-    go()\n+    go(now=True)\n"
    status, reason = check_fix(fix, {"f.py": text}.get, at("f.py", 1))
    assert status == "ambiguous"
    assert "lines 2, 8" in reason


def test_git_rename_with_an_edit_moves_the_text() -> None:
    patch = """\
diff --git a/util.py b/helpers.py
similarity index 80%
rename from util.py
rename to helpers.py
--- a/util.py
+++ b/helpers.py
@@ -1,2 +1,2 @@
 def helper():
-    return 1
+    return 2
"""
    plan = plan_fix({"util.py": "def helper():\n    return 1\n"}, patch)
    assert plan.texts == {"helpers.py": "def helper():\n    return 2\n"}
    assert plan.deleted == ["util.py"]


def test_pure_git_rename_without_hunks() -> None:
    patch = (
        "diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n"
    )
    plan = plan_fix({"a.txt": "same\n"}, patch)
    assert (plan.texts, plan.deleted) == ({"b.txt": "same\n"}, ["a.txt"])


def test_rename_onto_an_existing_file_is_stale() -> None:
    patch = "diff --git a/a.txt b/b.txt\nrename from a.txt\nrename to b.txt\n"
    status, reason = check_fix(patch, {"a.txt": "x\n", "b.txt": "y\n"}.get, at("a.txt", 1))
    assert (status, reason) == ("stale", "The fix renames a file to b.txt, which already exists.")


def test_check_fix_reads_the_old_name_of_a_rename() -> None:
    patch = "diff --git a/a.txt b/b.txt\nrename from a.txt\nrename to b.txt\n"
    assert check_fix(patch, {"a.txt": "x\n"}.get, at("other.py", 1)) == (
        "applies",
        "Applies cleanly.",
    )


def test_plain_diff_of_a_backup_file_patches_the_file_that_exists() -> None:
    patch = "--- config.py.orig\n+++ config.py.new\n@@ -1 +1 @@\n-A = 1\n+A = 2\n"
    assert apply_patch({"config.py.orig": "A = 1\n"}, patch) == {"config.py.orig": "A = 2\n"}


@pytest.mark.parametrize(
    "fix",
    [
        "```diff\n-import os\n+import sys\n",
        "-import os\n+import sys\n```\n",
        "~~~diff\n-import os\n+import sys\n~~~\n",
        "```patch\r\n-import os\r\n+import sys\r\n```\r\n",
    ],
    ids=["unclosed", "stray-closing", "tildes", "crlf-fence"],
)
def test_stray_and_odd_fences_are_tolerated(fix: str) -> None:
    result = apply_patch({"s.py": SOURCE}, fix, hint=at("s.py", 1))
    assert result["s.py"].startswith("import sys\n")
