"""What a model's run produced, and what is kept of it so that an unchanged model is not run again.

What belongs here: ``ModelRunResult``; the fingerprint of a model — the SQL file's sha256 (with the
macros it calls), the variables it reads, the runner's code, the mode, and the fingerprints of
everything it reads (raw partitions: their provenance ``fingerprint``, from file sha256 and
reading code; models: their own fingerprint, recursively); the record of each result in
``lake/.state/<model>.json`` (for a mart: the audited build it made, ``builds``), and the
recorded result given back when the current fingerprint equals the recorded one *and* the output
files still carry it (``skipped=True``).

Not here: building a model (``execute``), where outputs live (``relations``), test SQL (``data_tests``).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from ti_pipeline.config import Paths, get_mode
from ti_pipeline.lake import PROVENANCE_KEY, raw_files, read_file_metadata
from ti_pipeline.sql_runner.data_tests import DataTestResult
from ti_pipeline.sql_runner.project import Model, SqlProject
from ti_pipeline.sql_runner.relations import table_path


@dataclass
class ModelRunResult:
    model: str
    materialized: str
    row_count: int
    columns: list[tuple[str, str]]  # (name, DuckDB type) as readers see them
    preview_columns: list[str]
    preview_rows: list[tuple]
    path: Path | None  # None for views
    version_dir: Path | None = None  # marts: the published version folder ``path`` points to
    test_results: list[DataTestResult] = field(default_factory=list)
    file_metadata: dict[str, Any] = field(default_factory=dict)
    fingerprint: str | None = None  # what the result is a function of (None: not fingerprinted)
    skipped: bool = False  # inputs unchanged: the recorded result, nothing was run
    seconds: float | None = None  # how long building it took (skipped: at the recorded run)


FINGERPRINT_KEY = "ti_pipeline.fingerprint"  # key of the fingerprint in the files a model writes
STATE_DIR = ".state"

_PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def runner_code_fingerprint() -> str:
    """The code that turns SQL into files: the runner and the lake writer."""
    h = hashlib.sha256()
    for f in sorted((_PACKAGE / "sql_runner").glob("*.py")) + [_PACKAGE / "lake.py"]:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _raw_fingerprint(paths: Paths, raw_asset: str) -> str | None:
    """The raw partitions a model reads: each vintage's fingerprint (None if one has none)."""
    parts = []
    for f in raw_files(paths, raw_asset.removeprefix("raw_")):
        provenance = read_file_metadata(f).get(PROVENANCE_KEY.decode(), {})
        if not provenance.get("fingerprint"):
            return None
        parts.append([f.parent.name, provenance["fingerprint"]])
    return json.dumps(parts) if parts else None


def model_fingerprint(
    project: SqlProject, name: str, paths: Paths, variables: Mapping[str, Any], _memo: dict | None = None
) -> str | None:
    """What the result of model ``name`` is a function of; None when something upstream is unknown."""
    memo = {} if _memo is None else _memo
    if name in memo:
        return memo[name]
    model = project.models[name]
    deps = {}
    for dep in model.all_deps:
        if dep in project.raw_sources:
            if dep not in memo:
                memo[dep] = _raw_fingerprint(paths, dep)
            fp = memo[dep]
        else:
            fp = model_fingerprint(project, dep, paths, variables, memo)
        if fp is None:
            memo[name] = None
            return None
        deps[dep] = fp
    key = {
        "sql": model.sql_hash,
        "materialized": model.materialized,
        # only the variables this file reads: what it reads through a model is in that model's fingerprint
        "variables": {k: str(v) for k, v in sorted(variables.items()) if k in model.variables_used},
        "mode": get_mode(),
        "code": runner_code_fingerprint(),
        "deps": deps,
    }
    memo[name] = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return memo[name]


def _state_path(paths: Paths, model: Model) -> Path:
    return paths.lake / STATE_DIR / f"{model.name}.json"


def record_result(paths: Paths, model: Model, result: ModelRunResult) -> None:
    state = {
        "fingerprint": result.fingerprint,
        "materialized": result.materialized,
        "row_count": result.row_count,
        "columns": result.columns,
        "preview_columns": result.preview_columns,
        "preview_rows": [list(r) for r in result.preview_rows],
        "path": str(result.path) if result.path else None,
        "version_dir": str(result.version_dir) if result.version_dir else None,
        "seconds": result.seconds,
        "tests": [
            {"name": r.test.name, "passed": r.passed, "failing_count": r.failing_count, "columns": r.columns,
             "examples": [list(e) for e in r.examples], "error": r.error}
            for r in result.test_results
        ],
    }
    path = _state_path(paths, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp_{path.name}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(state, default=str))
    os.replace(tmp, path)


def _output_fingerprint(model: Model, state: dict, paths: Paths) -> str | None:
    """The fingerprint written in the model's current output files (views: the recorded one)."""
    if model.materialized == "view":
        return state["fingerprint"]
    if model.materialized == "table":
        path = table_path(paths, model)
        if not path.is_file() or str(path) != state.get("path"):
            return None
        return read_file_metadata(path).get(FINGERPRINT_KEY)
    # a mart: its latest audited build (what the next release links), still on disk
    version = Path(state.get("version_dir") or "")
    if not state.get("version_dir") or not version.is_dir():
        return None
    files = sorted(version.rglob("*.parquet"))
    return read_file_metadata(files[0]).get(FINGERPRINT_KEY) if files else None


def recorded_result(paths: Paths, model: Model, fingerprint: str) -> ModelRunResult | None:
    path = _state_path(paths, model)
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if state.get("fingerprint") != fingerprint or _output_fingerprint(model, state, paths) != fingerprint:
        return None
    tests = {t.name: t for t in model.tests}
    results = [
        DataTestResult(tests[t["name"]], t["passed"], t["failing_count"], t["columns"], [tuple(e) for e in t["examples"]], t["error"])
        for t in state["tests"]
        if t["name"] in tests
    ]
    if len(results) != len(model.tests):
        return None
    return ModelRunResult(
        model=model.name,
        materialized=model.materialized,
        row_count=state["row_count"],
        columns=[tuple(c) for c in state["columns"]],
        preview_columns=state["preview_columns"],
        preview_rows=[tuple(r) for r in state["preview_rows"]],
        path=Path(state["path"]) if state["path"] else None,
        version_dir=Path(state["version_dir"]) if state["version_dir"] else None,
        test_results=results,
        fingerprint=fingerprint,
        skipped=True,
        seconds=state.get("seconds"),
    )


def recorded_seconds(paths: Paths, model: Model) -> float | None:
    """How long the model took at its last recorded run (None: never recorded, or unreadable)."""
    try:
        seconds = json.loads(_state_path(paths, model).read_text()).get("seconds")
    except (OSError, ValueError):
        return None
    return float(seconds) if isinstance(seconds, (int, float)) else None


__all__ = [
    "FINGERPRINT_KEY",
    "ModelRunResult",
    "STATE_DIR",
    "model_fingerprint",
    "record_result",
    "recorded_result",
    "recorded_seconds",
    "runner_code_fingerprint",
]
