"""Whether a refresh has anything to do, asked by ``ti-pipeline run`` before it launches runs.

Every asset already skips unchanged work inside its step (raw vintages by file sha256, declaration
and code; SQL models by fingerprint; portraits by mart versions). What such a step still costs is
Dagster's own bookkeeping: a run, planned events and check results written to the instance's
storage, about 0.1 s per step and 0.7 s per run on SQLite, most of a national re-run. So the
command line first asks the same questions the steps would:

- a raw run (one partitions definition: ``plan.PlannedRun``) is launched only if one of its
  vintages is not up to date (``assets.raw_state.up_to_date``: a new file, declaration, code or set of
  lauréat SIRENs, or a validation check that blocked last time);
- the downstream run is launched if a raw run was, or if one of its assets is not up to date: a
  SQL model whose fingerprint changed (its SQL, variables, code or inputs: ``model_up_to_date``),
  a catalog that does not read the published mart versions, portraits not built from them.

With nothing to do, no run is launched and the command says so; ``ti-pipeline run --force``
launches every run anyway (the steps still skip unchanged work inside). Schedules, sensors and
the UI launch their runs as they are: this is a saving of the command line only.

Nothing here imports Dagster (nor do the modules it asks: ``assets.raw_state``,
``portraits.state``, ``sql_runner.execute``): for a whole refresh (``ti-pipeline run`` without
``--select``) the command asks ``whole_refresh_pending`` before it imports the definitions, so a
re-run with nothing to do never imports Dagster (1 s and more of a 2 s re-run before), and one
whose raw runs will launch starts their workers' server at once.

Every answer errs on the side of running: anything unknown, missing or unreadable is "not up to
date".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ti_pipeline.assets import raw_state
from ti_pipeline.config import Paths
from ti_pipeline.orchestration.plan import PlannedRun, all_vintages, plan_source_runs
from ti_pipeline.portraits.state import portraits_up_to_date
from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.sql_runner.catalog_db import catalog_up_to_date
from ti_pipeline.sql_runner.execute import model_up_to_date
from ti_pipeline.sql_runner.project import SqlProject, pipeline_project

CATALOG_ASSET = "duckdb_catalog"
PORTRAITS_ASSET = "portraits"


@dataclass
class Pending:
    """What a refresh must still run."""

    raw_runs: list[PlannedRun] = field(default_factory=list)  # to launch
    raw_up_to_date: list[PlannedRun] = field(default_factory=list)  # not launched
    downstream: list[str] = field(default_factory=list)  # downstream assets not up to date

    @property
    def nothing(self) -> bool:
        return not self.raw_runs and not self.downstream


def raw_run_up_to_date(run: PlannedRun, paths: Paths, mode: str, log: Callable[[str], None] | None = None) -> bool:
    """Every vintage of every asset of ``run`` is up to date."""
    for asset in run.assets:
        source = get_source(asset)
        releases = [source.release(int(k)) for k in run.partitions] if run.partitions else list(source.releases)
        if not all(raw_state.up_to_date(source, release, paths, mode, log=log) for release in releases):
            return False
    return True


def stale_downstream(assets: list[str], project: SqlProject, paths: Paths) -> list[str]:
    """The assets of ``assets`` (downstream of the raw sources) that a run would change."""
    memo: dict = {}
    stale = []
    for name in sorted(assets):
        if name in project.models:
            fresh = model_up_to_date(project, name, paths, _memo=memo)
        elif name == CATALOG_ASSET:
            fresh = catalog_up_to_date(paths, [m.name for m in project.marts])
        elif name == PORTRAITS_ASSET:
            fresh = portraits_up_to_date(paths)
        else:
            fresh = False  # an asset this module does not know: run it
        if not fresh:
            stale.append(name)
    return stale


def pending(
    raw_runs: list[PlannedRun], downstream: list[str], project: SqlProject, paths: Paths, mode: str,
    log: Callable[[str], None] | None = None,
) -> Pending:
    """``log``: where live mode's download progress goes (a changed file is downloaded here)."""
    out = Pending()
    for run in raw_runs:
        (out.raw_up_to_date if raw_run_up_to_date(run, paths, mode, log) else out.raw_runs).append(run)
    if out.raw_runs:
        out.downstream = sorted(downstream)  # new raw data: the downstream run decides step by step
    else:
        out.downstream = stale_downstream(downstream, project, paths)
    return out


def whole_refresh(project: SqlProject) -> tuple[list[PlannedRun], list[str]]:
    """The raw runs and downstream assets of a whole refresh, known without the definitions: what
    ``refresh.full_plan(defs)`` plans (a raw asset per catalog source, every vintage; an asset per
    SQL model, the catalog, the portraits), checked against it by ``tests/test_up_to_date.py``."""
    return plan_source_runs(all_vintages(SOURCES)), sorted([*project.models, CATALOG_ASSET, PORTRAITS_ASSET])


def whole_refresh_pending(paths: Paths, mode: str, log: Callable[[str], None] | None = None) -> Pending:
    """``pending`` for a whole refresh (``ti-pipeline run`` without ``--select``), on the
    definitions' SQL project (``sql_runner.project.pipeline_project``)."""
    project = pipeline_project()
    raw_runs, downstream = whole_refresh(project)
    return pending(raw_runs, downstream, project, paths, mode, log)


__all__ = [
    "Pending",
    "pending",
    "raw_run_up_to_date",
    "stale_downstream",
    "whole_refresh",
    "whole_refresh_pending",
]
