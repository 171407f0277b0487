"""Imports run one way: spec → engine → runner → render → cli, and the NumPy operations are a
leaf. The graph is read from the source with `ast` (imports at module level and inside
functions), so a lazy import cannot hide a dependency."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import convcalc

ROOT = Path(convcalc.__file__).parent
NUMPY_OPS = "convcalc.numpy_ops"
# below the engine: what the engine is built from, which must never reach back up to it
BELOW_ENGINE = ("convcalc.layers", "convcalc.spec", "convcalc.formulas", "convcalc.errors", "convcalc.constants",
                NUMPY_OPS)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """The convcalc modules an import statement loads, packages run on the way included
    (`from convcalc.runner import x` runs convcalc/runner/__init__.py)."""
    if isinstance(node, ast.Import):
        names = {a.name for a in node.names}
    else:
        package = module if is_package else module.rpartition(".")[0]
        base = node.module or ""
        if node.level:
            parts = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(parts + ([node.module] if node.module else []))
        names = {f"{base}.{a.name}" if f"{base}.{a.name}" in modules() else base for a in node.names}
    loaded = set()
    for name in names:
        if not name.startswith("convcalc"):
            continue
        parts = name.split(".")
        for i in range(2, len(parts) + 1):  # every package on the way, but not convcalc/__init__
            prefix = ".".join(parts[:i])
            if prefix in modules() and not (module + ".").startswith(prefix + ".") or prefix == name:
                loaded.add(prefix)
    return loaded - {module}


@cache
def graph() -> dict[str, tuple[set[str], set[str]]]:
    """module → (imports at module level, imports inside functions)."""
    result = {}
    for module, path in modules().items():
        top: set[str] = set()
        inner: set[str] = set()

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    (inner if in_function else top).update(_targets(child, module, path.name == "__init__.py"))
                visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        visit(ast.parse(path.read_text(encoding="utf-8")), False)
        result[module] = (top, inner - top)
    return result


def _type_checking_only(module: str) -> set[str]:
    """Imports under `if TYPE_CHECKING:` run for the type checker only."""
    found = set()
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in ast.walk(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    found |= _targets(child, module, False)
    return found


def _runtime(module: str, functions: bool) -> set[str]:
    top, inner = graph()[module]
    return (top | (inner if functions else set())) - _type_checking_only(module)


def _reachable(start: str, functions: bool) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in _runtime(todo.pop(), functions):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _cycle(functions: bool) -> list[str] | None:
    """One cycle among the imports (with those inside functions or not), as a path, or None."""
    state: dict[str, str] = {}

    def walk(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(_runtime(module, functions)):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (found := walk(target, path + [target])):
                return found
        state[module] = "done"
        return None

    for module in sorted(modules()):
        if module not in state and (found := walk(module, [module])):
            return found
    return None


def test_the_graph_is_read():
    assert "convcalc.layers" in _runtime("convcalc.engine", functions=False)
    assert NUMPY_OPS in graph()["convcalc.layers.conv"][1]  # the forwards' lazy import


@pytest.mark.parametrize("functions", [False, True], ids=["module level", "lazy imports too"])
def test_no_import_circle(functions):
    """Lazy imports included: a circle through a function's import is still a circle in the design."""
    cycle = _cycle(functions)
    assert cycle is None, " → ".join(cycle)


@pytest.mark.parametrize("module", [m for m in sorted(modules()) if m.startswith(BELOW_ENGINE)])
def test_nothing_below_the_engine_reaches_it(module):
    """Not even through a lazy import: what the engine is built from never needs the engine."""
    assert "convcalc.engine" not in _reachable(module, functions=True)


def test_numpy_ops_is_a_leaf():
    top, inner = graph()[NUMPY_OPS]
    assert top | inner <= {"convcalc.constants"}


def test_the_engine_imports_no_numpy():
    """`summary` starts fast: numpy is only imported by the forwards, lazily."""
    for module in _reachable("convcalc.engine", functions=False) | {"convcalc.engine"}:
        tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
        names = {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        names |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(n == "numpy" or n.startswith("numpy.") for n in names), module
