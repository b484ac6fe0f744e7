"""Hunk parsing and remote URL naming, on literal inputs."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deep_review.change.hunks import parse_hunks
from deep_review.change.repo import repo_slug, strip_credentials

PATCH = (
    "diff --git a/f.py b/f.py\n"
    "index 1111111..2222222 100644\n"
    "--- a/f.py\n"
    "+++ b/f.py\n"
    "@@ -1,3 +1,4 @@ def top():\n"
    " keep\n"
    "-@@ -9,9 +9,9 @@ looks like a header\n"
    "+replaced\n"
    "+diff --git a/x b/x\n"
    " tail\n"
    "@@ -20 +21,2 @@\n"
    " only\n"
    "+added\fwith form feed\n"
    "\\ No newline at end of file\n"
)


def test_hunks_follow_header_counts_not_line_prefixes() -> None:
    hunks = parse_hunks(PATCH)

    assert [(h.old_start, h.old_lines, h.new_start, h.new_lines) for h in hunks] == [
        (1, 3, 1, 4),
        (20, 1, 21, 2),
    ]
    assert hunks[0].section == "def top():"
    assert hunks[0].added_lines == [2, 3]
    assert hunks[1].added_lines == [22]
    assert hunks[1].text.endswith("\\ No newline at end of file\n")
    assert hunks[0].text.count("\n") == 6


def test_patch_without_hunks() -> None:
    assert parse_hunks("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n") == []


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("git@github.com:acme/rocket.git", "acme/rocket"),
        ("https://github.com/acme/rocket", "acme/rocket"),
        ("https://github.com/acme/rocket.git/", "acme/rocket"),
        ("ssh://git@github.com/acme/rocket.git", "acme/rocket"),
        ("ssh://git@github.com:22/acme/rocket.git", "acme/rocket"),
        ("git@gitlab.com:group/sub/proj.git", "group/sub/proj"),
        ("https://gitlab.example.com/team/app.git", "team/app"),
        ("https://bitbucket.org/acme/rocket.git", None),
        ("/srv/git/rocket.git", None),
        ("https://github.com/acme", None),
    ],
)
def test_repo_slug(url: str, slug: str | None) -> None:
    assert repo_slug(url) == slug


def test_strip_credentials() -> None:
    assert strip_credentials("https://x:tok@github.com/a/b.git") == "https://github.com/a/b.git"
    assert strip_credentials("https://tok@github.com/a/b.git") == "https://github.com/a/b.git"
    assert strip_credentials("ssh://git@github.com/a/b.git") == "ssh://git@github.com/a/b.git"
    assert strip_credentials("git@github.com:a/b.git") == "git@github.com:a/b.git"


line_text = st.text(alphabet=st.sampled_from("ab@+- \\\f\r"), max_size=4)


@settings(max_examples=150, deadline=None)
@given(old=st.lists(line_text, max_size=25), new=st.lists(line_text, max_size=25))
def test_added_lines_point_at_the_added_text_in_the_new_file(
    old: list[str], new: list[str]
) -> None:
    patch = "".join(
        difflib.unified_diff(
            [f"{line}\n" for line in old], [f"{line}\n" for line in new], "a/f", "b/f", n=2
        )
    )

    hunks = parse_hunks(patch)

    added = [line for hunk in hunks for line in hunk.text.split("\n")[1:] if line[:1] == "+"]
    numbers = [number for hunk in hunks for number in hunk.added_lines]
    assert [new[number - 1] for number in numbers] == [line[1:] for line in added]
    assert "".join(hunk.text for hunk in hunks) == patch[patch.find("@@") :] if hunks else True
