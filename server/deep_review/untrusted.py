"""Text that came from the branch or a model, made safe to print or embed.

Finding titles, file names, commit messages, fix diffs and endpoint errors are untrusted:
an escape sequence in one could repaint the terminal (a forged "All clear"), set the window
title or write the clipboard. Control characters are shown, not obeyed.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f, e.g. CSI 0x9b).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character shown as ``\\xNN`` (newlines kept if asked)."""
    shown = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return shown if keep_newlines else shown.replace("\n", "\\n")
