"""Launching a refresh or a backfill from the command line: Dagster runs on the instance, one after another.

A Dagster run holds one partitions definition, so materializing everything takes several runs:
first the raw sources (``defs.plan.plan_source_runs``: one run per partitions definition, its vintages
as one partition range, as ``dagster asset materialize --partition-range`` launches it, plus one
run for the unpartitioned sources), then everything downstream in one run of the
``rebuild_from_lake`` job. A raw source that fails, or whose blocking validation check fails, keeps
its downstream assets out of that last run, as a single run would have: the marts built on it stay
as they were.

Every run is launched, every time: whether a step has work to do is the step's own question (a raw
vintage's fingerprint, a SQL model's, the mart builds the portraits and the release hold), answered
inside the run exactly as for runs started by the schedule, a sensor or the UI; the outcome says
per asset whether it was rebuilt or found unchanged and kept (``asset_outcomes``). ``force`` tags
the runs ``ti/force=true``: the steps then rebuild everything.

The runs go to the given instance (``ti-pipeline`` passes ``$DAGSTER_HOME``), tagged
``ti/trigger=cli`` and with the ``ti/refresh`` id shared by the runs of one command. Executors are
Dagster's: in process (``execute_in_process``) by default, or a process per step (``execute_job``
with the ``multiprocess`` executor, of a job Dagster rebuilds in each step's process; the raw runs
are then runs of a ``raw_sources`` job of their assets, ``definitions.raw_run_job``).

Not here: argument parsing and printing (``cli``); what the runs contain (``ti_pipeline.definitions``,
which this module, above it, imports).

"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import dagster as dg

from ti_pipeline.config import FORCE_TAG
from ti_pipeline.defs.plan import PlannedRun, all_vintages, plan_source_runs
from ti_pipeline.defs.automation import ASSET_JOB, REBUILD_FROM_LAKE_JOB
from ti_pipeline.sources.catalog import SOURCES, Source

EXECUTORS = ("in_process", "multiprocess")
REBUILT, KEPT = "rebuilt", "unchanged, kept"


@dataclass(frozen=True)
class RefreshPlan:
    raw_runs: list[PlannedRun]
    downstream: frozenset[dg.AssetKey]  # rebuilt after the raw runs, in one run


@dataclass
class RunOutcome:
    label: str
    result: Any  # ExecuteInProcessResult or JobExecutionResult: the same accessors

    @property
    def success(self) -> bool:
        return self.result.success

    @property
    def run_id(self) -> str:
        return self.result.run_id


@dataclass
class RefreshResult:
    """The runs of one refresh, read like one run's result."""

    runs: list[RunOutcome] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)  # raw assets that failed or were refused by their check
    skipped: set[str] = field(default_factory=set)  # downstream assets not run because of them

    @property
    def success(self) -> bool:
        return bool(self.runs) and all(r.success for r in self.runs)

    @property
    def run_ids(self) -> list[str]:
        return [r.run_id for r in self.runs]

    @property
    def all_events(self) -> list:
        return [e for r in self.runs for e in r.result.all_events]

    def get_asset_materialization_events(self) -> list:
        return [e for r in self.runs for e in r.result.get_asset_materialization_events()]

    def get_asset_check_evaluations(self) -> list:
        return [e for r in self.runs for e in r.result.get_asset_check_evaluations()]


# ------------------------------------------------------------------------------------------------
# What each step did
# ------------------------------------------------------------------------------------------------
def _names(text: object) -> set[str]:
    return {t.strip() for t in str(text or "").split(",") if t.strip() and t.strip() != "none"}


def materialization_outcome(event: dg.DagsterEvent) -> str:
    """``REBUILT`` or ``KEPT`` for one materialization, from the metadata its step wrote: a raw
    vintage listed in ``skipped_vintages``, a model, the portraits or the release with ``skipped``
    (their fingerprint unchanged) were kept as they were."""
    metadata = event.materialization.metadata
    if "skipped_vintages" in metadata:  # a raw asset: one event per partition of the run
        kept = _names(metadata["skipped_vintages"].value)
        read = _names(metadata["millesimes"].value) if "millesimes" in metadata else set()
        if event.partition is not None:
            return KEPT if event.partition in kept else REBUILT
        return KEPT if read and read <= kept else REBUILT
    skipped = metadata.get("skipped")
    return KEPT if skipped is not None and skipped.value is True else REBUILT


def asset_outcomes(result) -> dict[str, str]:
    """Asset (``raw_rp_emploi [2021]`` for a vintage) -> ``REBUILT`` or ``KEPT``, in event order."""
    out: dict[str, str] = {}
    for event in result.get_asset_materialization_events():
        name = event.asset_key.to_user_string()
        out[f"{name} [{event.partition}]" if event.partition else name] = materialization_outcome(event)
    return out


# ------------------------------------------------------------------------------------------------
# Plans
# ------------------------------------------------------------------------------------------------
def _raw_keys(graph) -> dict[dg.AssetKey, Source]:
    by_key = {dg.AssetKey(s.asset_name): s for s in SOURCES}
    return {k: by_key[k] for k in graph.materializable_asset_keys if k in by_key}


def full_plan(defs: dg.Definitions, select: Iterable[str] | None = None) -> RefreshPlan:
    """Every asset (or the selected ones): every vintage of the raw sources, then the rest."""
    graph = defs.resolve_asset_graph()
    everything = set(graph.materializable_asset_keys)
    wanted = everything if select is None else {dg.AssetKey.from_user_string(a) for a in select}
    unknown = sorted(k.to_user_string() for k in wanted - everything)
    if unknown:
        raise ValueError(f"unknown asset(s): {', '.join(unknown)}")
    raw = _raw_keys(graph)
    sources = [raw[k] for k in raw if k in wanted]
    return RefreshPlan(plan_source_runs(all_vintages(sources)), frozenset(wanted - set(raw)))


def backfill_plan(defs: dg.Definitions, source: Source, vintages: tuple[str, ...], downstream: bool = True) -> RefreshPlan:
    """Some vintages of one source in one run, then (unless ``downstream`` is False) everything
    that depends on the source, so the marts include them."""
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(source.asset_name)
    below = dg.AssetSelection.assets(key).downstream().resolve(graph) - {key} if downstream else set()
    return RefreshPlan(plan_source_runs({source: vintages}), frozenset(below))


# ------------------------------------------------------------------------------------------------
# Execution
# ------------------------------------------------------------------------------------------------
def _execute(defs: dg.Definitions, job_name: str, keys: list[dg.AssetKey], instance, executor: str, run_config: dict, tags: dict):
    if executor == "in_process":
        return defs.resolve_job_def(job_name).execute_in_process(
            instance=instance, asset_selection=keys, raise_on_error=False, run_config=run_config, tags=tags
        )
    # A process per step: each step's process rebuilds the job from a module-level function of
    # ti_pipeline.definitions, as a run launcher's worker would.
    if job_name == ASSET_JOB:
        names = tuple(k.to_user_string() for k in keys)
        job = dg.build_reconstructable_job("ti_pipeline.definitions", "raw_run_job", reconstructable_args=(names,))
    else:
        job = dg.build_reconstructable_job("ti_pipeline.definitions", "rebuild_from_lake_job")
    config = {**run_config, "execution": {"config": {"multiprocess": {}}}}
    with dg.execute_job(job, instance=instance, run_config=config, tags=tags, asset_selection=keys) as result:
        return result


INTERRUPTS = ("DagsterExecutionInterruptedError", "KeyboardInterrupt")


def _stop_if_interrupted(result) -> None:
    """A run stopped by Ctrl-C ends the refresh: Dagster records the interrupted step as failed and
    returns, but the user asked for everything to stop, not for the next runs."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error and event.step_failure_data.error.cls_name in INTERRUPTS:
            raise KeyboardInterrupt(f"run {result.run_id} was interrupted")


def _not_delivered(result, assets: tuple[str, ...]) -> set[str]:
    """Raw assets of a finished run that did not materialize, or whose blocking check failed."""
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    refused = {
        e.asset_key.to_user_string()
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    }
    return {a for a in assets if a not in materialized or a in refused}


def run_plan(
    defs: dg.Definitions,
    plan: RefreshPlan,
    instance: dg.DagsterInstance,
    *,
    executor: str = "in_process",
    log_level: str = "INFO",
    tags: dict[str, str] | None = None,
    force: bool = False,
    on_run: Callable[[RunOutcome], None] | None = None,
) -> RefreshResult:
    """Execute ``plan`` on ``instance``: the raw runs one after the other, then the downstream run
    without what depends on a raw source that was not delivered. ``force``: the runs are tagged
    ``ti/force=true``, and their steps rebuild what they would otherwise keep."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    # step-level DEBUG events are for the UI; the terminal gets log_level and above
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    base_tags = {"ti/trigger": "cli", "ti/refresh": uuid.uuid4().hex[:8], **(tags or {})}
    if force:
        base_tags[FORCE_TAG] = "true"
    out = RefreshResult()

    def record(label: str, result) -> None:
        outcome = RunOutcome(label, result)
        out.runs.append(outcome)
        if on_run:
            on_run(outcome)

    for run in plan.raw_runs:
        keys = [dg.AssetKey(a) for a in run.assets]
        result = _execute(defs, ASSET_JOB, keys, instance, executor, run_config, {**base_tags, **run.partition_tags()})
        record(run.label, result)
        out.blocked |= _not_delivered(result, run.assets)
        _stop_if_interrupted(result)

    downstream = set(plan.downstream)
    if out.blocked:
        graph = defs.resolve_asset_graph()
        held = dg.AssetSelection.assets(*[dg.AssetKey(a) for a in out.blocked]).downstream().resolve(graph)
        out.skipped = {k.to_user_string() for k in downstream & held}
        downstream -= held
    if downstream:
        keys = sorted(downstream, key=lambda k: k.to_user_string())
        result = _execute(defs, REBUILD_FROM_LAKE_JOB.name, keys, instance, executor, run_config, base_tags)
        record(REBUILD_FROM_LAKE_JOB.name, result)
        _stop_if_interrupted(result)
    return out


def refresh_in_process(
    instance: dg.DagsterInstance | None = None, select: Iterable[str] | None = None, **kwargs
) -> RefreshResult:
    """Everything (or ``select``), as ``ti-pipeline run`` does; an ephemeral instance by default."""
    from ti_pipeline.definitions import defs

    instance = instance or dg.DagsterInstance.ephemeral()
    return run_plan(defs, full_plan(defs, select), instance, **kwargs)


__all__ = [
    "EXECUTORS",
    "KEPT",
    "REBUILT",
    "RefreshPlan",
    "RefreshResult",
    "RunOutcome",
    "asset_outcomes",
    "backfill_plan",
    "full_plan",
    "materialization_outcome",
    "refresh_in_process",
    "run_plan",
]
