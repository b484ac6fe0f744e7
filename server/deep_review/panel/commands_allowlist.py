"""Which commands a reviewer may run: only those a repository explicitly allows."""

from __future__ import annotations

import posixpath
import re
import shlex

from deep_review.errors import DeepReviewError


class CommandRefused(DeepReviewError):
    """A command that is not on the repository's allowlist (the reason is fit for a model)."""


def parse_command(command: str) -> list[str]:
    """``command`` split like a POSIX shell would (no expansion); refuses empty or unbalanced."""
    try:
        argv = shlex.split(command)
    except ValueError as error:
        raise CommandRefused(f"cannot parse the command: {error}") from None
    if not argv:
        raise CommandRefused("empty command")
    return argv


# What a ``{path}`` slot accepts: a plain relative path (no option, no assignment, no escape).
_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./+@%,-]*$")
PATH_SLOT = "{path}"
PATHS_SLOT = "{paths}"


def _is_repository_path(argument: str) -> bool:
    """A relative path that stays inside the repository and cannot be read as anything else.

    Not an option (``-o``), not a variable assignment (``X!=touch /tmp/p`` runs a shell in
    make), not absolute, no ``..`` component.
    """
    if not _PATH.match(argument) or "=" in argument:
        return False
    normal = posixpath.normpath(argument)
    return not (normal == ".." or normal.startswith("../") or posixpath.isabs(normal))


def _matches(entry: list[str], argv: list[str]) -> bool:
    """Whether ``argv`` is ``entry`` exactly, its slots filled with repository paths."""
    if entry and entry[-1] == PATHS_SLOT:
        fixed, rest = entry[:-1], argv[len(entry) - 1 :]
        if len(argv) < len(entry) or not all(_is_repository_path(arg) for arg in rest):
            return False
        return _matches(fixed, argv[: len(fixed)])
    if len(entry) != len(argv):
        return False
    for want, got in zip(entry, argv, strict=True):
        if want == PATH_SLOT:
            if not _is_repository_path(got):
                return False
        elif want != got:
            return False
    return True


def check_allowed(command: str, allow: list[str]) -> list[str]:
    """The argv to run when ``command`` is allowed; ``CommandRefused`` otherwise.

    An allowed command is an exact argv: ``pytest -x`` allows ``pytest -x`` only. Arguments a
    reviewer may choose are explicit slots: ``{path}`` (one repository path) and, last,
    ``{paths}`` (one or more): ``pytest -x {paths}`` allows ``pytest -x tests/test_app.py``.
    A prefix is never enough: ``make test`` does not allow ``make test 'X!=touch /tmp/p'``.
    """
    if not allow:
        raise CommandRefused("running commands is not enabled for this repository")
    argv = parse_command(command)
    for entry in allow:
        if _matches(parse_command(entry), argv):
            return argv
    listed = "; ".join(allow)
    raise CommandRefused(
        f"command not on the allowlist (exact commands; {PATH_SLOT}/{PATHS_SLOT} mark where"
        f" repository paths may go); allowed: {listed}"
    )
