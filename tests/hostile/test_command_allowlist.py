"""An allowed command is an exact argv; reviewer-chosen arguments only in explicit path slots."""

from __future__ import annotations

import pytest

from deep_review.panel.commands_allowlist import CommandRefused, check_allowed


@pytest.mark.parametrize(
    "command",
    [
        "make test 'X!=touch /tmp/PWNED'",  # a make variable that runs a shell
        "make test X=1",
        "make test -j2",
        "make test tests/../../etc",
        "make test /etc/passwd",
        "make testing",
        "make",
    ],
)
def test_a_prefix_of_an_allowed_command_is_not_allowed(command: str) -> None:
    with pytest.raises(CommandRefused):
        check_allowed(command, ["make test"])


def test_the_exact_command_is_allowed() -> None:
    assert check_allowed("make  test", ["make test"]) == ["make", "test"]


def test_path_slots_take_repository_paths_only() -> None:
    allow = ["pytest -x {paths}", "ruff check {path}"]
    assert check_allowed("pytest -x tests/a.py tests/b.py", allow)[2:] == [
        "tests/a.py",
        "tests/b.py",
    ]
    assert check_allowed("ruff check app/x.py", allow) == ["ruff", "check", "app/x.py"]
    for refused in (
        "pytest -x",  # {paths} needs one or more
        "pytest -x --basetemp=src",
        "pytest -x tests/a.py -p evil",
        "ruff check a.py b.py",
        "ruff check ../outside.py",
        "ruff check ~/.ssh/id_rsa",
        "ruff check X=1",
    ):
        with pytest.raises(CommandRefused):
            check_allowed(refused, allow)
