"""The package's structure holds: layers by role, no import cycles, no private names borrowed.

docs/architecture.md draws the layers: `sim.schema` (input models) <- `sim.model` (the SimPy
core) <- `sim.inputs` <- `sim.analysis` <- `sim.outputs`, with `sim.errors` beside them and
`cli/` on top. A module may import from its own layer and the layers before it, never after;
the model core imports only the input models and itself (it is what gets compiled).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["sim.errors", "sim.schema", "sim.model", "sim.inputs", "sim.analysis", "sim.outputs"]
# What each layer may import from sim, besides itself.
ALLOWED = {
    "sim.errors": set(),
    "sim.schema": set(),
    "sim.model": {"sim.schema"},
    "sim.inputs": {"sim.errors", "sim.schema", "sim.model"},
    "sim.analysis": {"sim.errors", "sim.schema", "sim.model", "sim.inputs"},
    "sim.outputs": {"sim.errors", "sim.schema", "sim.model", "sim.inputs", "sim.analysis"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names imported, line) for every import of sim in `path`, at any
    depth (an import inside a function is still a dependency)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sim" or node.module.startswith("sim."):
                found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names
                      if a.name == "sim" or a.name.startswith("sim.")]
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in (ROOT / "sim").rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for target, names, _ in _imports(path):
            # `from sim.x import y` depends on sim.x.y when that is a module, else on sim.x.
            subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            graph[name].update(subs or ([target] if target in modules else []))
    return graph


def _layer(module: str) -> str | None:
    return next((layer for layer in LAYERS
                 if module == layer or module.startswith(layer + ".")), None)


def test_no_import_cycles():
    """No module of sim/ depends on itself through others (Tarjan's strongly connected
    components over the import graph, imports inside functions included)."""
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            # A package importing its own submodules (re-exports) is not a cycle of logic.
            if len(component) > 1 and not _only_package_reexports(component, graph):
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def _only_package_reexports(component: list[str], graph: dict[str, set[str]]) -> bool:
    """A cycle made only of a package's __init__ re-exporting a submodule that imports a
    sibling through the package (e.g. sim.model -> sim.model.team -> sim.model)."""
    packages = {m for m in component if (ROOT / Path(*m.split(".")) / "__init__.py").exists()}
    return bool(packages) and all(
        not (graph[m] & set(component)) - packages for m in component if m not in packages)


def test_layers_import_only_earlier_layers():
    """Each module of sim/ imports only its own layer and the layers before it."""
    wrong = []
    for path in (ROOT / "sim").rglob("*.py"):
        name = _module_name(path)
        layer = _layer(name)
        if layer is None:
            continue  # sim/__init__.py
        for target, _, line in _imports(path):
            other = _layer(target)
            if other is not None and other != layer and other not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({layer}) imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_private_names_cross_modules():
    """No module imports another module's private (underscore) names."""
    wrong = []
    for path in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "cli").rglob("*.py")]:
        for target, names, line in _imports(path):
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {private} from {target}")
    assert not wrong, "\n".join(wrong)
