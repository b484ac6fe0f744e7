"""Errors a user can act on: one clear sentence, never a traceback."""

from __future__ import annotations


class DeepReviewError(Exception):
    """A problem with the input or environment, stated for the user (CLI exit code 2)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAGitRepository(DeepReviewError):
    pass


class BaseNotFound(DeepReviewError):
    pass


class ConfigError(DeepReviewError):
    pass


class NoReviewFound(DeepReviewError):
    pass
