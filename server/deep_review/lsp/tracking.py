"""Keeping a finding on its code while the user edits: line shifts and evidence re-anchoring.

Everything here works on whole lines (0-based, inclusive) so it is independent of the
negotiated position encoding: an edit's line numbers and "column 0" mean the same in every
encoding.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineSpan:
    """Lines ``start``..``end`` of a document, 0-based and inclusive."""

    start: int
    end: int


@dataclass(frozen=True)
class LineEdit:
    """One content change, by line: the replaced span and how many lines the new text has."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int
    new_text: str


def shift_span(span: LineSpan, edit: LineEdit) -> LineSpan:
    """Where ``span`` sits after ``edit``; an edit inside the span grows or shrinks it."""
    delta = edit.new_text.count("\n") - (edit.end_line - edit.start_line)
    ends_before = edit.end_line < span.start or (
        edit.end_line == span.start and edit.end_character == 0 and edit.end_line > edit.start_line
    )
    inserts_before = (
        edit.start_line == edit.end_line == span.start
        and edit.start_character == edit.end_character == 0
        and edit.new_text.endswith("\n")
    )
    if ends_before or inserts_before:
        return LineSpan(span.start + delta, span.end + delta)
    if edit.start_line > span.end:
        return span
    start = min(span.start, edit.start_line)
    end = max(span.end + delta, start)
    return LineSpan(start, end)


def normalized_lines(text: str) -> list[str]:
    """The non-blank lines of ``text`` with surrounding whitespace removed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def find_anchor(lines: list[str], anchor: list[str], near: int) -> LineSpan | None:
    """The occurrence of the ``anchor`` lines in ``lines`` closest to line ``near``.

    Blank lines and indentation are ignored, so re-indenting or spacing code out does not lose
    the finding; any change to the code's own text does.
    """
    if not anchor:
        return None
    content = [(number, line.strip()) for number, line in enumerate(lines) if line.strip()]
    best: LineSpan | None = None
    size = len(anchor)
    for index in range(len(content) - size + 1):
        if content[index][1] != anchor[0]:
            continue
        if all(content[index + k][1] == anchor[k] for k in range(1, size)):
            candidate = LineSpan(content[index][0], content[index + size - 1][0])
            if best is None or abs(candidate.start - near) < abs(best.start - near):
                best = candidate
    return best


def span_text(lines: list[str], span: LineSpan) -> str:
    """The text of the span's lines (clamped to the document)."""
    return "\n".join(lines[max(span.start, 0) : span.end + 1])


@dataclass
class Anchor:
    """What ties a finding to the code: its span now and the code it is about.

    ``code`` (the quoted evidence, else the reported lines) must stay inside ``span``; when it
    leaves, the nearest copy elsewhere takes over, and with none left the finding is resolved.
    """

    span: LineSpan
    code: list[str]
    resolved: bool = False
    before: int = 0
    """Lines of the reported span above the code (kept when the code moves)."""
    after: int = 0
    """Lines of the reported span below the code."""

    def follow(self, edits: list[LineEdit], lines: list[str]) -> None:
        """Move with ``edits`` (applied in order), then check the code is still there."""
        if self.resolved:
            return
        for edit in edits:
            self.span = shift_span(self.span, edit)
        self.revalidate(lines)

    def revalidate(self, lines: list[str]) -> None:
        """Check the code against a whole new text (reopened, reverted): it may come back."""
        if not self.code:
            self.resolved = False
            return
        window = lines[max(self.span.start, 0) : self.span.end + 1]
        if find_anchor(window, self.code, 0) is not None:
            self.resolved = False
            return
        found = find_anchor(lines, self.code, self.span.start + self.before)
        self.resolved = found is None
        if found is not None:
            last = max(len(lines) - 1, 0)
            self.span = LineSpan(
                max(found.start - self.before, 0), min(found.end + self.after, last)
            )


def anchor_for(lines: list[str], reported: LineSpan, evidence: str) -> Anchor:
    """Tie a reported span to the document.

    The reported lines stand when the quoted evidence is among them; evidence found elsewhere
    moves the finding there (the file changed since the review); without evidence in the
    file, the reported lines themselves are what must survive.
    """
    last = max(len(lines) - 1, 0)
    span = LineSpan(min(reported.start, last), min(max(reported.end, reported.start), last))
    quoted = normalized_lines(evidence)
    if quoted:
        found = find_anchor(lines, quoted, reported.start)
        if found is not None and span.start <= found.start and found.end <= span.end:
            return Anchor(span, quoted, before=found.start - span.start, after=span.end - found.end)
        if found is not None:
            return Anchor(found, quoted)
    return Anchor(span, normalized_lines(span_text(lines, span)))
