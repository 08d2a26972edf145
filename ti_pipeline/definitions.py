"""The one Dagster ``Definitions`` object of the project (``workspace.yaml`` points the UI here).

Cross-cutting choices are made here, once: which assets exist (raw sources from the catalog,
``defs.raw``; SQL models from ``dbt_like_sql/`` and the read-only DuckDB catalog, ``defs.sql``; the
geometry marts, ``defs.geo``; the portraits, ``defs.portraits``), the policy mapped over all of them (automation, freshness, tags),
the job, schedule and sensors and the executor (``defs.automation``).

``raw_run_job`` and ``rebuild_from_lake_job`` give the jobs of ``ti-pipeline run`` to Dagster's
reconstruction, for runs whose steps each run in their own process (the multiprocess executor).
"""

from __future__ import annotations

import dagster as dg

from ti_pipeline.defs.automation import EXECUTOR, JOBS, RELEASE_POOL, SCHEDULES, SENSORS, apply_policies
from ti_pipeline.defs.geo import contours_marts
from ti_pipeline.defs.portraits import build_portraits_asset
from ti_pipeline.defs.raw import RAW_ASSETS
from ti_pipeline.defs.release import build_release_asset
from ti_pipeline.defs.sql import build_sql_assets
from ti_pipeline.sql_runner.project import pipeline_project

SQL_PROJECT = pipeline_project()

defs = dg.Definitions(
    assets=apply_policies(
        [
            *RAW_ASSETS,
            *build_sql_assets(SQL_PROJECT),
            contours_marts,
            build_portraits_asset(SQL_PROJECT, pool=RELEASE_POOL),
            build_release_asset(SQL_PROJECT, pool=RELEASE_POOL),
        ]
    ),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    # In process unless a run's config asks for multiprocess: measured faster here (README, "Executor").
    executor=EXECUTOR,
)



RAW_RUN_JOB = "raw_sources"


def raw_run_job(assets: tuple[str, ...]) -> dg.JobDefinition:
    """A job of these raw assets, for a run whose steps each run in their own process: Dagster
    rebuilds it there from this function and ``assets`` (``dg.build_reconstructable_job``). The
    implicit asset job that in-process runs use cannot be: its reserved name cannot be rebuilt
    alone through Dagster's public API."""
    job = dg.define_asset_job(RAW_RUN_JOB, selection=dg.AssetSelection.assets(*assets))
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(RAW_RUN_JOB)


def rebuild_from_lake_job() -> dg.JobDefinition:
    """The ``rebuild_from_lake`` job, rebuilt in a step's own process (``dg.reconstructable``)."""
    return defs.resolve_job_def("rebuild_from_lake")
