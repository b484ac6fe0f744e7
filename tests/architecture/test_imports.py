"""The house's layering, checked on the source: no import cycles."""

from __future__ import annotations

from tests.architecture.imports import cycles, import_graph


def test_no_module_imports_itself_back_through_others() -> None:
    # Lazy and typing-only imports count: they are cycles hidden from the interpreter.
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set()}
    assert cycles(graph) == [["a", "b", "c"]]


STAGES = ("change", "panel", "reconcile", "report", "fixes", "store", "rounds")
ENGINE_AND_FACES = ("deep_review.engine", "deep_review.cli", "deep_review.lsp", "deep_review.demo")


def test_no_stage_imports_the_engine_or_a_face() -> None:
    offending = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if module.split(".")[1:2] and module.split(".")[1] in STAGES
        for target in targets
        if target.startswith(ENGINE_AND_FACES)
    )
    assert offending == []


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_packages_do_not_import_each_other_back() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        for target in targets:
            if _package(module) != _package(target):
                packages.setdefault(_package(module), set()).add(_package(target))
    packages = {name: targets - {"deep_review"} for name, targets in packages.items()}
    assert cycles(packages) == []
