"""The report as a small document tree: built once from a Review, rendered to Markdown and HTML.

Every block holds Markdown that is already safe (untrusted text went through ``escape``), so
the Markdown renderer prints it and the HTML renderer converts the very same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deep_review.report import escape


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Code:
    code: str
    language: str = ""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class FindingHead:
    """The first line of a finding; the HTML gives it an id and a severity badge."""

    text: str
    anchor: str
    severity: str
    category: str


Block = Heading | Markdown | Code | Table | Rule | FindingHead


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    _anchors: set[str] = field(default_factory=set)

    def heading(self, level: int, text: str, anchor: str | None = None) -> None:
        """Add a heading with a unique anchor (derived from the text when not given)."""
        self.blocks.append(Heading(level, text, self.unique_anchor(slugify(anchor or text))))

    def unique_anchor(self, wanted: str) -> str:
        """Reserve an anchor id, suffixing -2, -3... when it is taken."""
        anchor, number = wanted or "section", 1
        while anchor in self._anchors:
            number += 1
            anchor = f"{wanted}-{number}"
        self._anchors.add(anchor)
        return anchor

    def markdown(self, text: str) -> None:
        self.blocks.append(Markdown(text))

    def code(self, code: str, language: str = "") -> None:
        self.blocks.append(Code(code, language))

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.blocks.append(Table(header, rows))

    def rule(self) -> None:
        self.blocks.append(Rule())

    def finding_head(self, text: str, anchor: str, severity: str, category: str) -> None:
        self.blocks.append(
            FindingHead(text, self.unique_anchor(slugify(anchor)), severity, category)
        )


def slugify(text: str) -> str:
    """A lowercase, hyphenated id from heading text (Markdown punctuation dropped)."""
    words: list[str] = []
    current: list[str] = []
    for char in text.lower():
        if char.isascii() and char.isalnum():
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return "-".join(words)


def table_markdown(table: Table) -> str:
    """A pipe table; cells are inline Markdown."""
    width = len(table.header)

    def row(cells: list[str]) -> str:
        cells = [*cells, *[""] * (width - len(cells))][:width]
        return "|" + "|".join(f" {escape.table_cell(c)} " if c else " " for c in cells) + "|"

    lines = [row(table.header), "|" + "|".join("---" for _ in range(width)) + "|"]
    lines.extend(row(cells) for cells in table.rows)
    return "\n".join(lines)


def block_markdown(block: Block) -> str:
    """The Markdown text of one block."""
    if isinstance(block, Heading):
        return f"{'#' * block.level} {block.text}"
    if isinstance(block, Markdown | FindingHead):
        return block.text
    if isinstance(block, Code):
        return escape.fenced(block.code, block.language)
    if isinstance(block, Table):
        return table_markdown(block)
    return "---"
