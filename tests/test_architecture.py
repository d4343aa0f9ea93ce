"""The layer order of docs/DEVELOPING.md, read from the code: every import of ``app/`` points
down (or stays inside its own package), no allowance is used that the table doesn't name, and
no two modules import each other, directly or round a longer loop.

Imports inside functions count too: a lazy import hides a cycle from Python, not from a reader.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

#: Bottom to top; a unit may import units of lower layers only (the same table is in
#: docs/DEVELOPING.md). A unit is a top-level module of ``app/`` or a feature package.
LAYERS: list[set[str]] = [
    {"markup_parser", "settings"},
    {
        "models",
        "config",
        "markup",
        "mail",
        "textdiff",
        "confirm",
        "errors",
        "security",
        "precompressed",
    },
    {"extensions", "request_args", "application"},
    {"database", "tallies", "pagecache", "timers"},
    {"outbox", "fragments"},
    {"accounts"},
    {"kb", "wiki", "forum", "site_menu"},
    {"tickets"},
    {"channels", "incidents", "feedback", "team"},
    {"search", "metrics", "privacy", "rerender"},
    {"api", "ops"},
    {"__init__"},
]

#: Sideways imports inside one layer that the architecture allows, and why.
ALLOWED_SIDEWAYS: set[tuple[str, str]] = set()


def _layer_of(unit: str) -> int:
    for index, units in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"app/{unit} is in no layer: add it to LAYERS and docs/DEVELOPING.md")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(name: str, known: set[str]) -> str | None:
    """The ``app`` module an import names: the module itself, or its package."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """Module → the ``app`` modules it imports (at any depth of its code)."""
    paths = {_module_name(path): path for path in APP.rglob("*.py")}
    known = set(paths)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in paths.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                # ``from app.wiki import links`` imports the module app.wiki.links.
                targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
            for target in targets:
                resolved = _resolve(target, known) if target.startswith("app") else None
                if resolved and resolved != module:
                    graph[module].add(resolved)
    return graph


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, imported in graph.items():
        source = _unit(module)
        for target_module in imported:
            target = _unit(target_module)
            if source == target:
                continue
            upward = _layer_of(target) > _layer_of(source)
            sideways = _layer_of(target) == _layer_of(source)
            if upward or (sideways and (source, target) not in ALLOWED_SIDEWAYS):
                found.append(f"{module} -> {target_module}")
    return sorted(found)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_import_points_down_the_layers():
    assert layer_violations(import_graph()) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_the_checks_can_fail():
    """The two checks above see an upward arrow and a loop when there is one."""
    graph = {"app.kb.views": {"app.tickets.services"}, "app.tickets.services": {"app.kb.views"}}
    assert layer_violations(graph) == ["app.kb.views -> app.tickets.services"]
    assert cycles(graph) == [["app.kb.views", "app.tickets.services"]]
    assert layer_violations({"app.wiki.views": {"app.forum.models"}}) == [
        "app.wiki.views -> app.forum.models"
    ]


def test_every_unit_has_a_layer():
    units = {_unit(module) for module in import_graph()} | {
        path.stem if path.is_file() else path.name
        for path in APP.iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    for unit in units:
        assert _layer_of(unit) >= 0


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app"):
                offenders += [
                    f"{_module_name(path)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert offenders == []
