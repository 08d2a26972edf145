"""The one Dagster ``Definitions`` object of the project (``workspace.yaml`` points the UI here).

Cross-cutting choices are made here, once: which assets exist (raw sources from the catalog, SQL
models from ``dbt_like_sql/``, the read-only DuckDB catalog), the policy mapped over all of them
(automation, freshness, tags: ``orchestration.policies``), the job, schedule and sensors
(``orchestration.triggers``) and the executor.
"""

from __future__ import annotations

import dagster as dg

from ti_pipeline.assets.raw import RAW_ASSETS
from ti_pipeline.orchestration.policies import CATALOG_POOL, EXECUTOR, apply_policies
from ti_pipeline.orchestration.triggers import JOBS, SCHEDULES, SENSORS
from ti_pipeline.portraits.assets import portraits
from ti_pipeline.sql_runner import build_catalog_asset, build_sql_assets
from ti_pipeline.sql_runner.project import pipeline_project

SQL_PROJECT = pipeline_project()

defs = dg.Definitions(
    assets=apply_policies(
        [
            *RAW_ASSETS,
            *build_sql_assets(SQL_PROJECT),
            build_catalog_asset(SQL_PROJECT, pool=CATALOG_POOL),
            portraits,
        ]
    ),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    # In process unless a run's config asks for multiprocess: measured faster here (README, "Executor").
    executor=EXECUTOR,
)
