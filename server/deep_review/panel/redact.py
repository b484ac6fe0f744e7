"""Secret redaction: nothing secret-looking reaches a model provider.

Every text a reviewer sees (the diff, file reads, grep hits, command output) goes through a
``Redactor``. Each hit is replaced by ``[REDACTED:<kind>]`` and recorded as a ``WithheldSecret``
(where and what kind, never the value) so the review can list what was withheld.

Decisions, pinned by tests: 40-character hex git SHAs and UUIDs are not secrets on their own
(blame output and ordinary code are full of them); they are redacted only when assigned to a
secret-looking name (``API_TOKEN = "<uuid>"``).
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from deep_review.model import WithheldSecret

REDACTED = "[REDACTED:{kind}]"


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    group: int | str = 0
    accept: Callable[[str], bool] | None = None
    # Substrings one of which every match contains: a cheap test before running the regex.
    hints: tuple[str, ...] = ()


def shannon_entropy(value: str) -> float:
    """Bits of Shannon entropy per character of ``value``."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


_HEX = re.compile(r"[0-9a-fA-F-]+")
_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|\$\{[^}]*\}|\$\(.*\)|\{\{.*\}\}|%\(?\w*\)?s|x+|\*+|\.+|-+|changeme|"
    r"change[-_]?me|password|passwd|pass|pwd|pw|user|username|secret|example|dummy|test|todo|none|"
    r"null|nil|true|false)$",
    re.IGNORECASE,
)


def looks_random(value: str, *, min_length: int = 16) -> bool:
    """Whether ``value`` looks like a generated secret rather than a word, path or identifier."""
    if len(value) < min_length or any(c.isspace() for c in value):
        return False
    if "://" in value:
        return False
    if _PLACEHOLDER.match(value):
        return False
    entropy = shannon_entropy(value)
    if _HEX.fullmatch(value):
        # Hex alphabets top out at 4 bits/char; random hex sits around 3.5-4. Checked before
        # wordiness: runs of A-F letters read as "words" but say nothing about hex.
        return entropy >= 2.8 and any(c.isdigit() for c in value)
    if is_wordy(value):
        return False
    has_digit = any(c.isdigit() for c in value)
    has_lower = any(c.islower() for c in value)
    has_upper = any(c.isupper() for c in value)
    if not has_digit:
        # Without digits only mixed case with high entropy looks generated.
        return has_lower and has_upper and entropy >= 3.8
    return (has_lower or has_upper) and entropy >= 3.2


_VOWELS = frozenset("aeiouyAEIOUY")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"([A-Za-z]+)[0-9]*")


def is_wordy(value: str) -> bool:
    """Whether ``value`` reads as words (``max_input_tokens``, ``urn:oauth:token-type``,
    ``challengePassword``) rather than generated characters."""
    letters = in_words = 0
    for chunk in re.split(r"[^A-Za-z0-9]+", value):
        for part in _CAMEL_BOUNDARY.split(chunk):
            count = sum(c.isalpha() for c in part)
            letters += count
            word = _WORD.fullmatch(part)
            if word and len(word.group(1)) >= 3 and _VOWELS.intersection(word.group(1)):
                in_words += count
    alnum = sum(c.isalnum() for c in value)
    return letters >= 0.6 * alnum and in_words >= 0.8 * letters


def _looks_like_password(value: str) -> bool:
    """A literal assigned to a password-ish name: mixed characters, not a placeholder or word."""
    if len(value) < 8 or any(c.isspace() for c in value) or _PLACEHOLDER.match(value):
        return False
    if looks_random(value, min_length=16):
        return True
    # Letters with digits or symbols (``hunter22``, ``Tr0ub4dor&3``); letters alone are
    # usually a name (``challengePassword``, ``password_field``), not a password.
    has_letter = any(c.isalpha() for c in value)
    has_other = any(c.isdigit() or (not c.isalnum() and c not in "_-.") for c in value)
    return has_letter and has_other


def _has_digit_and_letter(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


# Specific token formats first: each is unambiguous by its prefix.
_TOKEN_PATTERNS: tuple[_Pattern, ...] = (
    _Pattern(
        "aws-access-key",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        hints=("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    _Pattern(
        "github-token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        hints=("gh", "github_pat_"),
    ),
    _Pattern("slack-token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"), hints=("xox",)),
    _Pattern("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"), hints=("AIza",)),
    _Pattern("anthropic-key", re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{20,}"), hints=("sk-ant-",)),
    _Pattern(
        "stripe-key",
        re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{16,}"),
        hints=("_live_", "_test_"),
    ),
    _Pattern(
        "openai-key",
        re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{32,}"),
        accept=_has_digit_and_letter,
        hints=("sk-",),
    ),
    _Pattern(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
        hints=("eyJ",),
    ),
    _Pattern(
        "aws-secret-key",
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key\w*[\"']?[ \t]*[:=]+[ \t]*[\"']?"
            r"(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        group="value",
        hints=("aws", "AWS", "Aws"),
    ),
    _Pattern(
        "url-password",
        re.compile(r"\b[a-z][a-z0-9+.\-]*://[^/\s:@\"']+:(?P<value>[^/\s@\"']{3,})@"),
        group="value",
        accept=lambda v: not _PLACEHOLDER.match(v) and not v.startswith("$"),
        hints=("://",),
    ),
    _Pattern(
        "bearer-token",
        re.compile(r"(?i)\bbearer[ \t]+(?P<value>[A-Za-z0-9_\-.=~+/]{20,})"),
        group="value",
        accept=looks_random,
        hints=("earer", "EARER"),
    ),
)

# ``NAME = value`` in Python, shell, .env, YAML, JSON, TOML, Go (``:=``), with an optional type
# annotation (``password: str = "..."``) and dict subscripts (``cfg["api_key"] = ...``).
_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["']?\]?"""
    r"""(?:[ \t]*:[ \t]*[A-Za-z_][\w.\[\]|, ]*?)?"""
    r"""[ \t]*(?::=|=>|==|=|:)[ \t]*"""
    r"""(?:(?P<q>["'`])(?P<qv>[^"'`\s]+)(?P=q)|(?P<v>[^\s"'`,;()\[\]{}]++)(?![(.\[]))"""
)
# Lines worth trying ``_ASSIGNMENT`` on: their names would pass one of the two tests below.
_ASSIGNMENT_HINT = re.compile(r"(?i)passw|pwd|pass\b|secret|token|key|credential")
_PASSWORD_NAME = re.compile(r"(?i)passw(?:or)?d|(?:^|[_.\-])pwd$|^pwd|[_.\-]pass$")
# ``module.attribute`` on the right of ``=`` is a reference in code, not a literal value.
_DOTTED_REFERENCE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_SECRET_NAME = re.compile(
    r"(?i)secret|token|api[_\-]?key|(?:^|[_.\-])key$|[a-z0-9]Key$|private[_\-]?key|"
    r"access[_\-]?key|credential|auth[_\-]?key"
)
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_END = re.compile(r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PEM_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_PEM_BODY_LINE = re.compile(
    r"^[+\- ]?\s*[\"'`]?(?P<body>[A-Za-z0-9+/]{4,}={0,2})(?:\\n)?[\"'`]?\s*[,;+\\]?\s*$"
)
_PEM_HEADER = re.compile(r"^[+\- ]?\s*[\"'`]?[A-Za-z][A-Za-z-]*: ")
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class _KeyBlock:
    """Inside a PEM private key block that began at ``path``:``line``."""

    path: str
    line: int | None
    seen_body: bool = False


class Redactor:
    """Replaces secret-looking strings with ``[REDACTED:<kind>]`` and remembers where."""

    def __init__(self, *, min_length: int = 16) -> None:
        self.min_length = min_length
        self._withheld: list[WithheldSecret] = []
        self._seen: set[tuple[str, int | None, str]] = set()
        self._lock = threading.Lock()

    @property
    def withheld(self) -> list[WithheldSecret]:
        """Every secret withheld so far (location and kind, never the value), deduplicated."""
        with self._lock:
            return list(self._withheld)

    def redact(self, text: str, path: str = "", *, first_line: int = 1) -> str:
        """``text`` with secrets replaced; ``first_line`` is the file line of the text's first."""
        lines = split_lines(text)
        numbers: list[int | None] = list(range(first_line, first_line + len(lines)))
        return self._redact(lines, [path] * len(lines), numbers)

    def redact_diff(self, diff: str, path: str = "") -> str:
        """A unified diff with secrets replaced, recorded at new-file (or old-file) lines."""
        lines = split_lines(diff)
        paths, numbers = _diff_positions(lines, path)
        return self._redact(lines, paths, numbers)

    def _record(self, path: str, line: int | None, kind: str) -> None:
        key = (path, line, kind)
        with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self._withheld.append(WithheldSecret(path=path, line=line, kind=kind))

    def _redact(self, lines: list[str], paths: list[str], numbers: list[int | None]) -> str:
        """Every pattern over the whole text at once; line positions only for what matched."""
        if any("PRIVATE KEY" in line for line in lines):
            lines = list(self._redact_private_keys(lines, paths, numbers))
        text = "".join(lines)
        for pattern in _TOKEN_PATTERNS:
            if pattern.hints and not any(hint in text for hint in pattern.hints):
                continue
            text = self._apply_to_text(pattern, text, paths, numbers)
        if not _ASSIGNMENT_HINT.search(text):
            return text
        lines = split_lines(text)
        for index, line in enumerate(lines):
            if _ASSIGNMENT_HINT.search(line):
                lines[index] = self._redact_assignments(line, paths[index], numbers[index])
        return "".join(lines)

    def _apply_to_text(
        self, pattern: _Pattern, text: str, paths: list[str], numbers: list[int | None]
    ) -> str:
        starts: list[int] | None = None

        def locate(offset: int) -> tuple[str, int | None]:
            nonlocal starts
            if starts is None:
                starts = _line_starts(text)
            index = bisect.bisect_right(starts, offset) - 1
            return paths[index], numbers[index]

        def replace(match: re.Match[str]) -> str:
            value = match.group(pattern.group)
            if "REDACTED" in value or (pattern.accept is not None and not pattern.accept(value)):
                return match.group(0)
            self._record(*locate(match.start()), pattern.kind)
            start = match.start(pattern.group) - match.start(0)
            end = match.end(pattern.group) - match.start(0)
            whole = match.group(0)
            return whole[:start] + REDACTED.format(kind=pattern.kind) + whole[end:]

        return pattern.regex.sub(replace, text)

    def _redact_private_keys(
        self, lines: list[str], paths: list[str], numbers: list[int | None]
    ) -> Iterator[str]:
        key: _KeyBlock | None = None
        for line, path, number in zip(lines, paths, numbers, strict=True):
            body, newline = _split_newline(line)
            body, key = self._redact_private_key(body, key, path, number)
            yield body + newline

    def _redact_private_key(
        self, line: str, key: _KeyBlock | None, path: str, number: int | None
    ) -> tuple[str, _KeyBlock | None]:
        """PEM private key blocks, across lines or inside one (e.g. with escaped ``\\n``).

        A BEGIN marker alone (a constant in a parser, say) redacts nothing: only base64 body
        lines that follow it are key material.
        """
        marker = REDACTED.format(kind="private-key")
        if key is None:
            begin = _PEM_BEGIN.search(line)
            if begin is None:
                return line, None
            head, rest = line[: begin.end()], line[begin.end() :]
            end = _PEM_END.search(rest)
            inner = rest[: end.start()] if end is not None else rest
            if _PEM_RUN.search(inner):
                self._record(path, number, "private-key")
                tail = rest[end.start() :] if end is not None else ""
                following = None if end is not None else _KeyBlock(path, number, seen_body=True)
                return head + marker + tail, following
            return line, None if end is not None else _KeyBlock(path, number)
        end = _PEM_END.search(line)
        if end is not None:
            before = line[: end.start()]
            if _PEM_RUN.search(before):
                self._record(key.path, key.line, "private-key")
                before = _PEM_RUN.sub(marker, before)
            return before + line[end.start() :], None
        body = _PEM_BODY_LINE.match(line)
        if body is not None and (len(body.group("body")) >= 16 or key.seen_body):
            self._record(key.path, key.line, "private-key")
            redacted = line[: body.start("body")] + marker + line[body.end("body") :]
            return redacted, _KeyBlock(key.path, key.line, seen_body=True)
        if _PEM_HEADER.match(line) or not line.strip(" \t+-\"'"):
            return line, key
        return line, None  # not key material after all: the marker was just a string

    def redact_line(self, line: str, path: str = "", line_number: int | None = None) -> str:
        """One line with token-shaped and assigned secrets replaced."""
        if "\n" in line:
            return self.redact(line, path, first_line=line_number or 1)
        return self._redact([line], [path], [line_number])

    def _redact_assignments(self, line: str, path: str, number: int | None) -> str:
        def replace(match: re.Match[str]) -> str:
            name = match.group("name")
            group = "qv" if match.group("qv") is not None else "v"
            value = match.group(group)
            if "REDACTED" in value:
                return match.group(0)
            kind = self._assignment_kind(name, value, quoted=group == "qv")
            if kind is None:
                return match.group(0)
            self._record(path, number, kind)
            start = match.start(group) - match.start(0)
            end = match.end(group) - match.start(0)
            whole = match.group(0)
            return whole[:start] + REDACTED.format(kind=kind) + whole[end:]

        return _ASSIGNMENT.sub(replace, line)

    def _assignment_kind(self, name: str, value: str, *, quoted: bool) -> str | None:
        if not quoted and _DOTTED_REFERENCE.fullmatch(value):
            return None
        if _PASSWORD_NAME.search(name):
            # The name says it is a password: a long letters-and-digits value is one even when
            # it happens to read like words.
            if looks_random(value, min_length=self.min_length) or _looks_like_key(value):
                return "password"
            if quoted and _looks_like_password(value):
                return "password"
            return None
        if _SECRET_NAME.search(name) and (
            looks_random(value, min_length=self.min_length) or _looks_like_key(value)
        ):
            return "secret-value"
        return None


def _looks_like_key(value: str) -> bool:
    """A value assigned to a secret name: letters and digits, long, not a placeholder.

    Looser than ``looks_random`` because the name already says what the value is.
    """
    return (
        len(value) >= 16
        and value.isalnum()
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and not _PLACEHOLDER.match(value)
        and shannon_entropy(value) >= 3.0
    )


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split at ``\\n`` only (as git and editors count lines)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in re.finditer("\n", text))]


def _split_newline(line: str) -> tuple[str, str]:
    stripped = line.rstrip("\r\n")
    return stripped, line[len(stripped) :]


def _diff_positions(lines: list[str], default_path: str) -> tuple[list[str], list[int | None]]:
    """For each diff line: the file it belongs to and its line number in that file."""
    paths: list[str] = []
    numbers: list[int | None] = []
    path = default_path
    old_line = new_line = 0
    in_hunk = False
    for line in lines:
        if line.startswith("diff --git "):
            in_hunk = False
            parts = line.rstrip("\n").split(" b/", 1)
            path = parts[1] if len(parts) == 2 else path
        elif not in_hunk and line.startswith("+++ "):
            target = line[4:].rstrip("\r\n")
            if target.startswith("b/"):
                path = target[2:]
        header = _HUNK_HEADER.match(line)
        number: int | None = None
        if header is not None:
            in_hunk = True
            old_line, new_line = int(header.group(1)), int(header.group(2))
        elif in_hunk and line.startswith("+"):
            number, new_line = new_line, new_line + 1
        elif in_hunk and line.startswith("-"):
            number, old_line = old_line, old_line + 1
        elif in_hunk and line.startswith(" "):
            number = new_line
            new_line, old_line = new_line + 1, old_line + 1
        paths.append(path)
        numbers.append(number)
    return paths, numbers
