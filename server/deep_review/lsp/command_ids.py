"""The IDs of the commands the server executes: one name each, for handlers and code actions."""

from __future__ import annotations

from enum import StrEnum


class CommandId(StrEnum):
    """Every command the language server executes (also what editors bind to)."""

    RUN = "deepReview.run"
    CANCEL = "deepReview.cancel"
    GENERATE_REPORT = "deepReview.generateReport"
    APPLY_FIX = "deepReview.applyFix"
    DISMISS = "deepReview.dismiss"
    SHOW_FINDING = "deepReview.showFinding"
    OPEN_IN_REPORT = "deepReview.openInReport"
