"""The package layout: layers import downwards only, no import cycle, Dagster only in ``defs`` and
above, no module over 500 lines.

The layers of ``ti_pipeline`` (shared/DESIGN.md, "Layers and names"), lowest first; a module may
import from its own layer and the layers below it, never from a layer above:

    foundation (config, lake, publication) -> sources -> validation -> ingest -> sql_runner -> geo
    -> portraits -> releases -> defs -> definitions -> tools (launch, cli, docs, sample)

``ingest`` sits above ``validation`` because ingesting a vintage validates it (``ingest.vintages``
calls ``validation.validate``); ``validation`` knows nothing of ingestion.

Every import statement counts, at module level or inside a function (a lazy import is still a
dependency), including those under ``if TYPE_CHECKING``. Run as a script to print the imports
between layers: ``.venv/bin/python tests/test_layout.py``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ti_pipeline"
MAX_LINES = 500

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("ti_pipeline", "ti_pipeline.config", "ti_pipeline.lake", "ti_pipeline.publication")),
    ("sources", ("ti_pipeline.sources",)),
    ("validation", ("ti_pipeline.validation",)),
    ("ingest", ("ti_pipeline.ingest",)),
    ("sql_runner", ("ti_pipeline.sql_runner",)),
    # commune shapes and territory outlines: read the lake, publish marts like sql_runner, read by portraits
    ("geo", ("ti_pipeline.geo",)),
    ("portraits", ("ti_pipeline.portraits",)),
    ("releases", ("ti_pipeline.releases",)),
    ("defs", ("ti_pipeline.defs",)),
    ("definitions", ("ti_pipeline.definitions",)),
    ("tools", ("ti_pipeline.launch", "ti_pipeline.cli", "ti_pipeline.cli_releases", "ti_pipeline.recovery", "ti_pipeline.run_lock",
               "ti_pipeline.run_report", "ti_pipeline.user_errors", "ti_pipeline.docs", "ti_pipeline.sample", "ti_pipeline.__main__")),
]

# Short and explicit, each with the reason it is allowed; empty since the sources-split branch broke
# the download <-> locate circle and split readers.py, download.py and execute.py.
CYCLE_EXEMPTIONS: dict[frozenset[str], str] = {}
SIZE_EXEMPTIONS: dict[str, str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if ".venv" not in p.parts}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module of ``ti_pipeline`` that ``name`` is, or the nearest package holding it."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The ``ti_pipeline`` modules ``module`` imports, anywhere in its file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` imports the module ``pkg.sub``; ``from pkg import name``, ``pkg``.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            if target == "ti_pipeline" or target.startswith("ti_pipeline."):
                resolved = _resolve(target, known)
                if resolved and resolved != module:
                    found.add(resolved)
    return found


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer index): the longest prefix wins
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), index)
    return best[1] if best else None


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports(m, p, known) for m, p in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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


def test_every_module_has_a_layer():
    unplaced = [m for m in modules() if layer_of(m) is None]
    assert not unplaced, f"modules in no layer (add them to LAYERS in {Path(__file__).name}): {unplaced}"


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in import_graph().items()
        for t in sorted(targets)
        if layer_of(m) is not None and layer_of(t) is not None and layer_of(t) > layer_of(m)
    ]
    assert not upward, "imports against the layers (a lower layer imports a higher one):\n" + "\n".join(upward)


def test_no_import_cycle():
    found = [sorted(c) for c in cycles(import_graph()) if c not in CYCLE_EXEMPTIONS]
    assert not found, f"import cycles between modules of ti_pipeline: {found}"


def test_cycle_exemptions_are_still_needed():
    stale = [sorted(c) for c in CYCLE_EXEMPTIONS if c not in cycles(import_graph())]
    assert not stale, f"no longer a cycle, remove the exemption: {stale}"


def test_dagster_only_in_defs_and_above():
    """Plain logic (sources, validation, ingest, sql_runner, portraits) never imports Dagster."""
    lowest = [name for name, _ in LAYERS].index("defs")
    plain = []
    for m, path in modules().items():
        if layer_of(m) is not None and layer_of(m) < lowest:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n == "dagster" or n.startswith("dagster.") or n.startswith("dagster_") for n in names):
                    plain.append(m)
    assert not plain, f"Dagster imported below defs/: {sorted(set(plain))}"


def test_no_module_over_500_lines():
    root = PACKAGE.parent
    sizes = {str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines()) for p in modules().values()}
    over = {p: n for p, n in sizes.items() if n > MAX_LINES and p not in SIZE_EXEMPTIONS}
    assert not over, f"modules over {MAX_LINES} lines (split them by what changes together): {over}"
    stale = [p for p in SIZE_EXEMPTIONS if sizes.get(p, 0) <= MAX_LINES]
    assert not stale, f"no longer over {MAX_LINES} lines (or gone), remove the exemption: {stale}"


def test_the_checker_sees_an_upward_import_and_a_cycle(tmp_path):
    """The checks above would fail on a violation (guards against a checker that finds nothing)."""
    graph = {"ti_pipeline.sources.catalog": {"ti_pipeline.defs.raw"}, "ti_pipeline.defs.raw": {"ti_pipeline.sources.catalog"}}
    assert layer_of("ti_pipeline.defs.raw") > layer_of("ti_pipeline.sources.catalog")
    assert cycles(graph) == [frozenset(graph)]
    known = {"ti_pipeline.defs": tmp_path, "ti_pipeline.defs.raw": tmp_path, "ti_pipeline.sources": tmp_path}
    source = tmp_path / "mod.py"
    source.write_text("def f():\n    from ti_pipeline.defs import raw\n    import ti_pipeline.sources.nothing\n")
    assert imports("ti_pipeline.x", source, known) == {"ti_pipeline.defs.raw", "ti_pipeline.sources"}


if __name__ == "__main__":
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for m, targets in import_graph().items():
        for t in targets:
            a, b = layer_of(m), layer_of(t)
            if a is not None and b is not None and a != b:
                edges[LAYERS[a][0], LAYERS[b][0]] += 1
    for (a, b), n in sorted(edges.items(), key=lambda e: ([x[0] for x in LAYERS].index(e[0][0]), e[0][1])):
        print(f"{a:12} -> {b:12} {n:3} import(s)")
    print("cycles:", [sorted(c) for c in cycles(import_graph())] or "none")
