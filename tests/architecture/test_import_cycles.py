"""No import circle between the files of ``erplite/`` (issue 11).

Arrows between files point one way: a file never imports, directly or through others, a file
that imports it. The graph is read from the source with ``ast`` (nothing is imported): every
``import``/``from ... import`` of a file counts, those inside functions included, except the
ones under ``if TYPE_CHECKING:`` (they never run). An import of a package counts as an arrow to
its ``__init__.py``; the parent packages Python loads on the way are not arrows (otherwise every
package that re-exports its children would be a circle with each of them). Bundled modules
imported as ``erplite.addons.<name>`` are the files of ``erplite/modules/<name>``.

A circle found is reported with the files in it and the import lines that close it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "erplite"

#: Circles that exist today and are being removed by someone else. This list may only shrink:
#: the test fails when one of them is no longer a circle (delete it here) and when a circle
#: grows or a new one appears.
ALLOWED_CIRCLES: list[frozenset[str]] = []


def _module_name(path: Path) -> str | None:
    """The dotted name of a source file, or ``None`` when it cannot be imported by name
    (migration scripts such as ``migrations/17.0.1.1/post-rename.py``)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def _source_files() -> dict[str, Path]:
    files = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        if name is not None:
            files[name] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement of ``tree``, at any depth, except under ``if TYPE_CHECKING:``."""
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def _canonical(name: str) -> str:
    """Bundled modules are imported under ``erplite.addons``; their files are under
    ``erplite/modules``."""
    prefix = "erplite.addons."
    if (
        name.startswith(prefix)
        and (PACKAGE / "modules" / name[len(prefix) :].split(".")[0]).is_dir()
    ):
        return "erplite.modules." + name[len(prefix) :]
    return name


def _targets(node: ast.Import | ast.ImportFrom, module: str, path: Path, files: dict) -> set[str]:
    """The files of ``erplite`` that the statement ``node`` of ``module`` imports."""
    if isinstance(node, ast.Import):
        names = [_canonical(alias.name) for alias in node.names]
        return {name for name in names if name in files}
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    base = _canonical(base)
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in files:
            found.add(submodule)
        elif base in files:
            found.add(base)
    return found


def import_graph() -> dict[str, dict[str, int]]:
    """``{file's module: {imported module: line of the first such import}}`` for ``erplite``."""
    files = _source_files()
    graph: dict[str, dict[str, int]] = {}
    for module, path in files.items():
        edges: dict[str, int] = {}
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in _import_nodes(tree):
            for target in _targets(node, module, path, files):
                if target != module:
                    edges.setdefault(target, node.lineno)
        graph[module] = dict(sorted(edges.items(), key=lambda item: item[1]))
    return graph


def circles(graph: dict[str, dict[str, int]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _describe(component: frozenset[str], graph: dict[str, dict[str, int]]) -> str:
    lines = [f"circle of {len(component)} files:"]
    for module in sorted(component):
        path = _source_files()[module].relative_to(ROOT)
        for target, line in graph[module].items():
            if target in component:
                lines.append(f"  {path}:{line} imports {target}")
    return "\n".join(lines)


def test_no_import_circle() -> None:
    graph = import_graph()
    found = circles(graph)
    unexpected = [component for component in found if component not in ALLOWED_CIRCLES]
    assert not unexpected, "import circles between files of erplite/:\n" + "\n".join(
        _describe(component, graph) for component in unexpected
    )


def test_allowed_circles_still_exist() -> None:
    """The allowlist only shrinks: a circle that was removed (or changed) must leave it."""
    found = circles(import_graph())
    gone = [sorted(component) for component in ALLOWED_CIRCLES if component not in found]
    assert not gone, f"no longer circles, delete them from ALLOWED_CIRCLES: {gone}"


def test_graph_sees_imports_inside_functions_and_skips_type_checking() -> None:
    """The walk finds a function-level import, resolves relative imports and ignores
    ``if TYPE_CHECKING:`` blocks, on a synthetic graph with a known circle."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from erplite.b import x\n"
        "def f():\n    from . import c\n"
    )
    files = {"erplite.a": Path("a.py"), "erplite.b": Path("b.py"), "erplite.c": Path("c.py")}
    targets = set()
    for node in _import_nodes(tree):
        targets |= _targets(node, "erplite.a", Path("a.py"), files)
    assert targets == {"erplite.c"}
    assert circles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [
        frozenset({"a", "b", "c"})
    ]
