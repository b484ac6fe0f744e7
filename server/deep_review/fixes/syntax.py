"""Does a fixed file still parse? Python by its own compiler, other languages by tree-sitter.

A fix is refused when it would add a syntax error the file did not have: the comparison is
with the file before, so a file that was already broken (or a dialect a grammar does not
know) never blocks a fix that leaves it no worse.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from deep_review.fixes.errors import FixDoesNotApply

# Suffix -> (module of the grammar's PyPI package, function returning its language).
_GRAMMARS: dict[str, tuple[str, str]] = {
    ".py": ("tree_sitter_python", "language"),
    ".pyi": ("tree_sitter_python", "language"),
    ".go": ("tree_sitter_go", "language"),
    ".js": ("tree_sitter_javascript", "language"),
    ".mjs": ("tree_sitter_javascript", "language"),
    ".cjs": ("tree_sitter_javascript", "language"),
    ".jsx": ("tree_sitter_javascript", "language"),
    ".ts": ("tree_sitter_typescript", "language_typescript"),
    ".mts": ("tree_sitter_typescript", "language_typescript"),
    ".tsx": ("tree_sitter_typescript", "language_tsx"),
    ".rs": ("tree_sitter_rust", "language"),
    ".java": ("tree_sitter_java", "language"),
    ".c": ("tree_sitter_c", "language"),
    ".h": ("tree_sitter_c", "language"),
    ".cc": ("tree_sitter_cpp", "language"),
    ".cpp": ("tree_sitter_cpp", "language"),
    ".cxx": ("tree_sitter_cpp", "language"),
    ".hpp": ("tree_sitter_cpp", "language"),
    ".hh": ("tree_sitter_cpp", "language"),
    ".sh": ("tree_sitter_bash", "language"),
    ".bash": ("tree_sitter_bash", "language"),
    ".yaml": ("tree_sitter_yaml", "language"),
    ".yml": ("tree_sitter_yaml", "language"),
    ".json": ("tree_sitter_json", "language"),
    ".toml": ("tree_sitter_toml", "language"),
}
_PYTHON = {".py", ".pyi"}


def first_error_line(path: str, text: str) -> int | None:
    """The 1-based line of the first syntax error in ``text``, None when it parses (or no
    parser knows the language)."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _PYTHON:
        try:
            compile(text, path, "exec", flags=0x400, dont_inherit=True)  # ast.PyCF_ONLY_AST
        except SyntaxError as error:
            return error.lineno or 1
        except ValueError:  # a NUL byte
            return 1
        return None
    errors = _tree_sitter_errors(suffix, text)
    return errors[0] if errors else None


def error_count(path: str, text: str) -> int:
    """How many error or missing nodes a tree-sitter parse of ``text`` has (0: unknown language)."""
    return len(_tree_sitter_errors(PurePosixPath(path).suffix.lower(), text))


def check_syntax(path: str, before: str | None, after: str) -> None:
    """Refuse (``FixDoesNotApply``, invalid) a result with a syntax error ``before`` lacked."""
    line = first_error_line(path, after)
    if line is None:
        return
    broken_before = before is not None and first_error_line(path, before) is not None
    if broken_before and error_count(path, after) <= error_count(path, before or ""):
        return  # broken before, and no worse
    raise FixDoesNotApply(f"The fix would break the syntax of {path} at line {line}.", "invalid")


def _tree_sitter_errors(suffix: str, text: str) -> list[int]:
    parser = _parser(suffix)
    if parser is None:
        return []
    tree = parser.parse(text.encode("utf-8", "surrogatepass"))
    lines: list[int] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            lines.append(node.start_point[0] + 1)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(lines)


@cache
def _parser(suffix: str) -> Any:
    grammar = _GRAMMARS.get(suffix)
    if grammar is None:
        return None
    try:
        import tree_sitter

        module = importlib.import_module(grammar[0])
        language = tree_sitter.Language(getattr(module, grammar[1])())
    except (ImportError, AttributeError, ValueError):
        return None  # the grammar is not installed: no check rather than a wrong one
    return tree_sitter.Parser(language)
