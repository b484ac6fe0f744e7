"""How saved reviews and reports are named: ``YYYYMMDD-HHMMSS-<branch or pr-N>``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from deep_review.model import Review

SUFFIXES = {"md": ".md", "html": ".html", "json": ".json", "sarif": ".sarif"}

ReportRenderer = Callable[[Review], Mapping[str, str]]
"""Renders a review's reports by format (not JSON, which the store writes itself).

The report package supplies it (``report.files.renderer_for``): the store sits below the
report and never imports it.
"""


def review_json(review: Review) -> str:
    """The review as saved: the ``Review`` model as indented JSON."""
    return review.model_dump_json(indent=2) + "\n"


def review_stem(review: Review) -> str:
    """``YYYYMMDD-HHMMSS-<branch or pr-N>``: the report's title and file name."""
    return f"{review.header.date.strftime('%Y%m%d-%H%M%S')}-{subject_slug(review)}"


def subject_slug(review: Review) -> str:
    """``pr-N`` when the PR is known, else the branch as a file-name-safe slug."""
    if review.header.pr_number is not None:
        return f"pr-{review.header.pr_number}"
    return branch_slug(review.header.branch)


def branch_slug(branch: str | None) -> str:
    """A branch name as a file-name-safe slug (``feature/x`` → ``feature-x``)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", branch or "").strip("-.")
    return slug[:80] or "detached"
