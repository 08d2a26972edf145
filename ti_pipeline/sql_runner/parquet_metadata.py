"""The key-value metadata every Parquet file written by a SQL model carries.

So that a file read on its own says where it comes from (DESIGN.md decision 8):

- ``ti_pipeline.provenance``: ``{source: [provenance of each materialized vintage]}`` for every raw
  source the model depends on transitively (``lake.read_provenance``: URL, sha256, retrieval time,
  millésime, COG year...);
- ``ti_pipeline.code_version``: package version and git commit (null outside a git checkout);
- ``ti_pipeline.generated_at``: UTC time of the run;
- ``ti_pipeline.model``: name, file, layer, materialization, sha256 of the SQL file, description;
- ``ti_pipeline.variables``: the DuckDB variables the SQL ran with (industry scope, target COG);
- ``ti_pipeline.partitioning``: partition columns and their DuckDB types (marts with partition_by),
  so that readers rebuild the exact types from the folder names;
- ``ti_pipeline.synthetic: true`` only in sample mode: the sample's values are synthetic;
- column descriptions (``ti_pipeline.column_descriptions`` and each field's ``description``), written
  by ``lake.write_parquet_atomic``.

Not here: writing files (``lake``), deciding where they go (``execute``, ``publish``).
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Mapping

import ti_pipeline
from ti_pipeline.config import PROJECT_ROOT, Paths, get_mode
from ti_pipeline.lake import PROVENANCE_KEY, SYNTHETIC_KEY, read_provenance
from ti_pipeline.sql_runner.project import RAW_PREFIX, Model, SqlProject

MODEL_KEY = "ti_pipeline.model"
CODE_VERSION_KEY = "ti_pipeline.code_version"
GENERATED_AT_KEY = "ti_pipeline.generated_at"
VARIABLES_KEY = "ti_pipeline.variables"
PARTITIONING_KEY = "ti_pipeline.partitioning"


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def code_version() -> dict[str, Any]:
    return {"ti_pipeline": ti_pipeline.__version__, "git_commit": git_commit()}


def model_file_metadata(
    project: SqlProject,
    model: Model,
    paths: Paths,
    variables: Mapping[str, Any],
    *,
    partitioning: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The metadata dict for ``lake.write_parquet_atomic`` (values are JSON-encoded there)."""
    metadata: dict[str, Any] = {
        PROVENANCE_KEY.decode(): {
            src.removeprefix(RAW_PREFIX): read_provenance(paths, src.removeprefix(RAW_PREFIX))
            for src in project.raw_sources_of(model.name)
        },
        CODE_VERSION_KEY: code_version(),
        GENERATED_AT_KEY: datetime.now(timezone.utc).isoformat(timespec="seconds"),
        MODEL_KEY: {
            "name": model.name,
            "file": model.file,
            "layer": model.layer,
            "materialized": model.materialized,
            "sql_sha256": model.sql_hash,
            "description": model.description,
        },
        VARIABLES_KEY: dict(variables),
    }
    if partitioning:
        metadata[PARTITIONING_KEY] = dict(partitioning)
    if get_mode() == "sample":
        metadata[SYNTHETIC_KEY.decode()] = True
    return metadata
