"""The import rule of the house, read from the source (no import runs).

Data moves one way: ``crawlers -> nlp -> storage <- pipeline``. ``storage`` is the ground floor and
imports nothing of ours; ``crawlers`` and ``nlp`` never import ``pipeline`` (nor each other: ``nlp``
never imports ``crawlers``); inside ``pipeline`` no module imports itself round a circle; only entry
points build components from config (``pipeline.wiring``); an import of our own code inside a function
says why it is deferred (a heavy optional dependency, on purpose).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOMS = ("crawlers", "nlp", "storage", "pipeline")
SKIP_DIRS = {"demo_site", "__pycache__", "data"}

FORBIDDEN = {
    "storage": {"crawlers", "nlp", "pipeline"},
    "crawlers": {"nlp", "pipeline"},
    "nlp": {"crawlers", "pipeline"},
}

# Entry points: they run a command, the service, the demo or a bench, so they may build components from config.
WIRING_USERS = ("pipeline.cli", "pipeline.service.scheduler", "pipeline.demo", "pipeline.benches", "pipeline.evals")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (a package's __init__ when a name is not a module)
    line: int
    local: bool  # inside a function or class body, not at module level
    typing_only: bool  # under ``if TYPE_CHECKING:``
    why_deferred: bool  # a comment on the line or just above says it is deferred


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> dict[str, Path]:
    files = {}
    for room in ROOMS:
        for path in (ROOT / room).rglob("*.py"):
            if SKIP_DIRS.isdisjoint(path.relative_to(ROOT).parts):
                files[_module_name(path)] = path
    return files


MODULES = _source_files()


def _resolve(name: str) -> str:
    """The longest prefix of ``name`` that is one of our modules (``pkg.mod.Class`` -> ``pkg.mod``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str, path: Path) -> list[Import]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    typing_nodes: set[int] = set()
    local_nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_nodes.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            local_nodes.update(id(n) for n in ast.walk(node) if n is not node)
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            target = _resolve(name)
            if not target:
                continue
            nearby = " ".join(lines[max(0, node.lineno - 3):node.end_lineno or node.lineno]).lower()
            found.append(Import(module, target, node.lineno, id(node) in local_nodes, id(node) in typing_nodes,
                                "deferred" in nearby))
    return found


IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]


def _room(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_lower_rooms_import_only_downhill(room: str) -> None:
    wrong = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
             if _room(i.module) == room and _room(i.target) in FORBIDDEN[room]]
    assert not wrong, f"{room} must not import {', '.join(sorted(FORBIDDEN[room]))}:\n" + "\n".join(wrong)


def test_no_import_cycle_inside_pipeline() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES if _room(m) == "pipeline"}
    for i in IMPORTS:
        if _room(i.module) == "pipeline" and _room(i.target) == "pipeline" and not i.typing_only:
            # importing a.b.c runs a/__init__ and a/b/__init__ first
            parts = i.target.split(".")
            for n in range(2, len(parts) + 1):
                parent = ".".join(parts[:n])
                if parent in graph and parent != i.module and not i.module.startswith(parent + "."):
                    graph[i.module].add(parent)
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles inside pipeline/:\n" + "\n".join(cycles)


def _sub_room(module: str) -> str:
    """``pipeline.alerts.outbox`` -> ``pipeline.alerts``; a top-level module is its own room."""
    return ".".join(module.split(".")[:2])


def test_no_cycle_between_pipeline_rooms() -> None:
    """Rooms (alerts, service, web, ...) depend one way, so each can be read without the ones above it."""
    edges: dict[tuple[str, str], list[str]] = {}
    for i in IMPORTS:
        a, b = _sub_room(i.module), _sub_room(i.target)
        if _room(i.module) == _room(i.target) == "pipeline" and a != b and not i.typing_only and not i.local:
            edges.setdefault((a, b), []).append(f"{i.module}:{i.line}")
    reach: dict[str, set[str]] = {}
    for a, b in edges:
        reach.setdefault(a, set()).add(b)
        reach.setdefault(b, set())
    changed = True
    while changed:  # transitive closure; a few dozen rooms
        changed = False
        for out in reach.values():
            more = set().union(*(reach[n] for n in out)) - out
            if more:
                out |= more
                changed = True
    # A direct import a -> b is wrong when b also reaches back to a.
    wrong = [f"{a} -> {b} ({', '.join(sorted(set(where)))}) while {b} reaches {a}"
             for (a, b), where in sorted(edges.items()) if a in reach[b]]
    assert not wrong, "pipeline rooms that depend on each other (move the shared part down):\n" + "\n".join(wrong)


def test_only_entry_points_import_the_wiring() -> None:
    wrong = [f"{i.module}:{i.line}" for i in IMPORTS if i.target == "pipeline.wiring"
             and not any(i.module == e or i.module.startswith(e + ".") for e in WIRING_USERS)]
    assert not wrong, ("pipeline.wiring builds components from config; only entry points may import it "
                       f"({', '.join(WIRING_USERS)}); pass what you need in instead:\n" + "\n".join(wrong))


def test_function_local_imports_of_our_code_say_why() -> None:
    silent = [f"{i.module}:{i.line} imports {i.target}" for i in IMPORTS
              if i.local and not i.typing_only and not i.why_deferred]
    assert not silent, ("import our own modules at the top of the file; an import deferred on purpose "
                        "(a heavy optional dependency) carries a comment saying so:\n" + "\n".join(silent))


def test_the_rule_reads_every_room() -> None:
    """Guards the test itself: an empty module list would pass every check above."""
    assert {_room(m) for m in MODULES} == set(ROOMS)
    assert any(i.target == "storage.models" for i in IMPORTS)
