"""The import graph of src/readlist and the layer rules it must follow; `python -m tests.import_graph` prints
every broken rule (exit 1), and tests/test_layers.py holds the suite to it.

Layers, lowest first: base (vocabulary, ids, settings, text, terminal helpers) → store → importer, export,
search, net → services → api (`Library`, the door) → front ends (cli, commands, output, web). An import goes
down, never up; front ends skip straight to the door (never the store, services or the packages under them);
the four middle packages do not import each other; no two modules or packages import each other in a cycle.
Every import counts: module level, inside functions and under TYPE_CHECKING alike.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

BASE, STORE, MIDDLE, SERVICES, API, FRONT, FACADE = range(7)
RANKS = {
    "readlist.version": BASE,
    "readlist.errors": BASE,
    "readlist.domain": BASE,
    "readlist.ids": BASE,
    "readlist.files": BASE,
    "readlist.config": BASE,
    "readlist.location": BASE,
    "readlist.text": BASE,
    "readlist.batchgc": BASE,
    "readlist.forked": BASE,
    "readlist.interrupts": BASE,
    "readlist.term": BASE,
    "readlist.store": STORE,
    "readlist.importer": MIDDLE,
    "readlist.export": MIDDLE,
    "readlist.search": MIDDLE,
    "readlist.net": MIDDLE,
    "readlist.recommend": MIDDLE,
    "readlist.services": SERVICES,
    "readlist.api": API,
    "readlist.output": FRONT,
    "readlist.commands": FRONT,
    "readlist.cli": FRONT,
    "readlist.entry": FRONT,
    "readlist.web": FRONT,
    "readlist": FACADE,  # `from readlist import Library`: the package itself only re-exports the door
}


def modules(src: Path = SRC) -> dict[str, Path]:
    found = {}
    for path in sorted((src / "readlist").rglob("*.py")):
        name = ".".join(path.relative_to(src).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def edges(src: Path = SRC) -> dict[str, set[str]]:
    """module → the readlist modules it imports (a name imported from a package counts as its module if one
    exists by that name, else as the package)."""
    known = modules(src)
    out: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                if base == "readlist" or base.startswith("readlist."):
                    for alias in node.names:
                        child = f"{base}.{alias.name}"
                        out[name].add(child if child in known else base)
            elif isinstance(node, ast.Import):
                out[name].update(a.name for a in node.names if a.name.startswith("readlist"))
    return out


def layer(module: str) -> tuple[str, int]:
    """(the layer's package, its rank) for a module: its longest listed prefix."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in RANKS:
            return prefix, RANKS[prefix]
    raise KeyError(f"{module} belongs to no layer: add its package to RANKS in tests/import_graph.py")


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for source, targets in sorted(graph.items()):
        home, rank = layer(source)
        for target in sorted(targets):
            there, target_rank = layer(target)
            if there == home:
                continue
            if rank == FRONT and target_rank not in (BASE, API, FRONT):
                found.append(f"{source} → {target}: a front end goes through the door (readlist.api)")
            elif target_rank > rank:
                found.append(f"{source} → {target}: an upward import")
            elif target_rank == rank and rank in (STORE, MIDDLE, SERVICES, API):
                found.append(f"{source} → {target}: {home} and {there} are peers and must not import each other")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or around a loop (Tarjan's strongly connected
    components), then the same for packages."""
    found = _components(graph)
    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.items():
        for target in targets:
            a, b = layer(source)[0], layer(target)[0]
            if a != b:
                packages[a].add(b)
    return found + _components(packages)


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    graph = edges()
    problems = layer_violations(graph) + [f"cycle: {' ↔ '.join(group)}" for group in cycles(graph)]
    for problem in problems:
        print(problem)
    total = sum(len(t) for t in graph.values())
    print(f"{len(graph)} modules, {total} imports, {len(problems)} broken rule(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
