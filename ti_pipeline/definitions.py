"""The one Dagster ``Definitions`` object of the project (``workspace.yaml`` points the UI here).

Cross-cutting choices are made here, once: which assets exist (raw sources from the catalog, SQL
models from ``dbt_like_sql/``, the read-only DuckDB catalog), the jobs, and the executor.
"""

from __future__ import annotations

import dagster as dg

from ti_pipeline.assets.raw import RAW_ASSETS
from ti_pipeline.portraits.assets import portraits
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, build_catalog_asset, build_sql_assets, load_project

SQL_PROJECT = load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES])

# Every asset and check, raw sources to marts: what `ti-pipeline run` materializes.
REFRESH_ALL_JOB = dg.define_asset_job(
    "refresh_all",
    selection=dg.AssetSelection.all(include_sources=False),
    description="Materialize every asset, from the source files to the Parquet marts and the DuckDB catalog.",
)

defs = dg.Definitions(
    assets=[*RAW_ASSETS, *build_sql_assets(SQL_PROJECT), build_catalog_asset(SQL_PROJECT), portraits],
    jobs=[REFRESH_ALL_JOB],
    # On a 2-core machine a process per step costs seconds of start-up each; the steps are short
    # and DuckDB already uses every core, so steps run in one process (see README, "Executor").
    executor=dg.in_process_executor,
)
