"""Property: any edit, diffed with difflib, is reproduced by our patcher — moved or unnumbered."""

from __future__ import annotations

import difflib
import re
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.fixes import apply_patch, check_fix, patch_edits, plan_fix
from deep_review.model import Location

# Line content: letters, digits, punctuation, spaces, tabs, a few non-ASCII characters.
# No line terminators: a "line" is what sits between them.
_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=("Cs", "Cc", "Zl", "Zp"),
    include_characters="\t",
)
_LINE = st.text(_CHARS, max_size=12)


@st.composite
def edited_texts(draw: st.DrawFn, *, unique: bool) -> tuple[list[str], list[str]]:
    """An original list of lines and an edited version (replacements, inserts, deletions)."""
    count = draw(st.integers(min_value=1, max_value=30))
    raw = draw(st.lists(_LINE, min_size=count, max_size=count))
    # Unique lines (an id per line) when the patch must be located by content alone.
    original = [f"L{i}:{text}" for i, text in enumerate(raw)] if unique else raw
    edited = list(original)
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        index = draw(st.integers(min_value=0, max_value=len(edited)))
        new_line = f"N{draw(st.integers(0, 10**6))}:{draw(_LINE)}" if unique else draw(_LINE)
        if action == "insert":
            edited.insert(index, new_line)
        elif edited and index < len(edited):
            if action == "replace":
                edited[index] = new_line
            else:
                del edited[index]
    return original, edited


def unified(original: list[str], edited: list[str], path: str = "f.txt") -> str:
    old = [line + "\n" for line in original]
    new = [line + "\n" for line in edited]
    return "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))


def text_of(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


@settings(max_examples=300, deadline=None)
@given(edited_texts(unique=False))
def test_difflib_diff_reproduces_the_edit(texts: tuple[list[str], list[str]]) -> None:
    original, edited = texts
    patch = unified(original, edited)
    if not patch:
        return
    plan = plan_fix({"f.txt": text_of(original)}, patch)
    assert plan.texts == {"f.txt": text_of(edited)}
    assert plan.status == "applies"


@settings(max_examples=200, deadline=None)
@given(
    edited_texts(unique=True),
    st.lists(st.text(_CHARS, max_size=10), min_size=1, max_size=8),
)
def test_diff_still_applies_after_unrelated_lines_were_inserted_above(
    texts: tuple[list[str], list[str]], unrelated: list[str]
) -> None:
    original, edited = texts
    patch = unified(original, edited)
    if not patch:
        return
    above = [f"unrelated {i}: {text}" for i, text in enumerate(unrelated)]
    plan = plan_fix({"f.txt": text_of(above + original)}, patch)
    assert plan.texts == {"f.txt": text_of(above + edited)}
    assert plan.status == "applies-with-offset"


@settings(max_examples=200, deadline=None)
@given(edited_texts(unique=True))
def test_diff_without_line_numbers_applies_by_content(
    texts: tuple[list[str], list[str]],
) -> None:
    original, edited = texts
    patch = unified(original, edited)
    if not patch:
        return
    unnumbered = re.sub(r"^@@ .* @@$", "@@", patch, flags=re.MULTILINE)
    assert apply_patch({"f.txt": text_of(original)}, unnumbered) == {"f.txt": text_of(edited)}


@settings(max_examples=150, deadline=None)
@given(edited_texts(unique=False), st.sampled_from(["utf-16", "utf-8", "utf-32"]))
def test_edits_applied_in_their_encoding_reproduce_the_edit(
    texts: tuple[list[str], list[str]], encoding: str
) -> None:
    original, edited = texts
    patch = unified(original, edited)
    if not patch:
        return
    edits = patch_edits({"f.txt": text_of(original)}, patch, encoding=encoding)  # type: ignore[arg-type]
    result = to_units(text_of(original), encoding)
    starts = [0] + [index + 1 for index, unit in enumerate(result) if unit == ord("\n")]
    for edit in sorted(edits["f.txt"], key=lambda e: (e.start_line, e.start_char), reverse=True):
        begin = starts[edit.start_line] + edit.start_char
        end = starts[edit.end_line] + edit.end_char
        result[begin:end] = to_units(edit.new_text, encoding)
    assert from_units(result, encoding) == text_of(edited)


_CODECS = {"utf-16": ("utf-16-le", "H"), "utf-8": ("utf-8", "B"), "utf-32": ("utf-32-le", "I")}


def to_units(text: str, encoding: str) -> list[int]:
    """The text as code units of the position encoding, like an editor's buffer."""
    codec, typecode = _CODECS[encoding]
    return list(array(typecode, text.encode(codec)))


def from_units(units: list[int], encoding: str) -> str:
    codec, typecode = _CODECS[encoding]
    return array(typecode, units).tobytes().decode(codec)


@settings(max_examples=150, deadline=None)
@given(edited_texts(unique=False))
def test_lf_diff_applied_to_the_crlf_file_keeps_crlf(texts: tuple[list[str], list[str]]) -> None:
    original, edited = texts
    patch = unified(original, edited)
    if not patch:
        return
    crlf = text_of(original).replace("\n", "\r\n")
    result = apply_patch({"f.txt": crlf}, patch)
    assert result == {"f.txt": text_of(edited).replace("\n", "\r\n")}


_DIFFISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "@@",
                "@@ -1,2 +1,2 @@",
                "--- a/f.txt",
                "+++ b/f.txt",
                "```diff",
                "```",
                "...",
                "\\ No newline at end of file",
                "diff --git a/f.txt b/f.txt",
                "",
                "--- /dev/null",
            ]
        ),
        st.builds(lambda kind, text: kind + text, st.sampled_from([" ", "-", "+", ""]), _LINE),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(_DIFFISH, st.lists(_LINE, max_size=10))
def test_any_fix_text_gets_a_status_and_a_reason_never_a_crash(
    fix_lines: list[str], file_lines: list[str]
) -> None:
    hint = Location(path="f.txt", start_line=1, end_line=1)
    status, reason = check_fix("\n".join(fix_lines), {"f.txt": text_of(file_lines)}.get, hint)
    assert status in ("applies", "applies-with-offset", "stale", "ambiguous", "invalid")
    assert reason.endswith(".")
