"""Document → one self-contained HTML file: the same Markdown blocks, converted by markdown-it.

Raw HTML is disabled in the converter, so reviewer text can never become markup; code goes
through pygments with an inline stylesheet (light and dark), so the file needs no network.
"""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache

from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from deep_review.model import Review
from deep_review.report import escape
from deep_review.report.build import build_document
from deep_review.report.document import (
    Code,
    Document,
    FindingHead,
    Heading,
    Markdown,
    Rule,
    Table,
    table_markdown,
)
from deep_review.report.style import page_css
from deep_review.untrusted import printable
from deep_review.wording import plural


def highlight_code(code: str, language: str, _attrs: object = None) -> str:
    """Code as a ``<pre>`` with pygments token spans (class-based, styled inline in the page)."""
    return _highlighted(code, language)


@lru_cache(maxsize=512)  # original reviews repeat the reconciled findings' excerpts and fixes
def _highlighted(code: str, language: str) -> str:
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    body = highlight(printable(code).rstrip("\n") + "\n", lexer, HtmlFormatter(nowrap=True))
    lang = html.escape(language or "text", quote=True)
    return f'<pre class="hl"><code class="language-{lang}">{body}</code></pre>\n'


@cache
def _converter() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "highlight": highlight_code}).enable("table")


def _heading(block: Heading) -> str:
    inner = _converter().renderInline(block.text)
    anchor = html.escape(block.anchor, quote=True)
    return (
        f'<h{block.level} id="{anchor}">{inner} '
        f'<a class="anchor" href="#{anchor}" aria-label="Link to this section">¶</a>'
        f"</h{block.level}>\n"
    )


def _finding_head(block: FindingHead) -> str:
    anchor = html.escape(block.anchor, quote=True)
    return (
        f'<p class="finding-head" id="{anchor}">'
        f'<span class="badge sev-{block.severity}">{block.severity}</span> '
        f'<span class="badge cat">{block.category}</span> '
        f"{_converter().renderInline(block.text)} "
        f'<a class="anchor" href="#{anchor}" aria-label="Link to this finding">¶</a></p>\n'
    )


def _block_html(block: object) -> str:
    if isinstance(block, Heading):
        return _heading(block)
    if isinstance(block, FindingHead):
        return _finding_head(block)
    if isinstance(block, Markdown):
        return str(_converter().render(block.text))
    if isinstance(block, Code):
        return highlight_code(block.code, block.language)
    if isinstance(block, Table):
        table = str(_converter().render(table_markdown(block)))
        if not any(block.header):  # a key/value table: an empty header row is noise
            table = re.sub(r"<thead>.*?</thead>\s*", "", table, flags=re.DOTALL)
        return f'<div class="table-wrap">{table}</div>\n'
    if isinstance(block, Rule):
        return "<hr>\n"
    raise TypeError(f"unknown block {block!r}")


def _toc(doc: Document) -> str:
    """Nested list of the level-2 and level-3 headings."""
    lines = ['<nav class="toc" aria-label="Contents"><h2 class="toc-title">Contents</h2><ul>']
    open_sub = False
    for block in doc.blocks:
        if not isinstance(block, Heading) or block.level > 3:
            continue
        link = (
            f'<a href="#{html.escape(block.anchor, quote=True)}">'
            f"{_converter().renderInline(block.text)}</a>"
        )
        if block.level == 3:
            if not open_sub:
                lines.append("<ul>")
                open_sub = True
            lines.append(f"<li>{link}</li>")
            continue
        if open_sub:
            lines.append("</ul>")
            open_sub = False
        lines.append(f"<li>{link}</li>")
    if open_sub:
        lines.append("</ul>")
    lines.append("</ul></nav>")
    return "\n".join(lines)


def verdict_banner(review: Review) -> str:
    """The verdict and the tally, first on the page (above the contents): what a reader wants."""
    header = review.header
    counts = review.counts()
    tally = (
        f"{counts['critical']} critical, {counts['important']} important, "
        f"{plural(counts['suggestion'], 'suggestion')}"
    )
    reason = ""
    if header.verdict_reason:
        reason = f" — {_converter().renderInline(escape.inline(header.verdict_reason))}"
    kind = re.sub(r"[^a-z]+", "-", header.verdict.lower()).strip("-")
    return (
        f'<p class="verdict verdict-{kind}" id="verdict">'
        f"<strong>Verdict: {html.escape(header.verdict)}</strong>{reason}"
        f'<br><span class="tally">{tally}</span></p>\n'
    )


def document_html(doc: Document, *, lead: str = "") -> str:
    """The document as a complete, self-contained HTML page (``lead``: HTML before contents)."""
    title = _converter().renderInline(doc.title)
    plain_title = html.escape(doc.title.replace("\\", ""))
    body = "".join(_block_html(block) for block in doc.blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        # No script, no external fetches: the page is inert and works offline from file://.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{plain_title}</title>\n<style>\n{page_css()}\n</style>\n</head>\n<body>\n"
        f'<main class="report">\n<h1 id="top">{title}</h1>\n{lead}{_toc(doc)}\n{body}</main>\n'
        "</body>\n</html>\n"
    )


def render_html(review: Review) -> str:
    """The review as one self-contained HTML page."""
    return document_html(build_document(review), lead=verdict_banner(review))
