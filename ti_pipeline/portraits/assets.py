"""The ``portraits`` Dagster asset: the HTML portraits, downstream of the marts they read.

A thin edge over ``build.build_portraits``: it reads the published marts in ``data/marts/`` and
publishes ``data/portraits/`` atomically. Its dependencies are the marts the portraits know how to
show that the SQL project defines (``dbt_like_sql/marts/<mart>.sql``), so a mart landing later
becomes an upstream of the portraits without touching this file.

When the published version of every mart read and the portraits' code are those of the last
build (recorded in ``data/.portraits.state.json``), the pages are not rebuilt: the materialization
says so (``skipped``). Any new mart version or code change rebuilds them.
"""

import hashlib
import json
import os
from pathlib import Path

import dagster as dg

from ti_pipeline.config import PROJECT_ROOT, get_paths
from ti_pipeline.portraits.build import build_portraits, default_out_dir
from ti_pipeline.portraits.marts import PORTRAIT_MARTS

STATE_FILE = ".portraits.state.json"

MARTS_SQL_DIR = PROJECT_ROOT / "dbt_like_sql" / "marts"


def upstream_marts(models_dir=MARTS_SQL_DIR) -> list[str]:
    """The portrait marts that have a SQL model (a dependency on an undefined asset would be an error)."""
    defined = {p.stem for p in models_dir.rglob("*.sql")} if models_dir.exists() else set()
    return [m for m in PORTRAIT_MARTS if m in defined]


@dg.asset(
    name="portraits",
    group_name="portraits",
    kinds={"html"},
    deps=[dg.AssetKey(m) for m in upstream_marts()],
    description="One self-contained HTML page per territory and an index with search (data/portraits/), "
    "built only from the published Parquet marts; a banner marks pages built from the synthetic sample.",
)
def portraits(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    paths = get_paths()
    out = default_out_dir(paths.data_dir)
    state_path = paths.data_dir / STATE_FILE
    inputs = build_inputs(paths.marts)
    state = _recorded_state(paths)
    if portraits_up_to_date(paths, inputs):
        return dg.MaterializeResult(
            metadata={
                "index": dg.MetadataValue.path(str(out / "index.html")),
                "version": dg.MetadataValue.path(state["version_dir"]),
                "skipped": True,
                "skipped_reason": "mart versions and portraits code unchanged since the last build",
            }
        )
    built = build_portraits(paths.marts, out)
    tmp = state_path.with_name(state_path.name + ".tmp")
    tmp.write_text(json.dumps({"inputs": inputs, "version_dir": str(built.version_dir.resolve())}))
    os.replace(tmp, state_path)
    if built.marts_absents:
        context.log.info("Marts not published yet, their sections say so: " + ", ".join(sorted(built.marts_absents)))
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(built.index)),
            "version": dg.MetadataValue.path(str(built.version_dir)),
            "territoires": dg.MetadataValue.int(len(built.territoires)),
            "synthetic": dg.MetadataValue.bool(built.synthetic),
            "marts": dg.MetadataValue.json(built.marts),
            "marts_absents": dg.MetadataValue.json(built.marts_absents),
        }
    )


def _recorded_state(paths) -> dict:
    try:
        return json.loads((paths.data_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def portraits_up_to_date(paths, inputs: dict | None = None) -> bool:
    """Whether the published pages were built from the current mart versions and code."""
    state = _recorded_state(paths)
    inputs = build_inputs(paths.marts) if inputs is None else inputs
    out = default_out_dir(paths.data_dir)
    return (
        state.get("inputs") == inputs
        and Path(state.get("version_dir", "")).is_dir()
        and out.resolve() == Path(state["version_dir"])
    )


def build_inputs(marts_dir: Path) -> dict:
    """What the pages are a function of: the published version of each mart, and the code."""
    code = hashlib.sha256()
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):
        code.update(f.name.encode() + b"\0" + f.read_bytes())
    versions = {m: str((marts_dir / m).resolve()) for m in PORTRAIT_MARTS if (marts_dir / m).exists()}
    return {"marts": versions, "code": code.hexdigest()}
