"""The house's layering, checked on the source: no import cycles."""

from __future__ import annotations

from tests.architecture.imports import cycles, import_graph


def test_no_module_imports_itself_back_through_others() -> None:
    # Lazy and typing-only imports count: they are cycles hidden from the interpreter.
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set()}
    assert cycles(graph) == [["a", "b", "c"]]
