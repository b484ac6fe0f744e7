"""patch_edits: minimal LSP-style edits, positions in UTF-16 / UTF-8 / UTF-32 code units."""

from __future__ import annotations

import pytest

from deep_review.fixes import TextEdit, patch_edits
from deep_review.model import Location


def hint(path: str, line: int) -> Location:
    return Location(path=path, start_line=line, end_line=line)


def test_changed_word_after_emoji_is_positioned_per_encoding() -> None:
    text = 'greeting = "👋 hi"; name = old\nother = 1\n'
    fix = '-greeting = "👋 hi"; name = old\n+greeting = "👋 hi"; name = new\n'
    column = len('greeting = "👋 hi"; name = ')  # 26 code points

    utf16 = patch_edits({"g.py": text}, fix, hint=hint("g.py", 1))
    utf8 = patch_edits({"g.py": text}, fix, hint=hint("g.py", 1), encoding="utf-8")
    utf32 = patch_edits({"g.py": text}, fix, hint=hint("g.py", 1), encoding="utf-32")

    # The emoji is one code point, two UTF-16 code units and four UTF-8 bytes.
    assert utf32 == {"g.py": [TextEdit(0, column, 0, column + 3, "new")]}
    assert utf16 == {"g.py": [TextEdit(0, column + 1, 0, column + 4, "new")]}
    assert utf8 == {"g.py": [TextEdit(0, column + 3, 0, column + 6, "new")]}


def test_cjk_text_counts_one_utf16_unit_and_three_utf8_bytes_per_character() -> None:
    text = "title = '日本語のタイトル'\n"
    fix = "-title = '日本語のタイトル'\n+title = '日本語のタイトル!'\n"
    column = len("title = '日本語のタイトル")

    utf16 = patch_edits({"t.py": text}, fix, hint=hint("t.py", 1))
    utf8 = patch_edits({"t.py": text}, fix, hint=hint("t.py", 1), encoding="utf-8")

    assert utf16 == {"t.py": [TextEdit(0, column, 0, column, "!")]}
    assert utf8 == {"t.py": [TextEdit(0, column + 2 * 8, 0, column + 2 * 8, "!")]}


def test_combining_characters_are_separate_code_points() -> None:
    # "café" with a combining acute accent: e + U+0301.
    text = "word = 'cafe\u0301' + suffix\n"
    fix = "-word = 'cafe\u0301' + suffix\n+word = 'cafe\u0301' + other\n"
    column = len("word = 'cafe\u0301' + ")

    utf16 = patch_edits({"w.py": text}, fix, hint=hint("w.py", 1))
    utf8 = patch_edits({"w.py": text}, fix, hint=hint("w.py", 1), encoding="utf-8")

    assert utf16 == {"w.py": [TextEdit(0, column, 0, column + 6, "other")]}
    # U+0301 is one UTF-16 unit but two UTF-8 bytes.
    assert utf8 == {"w.py": [TextEdit(0, column + 1, 0, column + 7, "other")]}


def test_edits_are_minimal_one_per_change_not_the_whole_file() -> None:
    text = "".join(f"line {i}\n" for i in range(100))
    fix = """\
--- a/f.txt
+++ b/f.txt
@@ -10,3 +10,3 @@
 line 9
-line 10
+line ten
 line 11
@@ -80,3 +80,4 @@
 line 79
 line 80
+line 80.5
 line 81
"""
    edits = patch_edits({"f.txt": text}, fix)["f.txt"]
    assert edits == [TextEdit(10, 5, 10, 7, "ten"), TextEdit(81, 0, 81, 0, "line 80.5\n")]


def test_crlf_file_edits_use_crlf_and_never_split_it() -> None:
    text = "a\r\nb\r\nc\r\n"
    fix = "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n+b2\n c\n"
    edits = patch_edits({"f": text}, fix)["f"]
    assert edits == [TextEdit(1, 0, 1, 1, "B\r\nb2")]


def test_deleting_the_last_line_of_a_crlf_file_keeps_line_ends_intact() -> None:
    text = "keep\r\ndrop\r\n"
    edits = patch_edits({"f": text}, "--- f\n+++ f\n@@ -1,2 +1 @@\n keep\n-drop\n")["f"]
    assert edits == [TextEdit(1, 0, 2, 0, "")]


def test_tab_indented_go_file_gets_tabs_in_its_edit() -> None:
    text = "func f() {\n\tif x {\n\t\treturn\n\t}\n}\n"
    fix = "     if x {\n+        cleanup()\n         return\n"
    edits = patch_edits({"f.go": text}, fix, hint=hint("f.go", 2))["f.go"]
    assert edits == [TextEdit(2, 0, 2, 0, "\t\tcleanup()\n")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_edit_at_the_end_of_an_unterminated_last_line(encoding: str) -> None:
    text = "first\nlast 🙂"
    fix = "--- f\n+++ f\n@@ -1,2 +1,3 @@\n first\n last 🙂\n+after\n"
    width = {"utf-16": 7, "utf-8": 9, "utf-32": 6}[encoding]
    edits = patch_edits({"f": text}, fix, encoding=encoding)  # type: ignore[arg-type]
    assert edits == {"f": [TextEdit(1, width, 1, width, "\nafter")]}


def test_new_file_is_one_insertion_and_deleted_file_one_removal() -> None:
    fix = """\
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+hello
+world
--- a/old.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-bye
-now
"""
    edits = patch_edits({"old.txt": "bye\nnow\n"}, fix)
    assert edits == {
        "new.txt": [TextEdit(0, 0, 0, 0, "hello\nworld\n")],
        "old.txt": [TextEdit(0, 0, 2, 0, "")],
    }
