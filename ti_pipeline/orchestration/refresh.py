"""Running a refresh or a backfill from the command line: several Dagster runs, in this process.

A Dagster run holds one partitions definition, so materializing everything takes several runs:
first the raw sources (``plan.plan_source_runs``: one run per partitions definition, its vintages
as one partition range, plus one run for the unpartitioned sources), then everything downstream in
one run of the ``rebuild_from_lake`` job. A raw source that fails, or whose blocking validation
check fails, keeps its downstream assets out of the second run, as a single run would have: the
marts built on it stay as they were.

``ti-pipeline run`` first asks ``up_to_date`` what has something to do, and launches only those
runs (``skip_up_to_date``; none at all when nothing changed); ``--force`` and ``backfill`` launch
every run of their plan.

Runs go to the given Dagster instance (``ti-pipeline`` passes ``$DAGSTER_HOME``), so they show in
the UI, tagged ``ti/trigger=cli`` and with the ``ti/refresh`` id shared by the runs of one command.
The executor is in process (``execute_in_process``), measured fastest for this project;
``executor="multiprocess"`` launches the same runs with a process per step (``execute_job``), as
a bigger machine might prefer.

With a persistent instance the raw runs, which do not depend on each other, run side by side in
``workers`` processes (``workers``: one per core by default, at most one per run; ``workers=1``:
one after the other in this process); a finished run is read back from the instance
(``StoredRun``). An ephemeral instance (tests) or the multiprocess executor runs them in turn.

Not here: argument parsing and printing (``cli``).
"""

from __future__ import annotations

import contextlib
import uuid
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Iterable

import dagster as dg

# Dagster's reference to an instance (what a worker process opens again); not exported by
# ``dagster`` itself, but what ``DagsterInstance.get_ref``/``from_ref`` take and return.
from dagster._core.instance.ref import InstanceRef

from ti_pipeline.orchestration import workers as worker_processes
from ti_pipeline.orchestration.plan import PlannedRun, all_vintages, plan_source_runs
from ti_pipeline.orchestration.triggers import ASSET_JOB, REBUILD_FROM_LAKE_JOB
from ti_pipeline.sources.catalog import SOURCES, Source

if TYPE_CHECKING:
    from ti_pipeline.orchestration.up_to_date import Pending

EXECUTORS = ("in_process", "multiprocess")


@dataclass(frozen=True)
class RefreshPlan:
    raw_runs: list[PlannedRun]
    downstream: frozenset[dg.AssetKey]  # rebuilt after the raw runs, in one run


class StoredRun:
    """A finished run read back from its instance (it ran in a worker process): the accessors of
    Dagster's ``ExecuteInProcessResult`` that a refresh reads."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str):
        self.instance = instance
        self.run_id = run_id

    @property
    def success(self) -> bool:
        run = self.instance.get_run_by_id(self.run_id)
        return run is not None and run.status == dg.DagsterRunStatus.SUCCESS

    @cached_property
    def all_events(self) -> list[dg.DagsterEvent]:
        return [r.dagster_event for r in self.instance.all_logs(self.run_id) if r.dagster_event is not None]

    def get_asset_materialization_events(self) -> list[dg.DagsterEvent]:
        return [e for e in self.all_events if e.is_step_materialization]

    def get_asset_check_evaluations(self) -> list[dg.AssetCheckEvaluation]:
        return [
            e.event_specific_data
            for e in self.all_events
            if e.event_type_value == dg.DagsterEventType.ASSET_CHECK_EVALUATION.value
        ]


class LostRun:
    """A raw run whose worker process died before the run was created (killed, out of memory)."""

    run_id = "(none)"
    success = False
    all_events: list = []

    def get_asset_materialization_events(self) -> list:
        return []

    def get_asset_check_evaluations(self) -> list:
        return []


@dataclass
class RunOutcome:
    label: str
    result: Any  # ExecuteInProcessResult, JobExecutionResult, StoredRun or LostRun: same accessors
    detail: str | None = None  # why a run ended without its result (a worker that died)

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
    # with skip_up_to_date: the raw runs not launched (labels), and the downstream assets not run
    up_to_date: list[str] = field(default_factory=list)
    downstream_up_to_date: list[str] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return not self.runs and bool(self.up_to_date or self.downstream_up_to_date)

    @property
    def success(self) -> bool:
        return (bool(self.runs) or self.nothing_to_do) and all(r.success for r in self.runs)

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
    # A process per step: each step process loads the job again from this module, as
    # `dagster job execute -m ti_pipeline.definitions` would (Dagster's own reconstruction
    # pointer; `dg.reconstructable` cannot point at the implicit asset job).
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from ti_pipeline.config import PROJECT_ROOT

    job = ReconstructableRepository.for_module("ti_pipeline.definitions", "defs", str(PROJECT_ROOT)).get_reconstructable_job(job_name)
    config = {**run_config, "execution": {"config": {"multiprocess": {}}}}
    with dg.execute_job(job, instance=instance, run_config=config, tags=tags, asset_selection=keys) as result:
        return result


RAW_RUN_TAG = "ti/raw_run"  # a raw run's number within its refresh, to find it if its worker dies


def _lost(instance: dg.DagsterInstance, tags: dict[str, str], exc: BaseException) -> tuple[Any, str]:
    """The result of a raw run whose worker died: its Dagster run, if it was created, is marked
    failed (it would otherwise stay STARTED in the UI for ever)."""
    detail = f"its worker process ended without a result ({type(exc).__name__}: {exc})"
    runs = _fail_unfinished(instance, {k: tags[k] for k in ("ti/refresh", RAW_RUN_TAG)}, f"ti-pipeline: {detail}")
    return (StoredRun(instance, runs[0].run_id) if runs else LostRun()), detail


def _fail_unfinished(instance: dg.DagsterInstance, tags: dict[str, str], message: str) -> list:
    """The runs with these tags; those not finished are marked failed (not left STARTED or
    NOT_STARTED in the UI for ever)."""
    runs = instance.get_runs(filters=dg.RunsFilter(tags=tags))
    for run in runs:
        if not run.is_finished:
            instance.report_run_failed(run, message=message)
    return runs


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
    instance: dg.DagsterInstance | InstanceRef,
    *,
    executor: str = "in_process",
    log_level: str = "INFO",
    tags: dict[str, str] | None = None,
    on_run: Callable[[RunOutcome], None] | None = None,
    skip_up_to_date: bool = False,
    on_up_to_date: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
    workers: int | None = None,
    pending: Pending | None = None,
) -> RefreshResult:
    """Execute ``plan``: the raw runs (side by side in ``workers`` processes when the instance is
    persistent and there are several; default ``workers.default_workers()``), then the downstream run
    without what depends on a raw source that was not delivered.

    ``skip_up_to_date`` (``ti-pipeline run`` without ``--force``): raw runs whose vintages are all
    up to date are not launched, and the downstream run only holds what is not up to date and
    what depends on it (``up_to_date``); ``pending``: that answer when the caller has asked it
    already, for this very plan (``up_to_date.whole_refresh_pending`` for ``full_plan(defs)``).

    ``instance``: the Dagster instance, or the reference of one (``InstanceRef``, what
    ``DagsterInstance.get()`` opens), opened only when a run is launched and once the raw runs'
    workers have started (its SQLite storage takes 0.7 s to set up; a re-run with nothing to do
    never opens it), and disposed of before returning."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, got {executor!r}")
    # step-level DEBUG events are for the UI; the terminal gets log_level and above
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    base_tags = {"ti/trigger": "cli", "ti/refresh": uuid.uuid4().hex[:8], **(tags or {})}
    out = RefreshResult()

    def record(label: str, result, detail: str | None = None) -> None:
        outcome = RunOutcome(label, result, detail)
        out.runs.append(outcome)
        if on_run:
            on_run(outcome)

    raw_runs = list(plan.raw_runs)
    downstream = set(plan.downstream)
    if skip_up_to_date:
        raw_runs, downstream = _pending(defs, plan, out, log, pending)
        for label in out.up_to_date:
            if on_up_to_date:
                on_up_to_date(label)
    if not raw_runs and not downstream:
        return out
    with contextlib.ExitStack() as stack:
        if isinstance(instance, InstanceRef):
            ref, opened = instance, None
        else:
            ref, opened = (instance.get_ref() if instance.is_persistent else None), instance

        def the_instance() -> dg.DagsterInstance:
            nonlocal opened
            if opened is None:  # from the ref: opened now, disposed of when the refresh ends
                opened = stack.enter_context(dg.DagsterInstance.from_ref(ref))
            return opened

        return _launch(defs, raw_runs, downstream, ref, the_instance, executor, run_config, base_tags, workers, out, record)


def _launch(defs, raw_runs, downstream, ref, the_instance, executor, run_config, base_tags, workers, out, record) -> RefreshResult:
    """The raw runs, then the downstream run without what depends on a raw source not delivered."""
    workers = min(workers or worker_processes.default_workers(), len(raw_runs))
    if workers > 1 and executor == "in_process" and ref is not None:
        from ti_pipeline.config import get_mode, get_paths

        with worker_processes.pool(workers) as pool:
            futures = {}
            for number, run in enumerate(worker_processes.largest_first(raw_runs, get_paths(), get_mode())):
                tags = {**base_tags, RAW_RUN_TAG: str(number), **run.partition_tags()}
                future = pool.submit(worker_processes.execute_in_worker, worker_processes.caller_context(),
                                     ref, ASSET_JOB, run.assets, run_config, tags)
                futures[future] = (run, tags)
            instance = the_instance()  # opened while the workers run (0.7 s of SQLite storage set-up)
            try:
                for future in as_completed(futures):  # reported as they finish
                    run, tags = futures[future]
                    try:
                        record(run.label, StoredRun(instance, future.result()))
                    except Exception as exc:  # the worker died (killed, out of memory): no result came back
                        result, detail = _lost(instance, tags, exc)
                        record(run.label, result, detail)
                    out.blocked |= _not_delivered(out.runs[-1].result, run.assets)
                    _stop_if_interrupted(out.runs[-1].result)
            except KeyboardInterrupt:
                pool.shutdown(wait=True, cancel_futures=True)  # the runs not started never start
                # a worker interrupted between creating its run and starting it leaves it NOT_STARTED
                _fail_unfinished(instance, {"ti/refresh": base_tags["ti/refresh"]}, "ti-pipeline: interrupted (Ctrl-C)")
                raise
    else:
        instance = the_instance()
        for run in raw_runs:
            keys = [dg.AssetKey(a) for a in run.assets]
            result = _execute(defs, ASSET_JOB, keys, instance, executor, run_config, {**base_tags, **run.partition_tags()})
            record(run.label, result)
            out.blocked |= _not_delivered(result, run.assets)
            _stop_if_interrupted(result)

    if out.blocked:
        graph = defs.resolve_asset_graph()
        held = dg.AssetSelection.assets(*[dg.AssetKey(a) for a in out.blocked]).downstream().resolve(graph)
        out.skipped = {k.to_user_string() for k in downstream & held}
        downstream -= held
    if downstream:
        keys = sorted(downstream, key=lambda k: k.to_user_string())
        result = _execute(defs, REBUILD_FROM_LAKE_JOB.name, keys, the_instance(), executor, run_config, base_tags)
        record(REBUILD_FROM_LAKE_JOB.name, result)
        _stop_if_interrupted(result)
    return out


def _pending(
    defs: dg.Definitions, plan: RefreshPlan, out: RefreshResult, log: Callable[[str], None] | None = None,
    pending: Pending | None = None,
) -> tuple[list[PlannedRun], set[dg.AssetKey]]:
    """The raw runs to launch and the downstream assets to run (see ``up_to_date``); ``pending``:
    the answer already asked for ``plan``."""
    from ti_pipeline.config import get_mode, get_paths
    from ti_pipeline.definitions import SQL_PROJECT
    from ti_pipeline.orchestration import up_to_date

    if pending is None:
        names = [k.to_user_string() for k in plan.downstream]
        pending = up_to_date.pending(plan.raw_runs, names, SQL_PROJECT, get_paths(), get_mode(), log)
    out.up_to_date = [r.label for r in pending.raw_up_to_date]
    if pending.raw_runs:
        return pending.raw_runs, set(plan.downstream)
    # nothing new upstream: what changed (a model's SQL, a missing output...) and what depends on it
    stale = [dg.AssetKey(n) for n in pending.downstream]
    keep = dg.AssetSelection.assets(*stale).downstream().resolve(defs.resolve_asset_graph()) & set(plan.downstream) if stale else set()
    out.downstream_up_to_date = sorted(k.to_user_string() for k in set(plan.downstream) - keep)
    return [], keep


def refresh_in_process(
    instance: dg.DagsterInstance | None = None, select: Iterable[str] | None = None, **kwargs
) -> RefreshResult:
    """Everything (or ``select``), as ``ti-pipeline run`` does; an ephemeral instance by default."""
    from ti_pipeline.definitions import defs

    instance = instance or dg.DagsterInstance.ephemeral()
    return run_plan(defs, full_plan(defs, select), instance, **kwargs)


__all__ = [
    "EXECUTORS",
    "InstanceRef",
    "LostRun",
    "RAW_RUN_TAG",
    "RefreshPlan",
    "RefreshResult",
    "RunOutcome",
    "StoredRun",
    "backfill_plan",
    "full_plan",
    "refresh_in_process",
    "run_plan",
]
