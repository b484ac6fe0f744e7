"""A rough prompt-size estimate, shown before anything is sent."""

from __future__ import annotations

from deep_review.change.model import Change

CHARS_PER_TOKEN = 4
# Per-commit and per-file framing the prompt adds around subjects and paths.
_COMMIT_OVERHEAD = 60
_FILE_OVERHEAD = 40


def estimate_prompt_tokens(change: Change) -> int:
    """Rough prompt size (chars / 4) of what is sent: commit messages, file list, the diff."""
    chars = sum(len(c.subject) + len(c.body) + _COMMIT_OVERHEAD for c in change.commits)
    chars += sum(len(f.path) + _FILE_OVERHEAD for f in change.files)
    chars += sum(len(f.patch) for f in change.reviewed_files)
    return (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
