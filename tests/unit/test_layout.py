"""The code reads as the flow: the layering of ``engine/`` holds (parsed with ``ast``)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

ENGINE = ROOT / "engine"
MAX_LOOSE_MODULES = 6
LOWER = ("engine.optimize", "engine.simulate")
UPPER = ("engine.jobs", "engine.commands", "engine.report")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _reexports(package: Path) -> dict[str, str]:
    """Name -> module for every name a package ``__init__`` imports from an engine module."""
    tree = ast.parse(package.read_text(encoding="utf-8"))
    return {a.asname or a.name: node.module for node in tree.body
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine")
            for a in node.names}


def _imports(path: Path, files: dict[str, Path]) -> set[str]:
    """Engine modules ``path`` imports (top level or inside functions); a name taken from a
    package is followed to the module its ``__init__`` re-exports it from."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("engine")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("engine"):
            module = node.module or ""
            found.add(module)
            init = files.get(module)
            names = _reexports(init) if init is not None and init.name == "__init__.py" else {}
            for a in node.names:
                found.add(f"{module}.{a.name}")
                if a.name in names:
                    found.add(names[a.name])
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> engine modules it imports (names resolved to modules that exist); ``cli``
    included."""
    files = {_module_name(p): p for p in ENGINE.rglob("*.py")}
    files["cli"] = ROOT / "cli.py"
    return {name: {m for m in _imports(path, files) if m in files and m != name}
            for name, path in files.items()}


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_at_most_six_loose_modules_at_the_top_of_engine() -> None:
    loose = sorted(p.name for p in ENGINE.glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def test_optimize_and_simulate_import_nothing_from_jobs_commands_or_report() -> None:
    upward = sorted((m, i) for m, deps in _graph().items() if _within(m, LOWER)
                    for i in deps if _within(i, UPPER))
    assert upward == []


def test_no_import_cycles_among_engine_modules() -> None:
    """Package ``__init__`` re-exports aside: an edge into a package's ``__init__`` is
    followed to nothing (it only gathers names its own modules define)."""
    graph = _graph()
    packages = {m for m in graph if (ROOT / m.replace(".", "/") / "__init__.py").exists()}
    edges = {m: {d for d in deps if d not in packages} for m, deps in graph.items()
             if m not in packages}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(edges.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep):], dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_layering_check_sees_real_edges() -> None:
    """The graph is not empty by accident: known edges, through re-exports too, are found."""
    graph = _graph()
    assert "engine.simulate.monte_carlo" in graph["engine.jobs.run"]
    assert "engine.optimize.optimizer" in graph["engine.jobs.run"]
    assert "engine.simulate.columns" in graph["engine.simulate.result"]
    assert "engine.report.runfolder" in graph["cli"]
