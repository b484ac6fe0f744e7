"""Writing a review's reports to disk, one file per format."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from deep_review.errors import DeepReviewError
from deep_review.model import Review
from deep_review.report.html import render_html
from deep_review.report.markdown import render_markdown
from deep_review.report.sarif import render_sarif
from deep_review.store.atomic import atomic_write_text
from deep_review.store.names import SUFFIXES, ReportRenderer, review_json, review_stem

FORMATS = ("md", "html", "json", "sarif")
DEFAULT_FORMATS = ("md", "html")


def render_json(review: Review) -> str:
    """The review as JSON (the ``Review`` model), exactly as the store saves it."""
    return review_json(review)


def _render_sarif_text(review: Review) -> str:
    return json.dumps(render_sarif(review), indent=2, ensure_ascii=False) + "\n"


_RENDERERS: dict[str, Callable[[Review], str]] = {
    "md": render_markdown,
    "html": render_html,
    "json": render_json,
    "sarif": _render_sarif_text,
}


def render(review: Review, fmt: str) -> str:
    """The review in one format (md, html, json, sarif)."""
    if fmt not in _RENDERERS:
        raise DeepReviewError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    return _RENDERERS[fmt](review)


def renderer_for(formats: Iterable[str]) -> ReportRenderer:
    """What the store calls to render these formats of the review it saves (checked now)."""
    wanted = [fmt for fmt in dict.fromkeys(formats) if fmt != "json"]
    for fmt in wanted:
        if fmt not in _RENDERERS:
            raise DeepReviewError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    return lambda review: {fmt: render(review, fmt) for fmt in wanted}


def formats_for_out(
    out: Path, requested: Sequence[str] | None, default: Sequence[str]
) -> list[str]:
    """The formats to write at ``--out``: a file suffix decides, or must agree with ``--format``.

    ``--out r.md`` writes Markdown to ``r.md`` (not ``r.json`` beside it); ``--out r.md
    --format json`` is an error saying so; a folder or a stem without a known suffix takes the
    requested formats (or ``default``).
    """
    by_suffix = {suffix: fmt for fmt, suffix in SUFFIXES.items()}
    named = by_suffix.get(out.suffix.lower()) if not out.is_dir() else None
    wanted = list(dict.fromkeys(requested or ()))
    if named is None:
        return wanted or list(default)
    if not wanted or wanted == [named]:
        return [named]
    asked = ", ".join(wanted)
    raise DeepReviewError(
        f"--out {out} names a {out.suffix} file but --format asks for {asked}: give a matching"
        f" --format, or --out {out.with_suffix('')} (no suffix) to write each format beside it"
    )


def write_reports(
    review: Review, folder_or_stem: Path, formats: Iterable[str] = DEFAULT_FORMATS
) -> dict[str, Path]:
    """Write each format next to ``stem`` (or into a folder, named after the review)."""
    if folder_or_stem.is_dir() or str(folder_or_stem).endswith(("/", "\\")):
        stem = folder_or_stem / review_stem(review)
    else:
        stem = folder_or_stem
        if stem.suffix in SUFFIXES.values():
            stem = stem.with_suffix("")
    return write_at_stem(review, stem, formats)


def write_at_stem(review: Review, stem: Path, formats: Iterable[str]) -> dict[str, Path]:
    """Write ``<stem>.<suffix>`` for each format, exactly there (no folder or suffix guessing)."""
    wanted = list(dict.fromkeys(formats))
    texts = {fmt: render(review, fmt) for fmt in wanted}  # render all before writing any
    return {
        fmt: atomic_write_text(stem.parent / f"{stem.name}{SUFFIXES[fmt]}", text)
        for fmt, text in texts.items()
    }
