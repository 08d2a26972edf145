"""SQL that reads the lake and the marts: the one place that knows their file layouts.

- raw source: ``lake/raw/<source>/millesime=*/*.parquet``, hive-partitioned, ``union_by_name``;
- table model: ``lake/<layer>/<name>.parquet`` (``table_path``); mart: ``marts/<name>`` (``mart_path``);
- mart version folder: ``data.parquet``, or ``<col>=<value>/.../data.parquet`` with the partition
  columns' DuckDB types read back from the files' metadata (so ``code_departement=01`` stays text)
  and the query's column order restored (hive readers put partition columns last).

Not here: which relations a model needs (``execute``), publication (``publish``).
"""

from __future__ import annotations

from pathlib import Path

from ti_pipeline.config import Paths
from ti_pipeline.lake import read_file_metadata
from ti_pipeline.sql_runner.data_tests import quote_ident, quote_literal
from ti_pipeline.sql_runner.parquet_metadata import PARTITIONING_KEY
from ti_pipeline.sql_runner.project import RAW_PREFIX, Model

MART_FILE = "data.parquet"


def table_path(paths: Paths, model: Model) -> Path:
    """Where a table model's file lives."""
    return paths.lake / model.layer / f"{model.name}.parquet"


def mart_path(paths: Paths, model: Model) -> Path:
    """Where a mart is published: the symlink to its current version folder."""
    return paths.marts / model.name


class ModelInputMissing(RuntimeError):
    """Something the model reads has not been materialized yet."""


def raw_read_sql(paths: Paths, raw_asset: str) -> str:
    folder = paths.raw / raw_asset.removeprefix(RAW_PREFIX)
    if not any(folder.glob("millesime=*/*.parquet")):
        raise ModelInputMissing(f"raw source {raw_asset} has no materialized vintage under {folder}")
    pattern = quote_literal((folder / "millesime=*" / "*.parquet").as_posix())
    return f"select * from read_parquet({pattern}, hive_partitioning = true, union_by_name = true)"


def parquet_read_sql(path: Path) -> str:
    return f"select * from read_parquet({quote_literal(path.as_posix())})"


def mart_read_sql(mart_dir: Path) -> str:
    """SQL reading one version of a mart, with partition columns typed as they were written."""
    files = sorted(mart_dir.rglob("*.parquet"))
    if not files:
        raise ModelInputMissing(f"no Parquet file in {mart_dir}")
    partitioning = read_file_metadata(files[0]).get(PARTITIONING_KEY)
    if not partitioning:
        return parquet_read_sql(mart_dir / MART_FILE)
    pattern = mart_dir.as_posix() + "/*" * len(partitioning["columns"]) + "/*.parquet"
    types = ", ".join(f"{quote_literal(c)}: {quote_literal(t)}" for c, t in partitioning["types"].items())
    order = partitioning.get("column_order")
    select = ", ".join(quote_ident(c) for c in order) if order else "*"
    return f"select {select} from read_parquet({quote_literal(pattern)}, hive_partitioning = true, hive_types = {{{types}}})"
