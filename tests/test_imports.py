"""Imports run one way: routes → views → services, queries and loaders → models → db.

The modules of ``ideas/`` are read, not imported: every import statement
counts, at the top of a module or inside a function, absolute or relative.
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "ideas"
# The commands and the application put the site together; only they see the whole of it.
WEB_ENTRY_POINTS = frozenset({"ideas.app", "ideas.routes", "ideas.cli", "ideas.__main__"})
ROUTING = "starlette.routing"
# ideas.web.routing: the router itself (Starlette's, asking fewer routes).
ROUTING_ALLOWED = frozenset({"ideas.app", "ideas.routes", "ideas.cli", "ideas.web.routing"})


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``imported`` (a module of ours, or a dotted name elsewhere)."""

    importer: str
    imported: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line} imports {self.imported}"


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package by dotted name, with its file and whether it is a package."""
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement names: ``from a.b import c`` names a.b.c,
    which may be a module, or something a module a.b holds."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([base] if base else []))
    for alias in node.names:
        yield f"{base}.{alias.name}"


@functools.cache
def imports() -> tuple[Import, ...]:
    """Every import between modules of ``ideas/``, and every import of another project."""
    modules = _modules()
    found: set[Import] = set()
    for module, (path, is_package) in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, module, is_package):
                if target.partition(".")[0] != PACKAGE:
                    found.add(Import(module, target, path, node.lineno))
                    continue
                # The deepest module of ours the name lies in: ideas.errors for
                # ideas.errors.NotFound, ideas.challenges.views for that module itself.
                while target not in modules:
                    target = target.rpartition(".")[0]
                if target != module:
                    found.add(Import(module, target, path, node.lineno))
    return tuple(sorted(found, key=lambda i: (i.importer, i.line, i.imported)))


def internal() -> list[Import]:
    return [i for i in imports() if i.imported.partition(".")[0] == PACKAGE]


def kind(module: str) -> str:
    """What a module is by its file name: views (``views.py``, ``*_views.py``), services
    (``services.py``, ``*_services.py``), queries, loaders, models, or other."""
    name = module.rpartition(".")[2]
    for known in ("views", "services", "queries", "loaders", "models"):
        if name == known or name.endswith(f"_{known}"):
            return known
    return "other"


def concept(module: str) -> str:
    """The package a module belongs to: ``ideas.voting`` for ``ideas.voting.views``."""
    return ".".join(module.split(".")[:2])


def report(title: str, found: list[Import]) -> str:
    return title + ":\n" + "\n".join(f"  {i}" for i in found)


# Circles ----------------------------------------------------------------------------


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
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
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _circle(graph: dict[str, set[str]], members: list[str]) -> list[str]:
    """The shortest way from the first of ``members`` back to itself, through them."""
    start, inside = members[0], set(members)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph[node] & inside):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"no circle through {start}")  # pragma: no cover - members are one


def circles() -> list[str]:
    """Each group of modules that import one another, as one circle through them."""
    found = internal()
    graph: dict[str, set[str]] = {module: set() for module in _modules()}
    where: dict[tuple[str, str], Import] = {}
    for i in found:
        graph[i.importer].add(i.imported)
        where.setdefault((i.importer, i.imported), i)
    described = []
    for members in _strongly_connected(graph):
        if len(members) < 2:
            continue
        circle = _circle(graph, members)
        lines = [" → ".join(circle)]
        lines += [f"    {where[pair]}" for pair in itertools.pairwise(circle)]
        if len(members) > len(circle) - 1:
            lines.append(f"    (one of {len(members)} modules that import each other)")
        described.append("\n".join(lines))
    return described


def test_no_module_imports_itself_back_through_others() -> None:
    found = circles()
    assert not found, "Import circles between modules:\n" + "\n".join(found)


# Layers -----------------------------------------------------------------------------


def test_nothing_below_the_web_layer_imports_the_routes_or_the_app() -> None:
    """Code that needs URLs (e-mail) is handed a URL builder instead."""
    found = [
        i
        for i in internal()
        if i.imported in {"ideas.routes", "ideas.app"} and i.importer not in WEB_ENTRY_POINTS
    ]
    assert not found, report("Below the web layer, importing the routes or the app", found)


def test_a_view_borrows_nothing_from_the_views_of_another_concept() -> None:
    """What pages of several concepts need lives in the owning concept's loaders."""
    found = [
        i
        for i in internal()
        if kind(i.importer) == "views"
        and kind(i.imported) == "views"
        and concept(i.importer) != concept(i.imported)
    ]
    assert not found, report("Views importing another concept's views", found)


def test_only_the_routes_and_the_app_import_views() -> None:
    """Services, queries, loaders and everything else below the views stay out of them."""
    found = [
        i
        for i in internal()
        if kind(i.imported) == "views"
        and kind(i.importer) != "views"
        and i.importer not in WEB_ENTRY_POINTS
    ]
    assert not found, report("Below the views, importing views", found)


def test_models_import_no_services_queries_views_or_loaders() -> None:
    found = [
        i
        for i in internal()
        if kind(i.importer) == "models"
        and kind(i.imported) in {"services", "queries", "views", "loaders"}
    ]
    assert not found, report("Models importing what is above them", found)


def test_services_queries_and_loaders_import_no_views() -> None:
    found = [
        i
        for i in internal()
        if kind(i.importer) in {"services", "queries", "loaders"} and kind(i.imported) == "views"
    ]
    assert not found, report("Services, queries or loaders importing views", found)


def test_only_the_web_layer_imports_starlette_routing() -> None:
    """Routes are the app's, its commands' and its views' business."""
    found = [
        i
        for i in imports()
        if (i.imported == ROUTING or i.imported.startswith(f"{ROUTING}."))
        and i.importer not in ROUTING_ALLOWED
        and kind(i.importer) != "views"
    ]
    assert not found, report("Importing starlette.routing outside the web layer", found)


def test_the_walk_finds_the_imports_it_is_about() -> None:
    """The checks above pass on a graph that holds what they look for."""
    found = {(i.importer, i.imported) for i in imports()}
    assert ("ideas.routes", "ideas.challenges.views") in found  # from ideas.challenges import views
    assert ("ideas.routes", f"{ROUTING}.Route") in found
    assert ("ideas.cli", "ideas.routes") in found  # inside a function
    assert ("ideas.submissions.views", "ideas.challenges.loaders") in found
    assert kind("ideas.voting.compare_views") == "views"
    assert kind("ideas.voting.compare_services") == "services"


# Tests ---------------------------------------------------------------------

TEST_ROOTS = ("tests", "bench")


def _is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_modules_and_conftests_are_imported_by_no_other_module() -> None:
    """Shared helpers live in tests/factories/ (or tests/support/): a test module or a
    conftest is collected by pytest, never imported by another file."""
    found = []
    for root in TEST_ROOTS:
        for path in sorted((ROOT / root).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    named = [(alias.name, "") for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    named = [(node.module, alias.name) for alias in node.names]
                    named += [(f"{node.module}.{alias.name}", "") for alias in node.names]
                else:
                    continue
                for module, name in named:
                    if not module.startswith(TEST_ROOTS):
                        continue
                    if _is_test_module(module):
                        where = path.relative_to(ROOT)
                        found.append(f"{where}:{node.lineno} imports {module} {name}".rstrip())
    assert not found, "\n".join(["Move what is shared to tests/factories/:", *found])
