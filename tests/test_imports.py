"""The package's architecture, read from its source with ast: imports run one way only (core < checkpoints <
analysis < training < tools), there is no import cycle, the core needs only the standard library, torch and
tiktoken, and every module is small and says what it is for."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = "llama_scratch"
SOURCE = Path(__file__).resolve().parent.parent / PACKAGE
RANKS = {"core": 0, "checkpoints": 1, "analysis": 2, "training": 3, "tools": 4}
TOP = max(RANKS.values()) + 1  # llama_scratch/__init__.py and __main__.py may import anything
CORE_MAY_IMPORT = set(sys.stdlib_module_names) | {"__future__", "torch", "tiktoken"}
MAX_FILE_LINES, MAX_FUNCTION_LINES = 300, 60


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(SOURCE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return TOP
    if parts[1] not in RANKS:
        raise AssertionError(f"{module} lies outside the layers {sorted(RANKS)}: move it into one of them")
    return RANKS[parts[1]]


def imports(module: str) -> tuple[set[str], set[str]]:
    """(the package's modules that ``module`` imports, the top-level names of everything else it imports): every
    import statement, at module level or inside a function, relative or absolute, plus string constants naming a
    module of the package (importlib.import_module("llama_scratch.tools.figures"), a table of lazy imports)."""
    is_package = MODULES[module].name == "__init__.py"
    inside, outside = set(), set()

    def add(target: str, names=()):
        if target.split(".")[0] != PACKAGE:
            outside.add(target.split(".")[0])
            return
        for name in names:  # `from x import y`: y may be a submodule
            if f"{target}.{name}" in MODULES:
                inside.add(f"{target}.{name}")
            elif target in MODULES:
                inside.add(target)
        if not names and target in MODULES:
            inside.add(target)

    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".") if is_package else module.split(".")[:-1]
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            add(target, [alias.name for alias in node.names])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MODULES:
            inside.add(node.value)
    inside.discard(module)
    return inside, outside


GRAPH = {module: imports(module)[0] for module in MODULES}


def test_the_layers_exist_and_hold_every_module():
    assert {"core", "checkpoints", "tools"} <= {m.split(".")[1] for m in MODULES if m.count(".") >= 1}
    for module in MODULES:
        rank(module)  # raises for a module outside the layers


def test_imports_run_from_higher_layers_to_lower_ones_only():
    wrong = [f"{a} (layer {rank(a)}) imports {b} (layer {rank(b)})" for a in GRAPH for b in GRAPH[a]
             if rank(b) > rank(a)]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_no_import_cycle():
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module):
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycle = path[path.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_core_needs_only_the_standard_library_torch_and_tiktoken():
    for module in MODULES:
        if rank(module) == RANKS["core"]:
            extra = imports(module)[1] - CORE_MAY_IMPORT
            assert not extra, f"{module} imports {sorted(extra)}; the core may import only stdlib, torch, tiktoken"


def test_the_checks_see_every_kind_of_import():
    """The graph is built from every import: a relative one inside a function, a string naming a module."""
    tree = ast.parse("def f():\n    from ..core import model\n    from .read import x\nM = 'llama_scratch.tools.cli'\n")
    TREES["llama_scratch.checkpoints.probe"], MODULES["llama_scratch.checkpoints.probe"] = tree, SOURCE / "x.py"
    try:
        found = imports("llama_scratch.checkpoints.probe")[0]
    finally:
        del TREES["llama_scratch.checkpoints.probe"], MODULES["llama_scratch.checkpoints.probe"]
    assert found == {"llama_scratch.core.model", "llama_scratch.checkpoints.read", "llama_scratch.tools.cli"}


def function_level_imports(module: str) -> list[int]:
    """Line numbers of the imports inside functions of ``module``."""
    lines = []
    for node in ast.walk(TREES[module]):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines += [n.lineno for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return sorted(set(lines))


def test_every_import_inside_a_function_says_why():
    """An import inside a function hides the graph; the few that stay (optional or slow dependencies) carry a
    comment on their line or on the import line just above (a group of imports shares one comment)."""
    silent = []
    for module, path in MODULES.items():
        source = path.read_text(encoding="utf-8").splitlines()
        lines = function_level_imports(module)
        for lineno in lines:
            n = lineno
            while "#" not in source[n - 1]:
                above = n - 1
                while above > 0 and not source[above - 1].strip():  # blank lines between imports of one group
                    above -= 1
                if above not in lines:
                    silent.append(f"{path.relative_to(SOURCE.parent)}:{lineno}: {source[lineno - 1].strip()}")
                    break
                n = above
    assert not silent, "imports inside functions without a reason:\n" + "\n".join(silent)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small_and_documented(module):
    path, tree = MODULES[module], TREES[module]
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= MAX_FILE_LINES, f"{path.name}: {n_lines} lines (at most {MAX_FILE_LINES})"
    assert (ast.get_docstring(tree) or "").strip(), f"{module} has no module docstring saying what it is for"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, f"{module}: functions over {MAX_FUNCTION_LINES} lines: {long}"
