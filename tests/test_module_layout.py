"""The layout issue 22 asks for, for the modules split so far: no import circle among the source
modules, and no module of sources/ or sql_runner/ far over 500 lines (the catalog excepted: it
is data, one declaration per source)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ti_pipeline"
SPLIT = ["sources", "sql_runner"]
NOT_CODE = {"sources/catalog.py"}


def _imports(path: Path) -> set[str]:
    """ti_pipeline modules imported by ``path``, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ti_pipeline"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ti_pipeline")}
    return found


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_source_modules_import_each_other_one_way():
    files = {_module(p): p for p in (PACKAGE / "sources").rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in files and i != m} for m, p in files.items()}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph[node]:
            if nxt in path:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif len(path) < 12:
                visit(nxt, path + [nxt])

    for m in graph:
        # a package's __init__ re-exporting its modules is not a circle
        graph[m] = {n for n in graph[m] if not m.startswith(n + ".")}
    for m in graph:
        visit(m, [m])
    assert not cycles, cycles


@pytest.mark.parametrize("folder", SPLIT)
def test_no_module_far_over_500_lines(folder):
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in (PACKAGE / folder).rglob("*.py")
        if str(p.relative_to(PACKAGE)) not in NOT_CODE and (n := len(p.read_text(encoding="utf-8").splitlines())) > 550
    }
    assert not long, long
