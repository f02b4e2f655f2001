"""The shape of the package (issue 12): no import cycles, stages import only stages below them,
no module over 600 lines.

Imports are read with ``ast`` from the source, at module level and inside functions (a lazy
import is still a dependency), ``if TYPE_CHECKING:`` blocks included. ``from . import x`` counts
as importing the submodule ``x`` when there is one, else the package itself.

The stage order is :data:`LAYERS`; it applies to the stage subpackages that exist, so the test
also passes on the old flat layout (where only cycles and sizes are checked). See
CONTRIBUTING.md for the diagram.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "perfscore"

#: Stage subpackages, lowest first. A module in a stage may import its own stage and the stages
#: before it, and perfscore.errors (which is at the bottom, with text). The top-level modules
#: (the package itself and the public facades perfscore.model, .targets, ...) come after
#: testing and before cli: a stage module imports the defining module, never a facade.
LAYERS: tuple[str, ...] = (
    "text",
    "core",
    "read",
    "rules",
    "engine",
    "build",
    "render",
    "review",
    "batch",
    "report",
    "testing",
    "<top>",
    "cli",
)

MAX_LINES = 600

#: Import edges allowed although they close a cycle or go up a stage, with the reason.
ALLOWED_EDGES: dict[tuple[str, str], str] = {}

#: Modules allowed over MAX_LINES, with the reason.
ALLOWED_LONG: dict[str, str] = {}

#: Before restructure.py runs (flat layout), the modules it splits are still whole.
SPLIT_BY_RESTRUCTURE = {
    "perfscore.review",
    "perfscore._tabular",
    "perfscore.targets",
    "perfscore._build",
    "perfscore.strategies",
    "perfscore._properties",
    "perfscore._rules",
    "perfscore._yaml",
}


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_data" in path.relative_to(PACKAGE).parts:
            continue
        parts = ["perfscore", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()
STAGES_PRESENT = {name for name in LAYERS if (PACKAGE / name / "__init__.py").exists()}


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def imports_of(name: str) -> Iterator[tuple[str, int]]:
    """The perfscore modules ``name`` imports, with the line of each import."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    here = name if is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                full = ".".join(base + ([node.module] if node.module else []))
            else:
                full = node.module or ""
            if not (full == "perfscore" or full.startswith("perfscore.")):
                continue
            for alias in node.names:
                sub = f"{full}.{alias.name}"
                if sub in MODULES:
                    yield sub, node.lineno
                elif full in MODULES:
                    yield full, node.lineno


GRAPH: dict[str, dict[str, int]] = {
    name: {target: line for target, line in imports_of(name) if target != name} for name in MODULES
}


def rank(name: str) -> int | None:
    """The stage rank of a module, None when the layout is flat (no stage packages)."""
    if not STAGES_PRESENT:
        return None
    parts = name.split(".")
    if name == "perfscore.errors":
        return LAYERS.index("text")
    if name == "perfscore.__main__":
        return LAYERS.index("cli")
    if len(parts) >= 2 and parts[1] in STAGES_PRESENT:
        return LAYERS.index(parts[1])
    return LAYERS.index("<top>")


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), allowed edges removed."""
    graph = {a: [b for b in targets if (a, b) not in ALLOWED_EDGES] for a, targets in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
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
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_is_read() -> None:
    # A guard for the test itself: the walk finds imports, lazy ones included.
    assert len(MODULES) > 30
    assert sum(len(t) for t in GRAPH.values()) > 100
    cli = "perfscore.cli.main" if "perfscore.cli.main" in MODULES else "perfscore.cli"
    assert any("review" in target for target in GRAPH[cli]) or any(
        "review" in target
        for name in MODULES
        if name.startswith("perfscore.cli")
        for target in GRAPH[name]
    )


def test_no_import_cycles() -> None:
    found = cycles()
    detail = []
    for component in found:
        members = set(component)
        edges = [
            f"{a} → {b} (line {line})"
            for a in component
            for b, line in GRAPH[a].items()
            if b in members and (a, b) not in ALLOWED_EDGES
        ]
        detail.append(" | ".join(edges))
    assert found == [], "import cycles:\n" + "\n".join(detail)


def test_allowed_edges_still_exist() -> None:
    """An allow-list entry whose import is gone must be deleted (so the list cannot go stale);
    entries of the other layout (flat or staged) are ignored."""
    stale = [
        f"{a} → {b}"
        for (a, b), _reason in ALLOWED_EDGES.items()
        if a in MODULES and b in MODULES and b not in GRAPH[a]
    ]
    assert stale == [], f"delete these entries of ALLOWED_EDGES: {stale}"


def test_stages_import_only_stages_below() -> None:
    if not STAGES_PRESENT:
        pytest.skip("flat layout: no stage subpackages yet (restructure.py creates them)")
    wrong = []
    for a, targets in GRAPH.items():
        ra = rank(a)
        for b, line in targets.items():
            rb = rank(b)
            if ra is not None and rb is not None and rb > ra and (a, b) not in ALLOWED_EDGES:
                wrong.append(f"{a} (line {line}) imports {b}: {LAYERS[rb]} is above {LAYERS[ra]}")
    assert wrong == [], "\n".join(wrong)


def test_stage_packages_say_their_job_and_imports() -> None:
    missing = []
    for stage in sorted(STAGES_PRESENT):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text("utf-8")))
        if not doc or "Imports:" not in doc:
            missing.append(stage)
    assert missing == [], f"stage __init__ docstrings without an 'Imports:' line: {missing}"


def test_no_module_over_600_lines() -> None:
    allowed = dict(ALLOWED_LONG)
    if not STAGES_PRESENT:
        allowed.update(dict.fromkeys(SPLIT_BY_RESTRUCTURE, "split by restructure.py (issue 12)"))
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and name not in allowed
    }
    assert long == {}, f"modules over {MAX_LINES} lines (split them by job): {long}"
