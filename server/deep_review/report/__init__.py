"""The review report: Markdown and HTML in the reference format, plus SARIF and JSON."""

from deep_review.report.build import build_document, finding_anchor
from deep_review.report.files import FORMATS, render_json, write_reports
from deep_review.report.html import render_html
from deep_review.report.markdown import render_markdown
from deep_review.report.sarif import render_sarif
from deep_review.store.names import review_stem

__all__ = [
    "FORMATS",
    "build_document",
    "finding_anchor",
    "render_html",
    "render_json",
    "render_markdown",
    "render_sarif",
    "review_stem",
    "write_reports",
]
