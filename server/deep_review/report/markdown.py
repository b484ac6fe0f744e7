"""Document → Markdown (the reference report format)."""

from __future__ import annotations

from deep_review.model import Review
from deep_review.report.build import build_document
from deep_review.report.document import Document, block_markdown


def document_markdown(doc: Document) -> str:
    """The document as Markdown: title, then each block separated by a blank line."""
    parts = [f"# {doc.title}", *(block_markdown(block) for block in doc.blocks)]
    return "\n\n".join(parts) + "\n"


def render_markdown(review: Review) -> str:
    """The review as the reference Markdown report."""
    return document_markdown(build_document(review))
