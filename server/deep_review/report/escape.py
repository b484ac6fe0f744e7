"""Make untrusted reviewer text safe to embed in Markdown.

Reviewer output is data, never markup: it must not inject raw HTML into a Markdown renderer
that allows it (GitHub, VS Code preview), break out of our fences, or forge report headings.
Reviewer *Markdown* (code spans, emphasis, lists, fences) is kept; only what could escape its
place is neutralised.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from deep_review.untrusted import printable

_PLAIN_SPECIALS = set("\\`*[]<>|~&!")
_BACKTICK_RUN = re.compile(r"`+")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=\s|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
# Block quotes and list items hold blocks of their own: a heading after ``> `` or ``- `` is one.
_CONTAINERS = re.compile(r"^(?: {0,3}(?:>[ \t]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+))+")

_LANGUAGES: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".go": "go",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "jsx",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".rs": "rust",
    ".java": "java",
    ".kt": "kotlin",
    ".swift": "swift",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
    ".lua": "lua",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "bash",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".ini": "ini",
    ".md": "markdown",
    ".html": "html",
    ".css": "css",
    ".sql": "sql",
    ".vim": "vim",
    ".xml": "xml",
}
_FILENAMES: dict[str, str] = {"makefile": "make", "dockerfile": "docker"}


def language_for(path: str) -> str:
    """The fence info string for a file's language, from its name ("" when unknown)."""
    name = PurePosixPath(path).name.lower()
    if name in _FILENAMES:
        return _FILENAMES[name]
    return _LANGUAGES.get(PurePosixPath(name).suffix, "")


def plain(text: str) -> str:
    """Literal text as inline Markdown: every character shows as itself, on one line."""
    text = " ".join(printable(text).split())
    out: list[str] = []
    for index, char in enumerate(text):
        if char in _PLAIN_SPECIALS:
            out.append("\\" + char)
        elif char == "_" and not _inside_word(text, index):
            out.append("\\_")
        elif char == "#" and index == 0:
            out.append("\\#")
        else:
            out.append(char)
    return "".join(out)


def _inside_word(text: str, index: int) -> bool:
    # Intraword underscores never emphasise in CommonMark; leave paths like a_b.go readable.
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return before.isalnum() and after.isalnum()


def code_span(text: str) -> str:
    """Literal text as an inline code span that no backtick inside can close early."""
    text = " ".join(printable(text).split())
    longest = max((len(run) for run in _BACKTICK_RUN.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def inline(text: str) -> str:
    """Reviewer inline Markdown (a title) on one line, with raw HTML neutralised."""
    return _neutralise_html(" ".join(printable(text).split()))


def table_cell(markdown: str) -> str:
    """Inline Markdown made safe for a pipe-table cell."""
    return " ".join(markdown.split()).replace("|", "\\|")


def block(text: str) -> str:
    """Reviewer block Markdown with raw HTML, headings and unclosed fences neutralised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = printable(text).strip("\n").split("\n")
    out: list[str] = []
    fence: str | None = None
    previous_blank = True
    for line in lines:
        if fence is not None:
            out.append(line)
            if _closes_fence(line, fence):
                fence = None
            previous_blank = False
            continue
        opened = _FENCE_OPEN.match(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            fence = opened.group(1)
            out.append(line)
        elif line.startswith(("    ", "\t")) and previous_blank:
            out.append(line)  # an indented code block shows its text literally already
            previous_blank = False
            continue
        elif _SETEXT_UNDERLINE.match(line) and not previous_blank:
            # ``text`` over ``===`` or ``---`` is a heading: the underline becomes plain text.
            out.append("\\" + line.lstrip())
        else:
            container = _CONTAINERS.match(line)
            prefix = container.group() if container else ""
            rest = _neutralise_html(line[len(prefix) :])
            if prefix and _SETEXT_UNDERLINE.match(rest) and not previous_blank:
                rest = "\\" + rest.lstrip()
            out.append(prefix + _ATX_HEADING.sub(r"\1\\\2", rest))
        previous_blank = not line.strip()
    if fence is not None:
        out.append(fence)  # an unclosed fence would swallow the rest of the report
    return "\n".join(out)


def _closes_fence(line: str, fence: str) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3
        and bool(stripped)
        and set(stripped) == {fence[0]}
        and len(stripped) >= len(fence)
    )


def _neutralise_html(line: str) -> str:
    """Escape ``<`` outside code spans so no renderer sees a tag; code spans show it as is."""
    out: list[str] = []
    position = 0
    while position < len(line):
        run = _BACKTICK_RUN.search(line, position)
        if run is None:
            out.append(_escape_angle(line[position:]))
            break
        if _escaped(line, run.start()):
            # ``\``` is a literal backtick: the run's first backtick opens no code span.
            out.append(_escape_angle(line[position : run.start() + 1]))
            position = run.start() + 1
            continue
        out.append(_escape_angle(line[position : run.start()]))
        closing = re.compile(rf"(?<!`){run.group()}(?!`)").search(line, run.end())
        if closing is None:
            out.append(run.group())
            position = run.end()
            continue
        out.append(line[run.start() : closing.end()])
        position = closing.end()
    return "".join(out)


def _escaped(line: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd run of backslashes."""
    backslashes = len(line[:index]) - len(line[:index].rstrip("\\"))
    return backslashes % 2 == 1


def _escape_angle(text: str) -> str:
    # An image loads its URL when the report (or a hover) is shown: a model could phone home
    # with what it read. Escaped, ``![alt](url)`` shows as text.
    return text.replace("<", "&lt;").replace("![", "!\\[")


def fenced(code: str, language: str = "") -> str:
    """A fenced code block longer than any backtick run inside, so the code cannot close it."""
    code = printable(code.replace("\r\n", "\n")).rstrip("\n")
    longest = max((len(run) for run in _BACKTICK_RUN.findall(code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"
