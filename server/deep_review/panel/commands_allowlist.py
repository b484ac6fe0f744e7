"""Which commands a reviewer may run: only those a repository explicitly allows."""

from __future__ import annotations

import os
import posixpath
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


def _escapes(argument: str) -> bool:
    """Whether an extra argument points outside the repository (absolute, ``~`` or ``..``)."""
    value = argument.split("=", 1)[1] if argument.startswith("-") and "=" in argument else argument
    if value.startswith(("/", "~")) or os.path.isabs(value):
        return True
    normal = posixpath.normpath(value.replace("\\", "/")) if value else ""
    return normal == ".." or normal.startswith("../")


def check_allowed(command: str, allow: list[str]) -> list[str]:
    """The argv to run when ``command`` is allowed; ``CommandRefused`` otherwise.

    Allowed: an exact match of an allowlist entry, or an entry followed by extra arguments that
    stay inside the repository (``pytest -x`` allows ``pytest -x tests/test_app.py``). Extra
    options are refused: ``git log --output=app.py`` or ``pytest --basetemp=src`` write files.
    """
    if not allow:
        raise CommandRefused("running commands is not enabled for this repository")
    argv = parse_command(command)
    for entry in allow:
        allowed = parse_command(entry)
        if argv[: len(allowed)] != allowed:
            continue
        extra = argv[len(allowed) :]
        options = [arg for arg in extra if arg.startswith("-") and arg != "-"]
        if options:
            raise CommandRefused(
                f"extra options are refused ({' '.join(options)}): options can write files;"
                f" only repository paths may follow an allowed command ({entry})"
            )
        if any(_escapes(arg) for arg in extra):
            raise CommandRefused(
                "extra arguments must stay inside the repository (no absolute paths or '..')"
            )
        return argv
    listed = "; ".join(allow)
    raise CommandRefused(f"command not on the allowlist; allowed: {listed}")
