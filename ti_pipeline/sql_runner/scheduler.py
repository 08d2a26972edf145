"""Building several models at once: each as soon as the models it reads are built. No Dagster here.

``run_models`` materializes a set of models of a project with ``execute.run_model``, in up to
``workers`` threads (``TI_SQL_WORKERS``, default: one per core). Each model has its own DuckDB
connection (DESIGN.md decision 1) to one in-memory database that the call opens for all of them
(``execute.open_database``: its memory limit and DuckDB's threads shared by the models under way,
rather than a database, a limit and threads per model; the models' views are temporary, each
connection's own; the price: a DuckDB internal error, which invalidates its database, would fail
the models under way with it, where it failed one). Threads suffice because DuckDB and pyarrow release the GIL while they work, and
the work between two queries (Python, a Parquet file written by pyarrow, a small query's latency)
is what a second model fills on the other core.

Order: a model starts once every table and mart of the set it reads has succeeded, directly or
through views (models outside the set are read as they are on disk, as ``run_model`` always does).
A view of the set does not hold up the models reading it: they run its SQL themselves, and its own
step (tests, row count: 2 s for the national Urssaf view) runs beside them; a view whose SQL fails
makes them fail with the same error. Among the models ready to start, the
one heading the longest chain of work below it goes first (critical path; each model's time is
the one recorded at its last run, ``execute.recorded_seconds``), so that the long national models
(Urssaf, Flores) do not wait behind small ones; a view goes beside its most urgent reader, and
once all its readers have started, by its own time (``start_order``).

A model that fails is reported with its exception and the models below it in the set are not run
(reported as ``skipped_because``); the others go on. Outcomes come back as models finish.

Stopping: if the caller stops reading (Ctrl-C in Dagster's step, an exception), no model starts any
more and the DuckDB queries under way are interrupted (``duckdb.DuckDBPyConnection.interrupt``).

Not here: what running one model means (``execute``), Dagster events (``ti_pipeline.defs.sql``).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

import duckdb

from ti_pipeline.config import Paths
from ti_pipeline.sql_runner.execute import ModelRunResult, open_database, recorded_seconds, run_model
from ti_pipeline.sql_runner.project import SqlProject

# A model never run before counts as this long when ordering (a guess; the next run knows better).
UNKNOWN_SECONDS = 1.0


def default_workers(env: Mapping[str, str] | None = None) -> int:
    """Models built at once: ``TI_SQL_WORKERS``, else one per core."""
    env = os.environ if env is None else env
    value = env.get("TI_SQL_WORKERS", "").strip()
    if not value:
        return max(1, os.cpu_count() or 1)
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"TI_SQL_WORKERS must be a whole number of models built at once, got {value!r}") from None
    if workers < 1:
        raise ValueError(f"TI_SQL_WORKERS must be at least 1, got {workers}")
    return workers


@dataclass
class ModelOutcome:
    """How one model of ``run_models`` ended: ``result`` if it succeeded, else ``error`` (it raised)
    or ``skipped_because`` (a model it reads failed, so it was not run)."""

    name: str
    result: ModelRunResult | None = None
    error: BaseException | None = None
    skipped_because: str | None = None
    seconds: float = 0.0  # wall time of its run_model call (0 when not run)
    started_at: float | None = None  # when that call started (time.time(); None when not run)

    @property
    def succeeded(self) -> bool:
        return self.result is not None


class Connections:
    """The DuckDB connections open in the running models, so that stopping can interrupt them
    (once stopped, a connection opened later is interrupted as it registers)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[duckdb.DuckDBPyConnection] = set()
        self.stopped = False

    @contextlib.contextmanager
    def registered(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """``con`` can be interrupted while the block runs."""
        with self._lock:
            if self.stopped:
                con.interrupt()
            self._open.add(con)
        try:
            yield
        finally:
            with self._lock:
                self._open.discard(con)

    def interrupt_all(self) -> None:
        with self._lock:
            self.stopped = True
            for con in self._open:
                con.interrupt()


def critical_path_seconds(
    project: SqlProject, names: Iterable[str], paths: Paths, own: Mapping[str, float] | None = None
) -> dict[str, float]:
    """For each model of ``names``: its recorded time plus the longest chain of recorded times of
    the models of ``names`` that read it, directly or not. A view read by others gets the chain of
    its most urgent reader instead: they do not wait for it to start, but their materializations
    are reported after its own (``in_dependency_order``), so it is built beside them, not last.
    ``own``: the models' times, if already read (``own_seconds``)."""
    names = set(names)
    below = readers_in(project, names)
    own = own if own is not None else own_seconds(project, names, paths)
    chain: dict[str, float] = {}
    for name in reversed([n for n in project.models if n in names]):  # readers before what they read
        readers = max((chain[b] for b in below[name]), default=0.0)
        # a view read by others is as urgent as its most urgent reader (and goes right after it:
        # start_order breaks ties for tables): its own time is not in their way
        chain[name] = readers if _is_read_view(project, name, below) else own[name] + readers
    return chain


def readers_in(project: SqlProject, names: Iterable[str]) -> dict[str, list[str]]:
    """For each model of ``names``: the models of ``names`` that read it directly."""
    names = set(names)
    below: dict[str, list[str]] = {n: [] for n in names}
    for name in names:
        for dep in project.models[name].all_deps:
            if dep in names:
                below[dep].append(name)
    return below


def own_seconds(project: SqlProject, names: Iterable[str], paths: Paths) -> dict[str, float]:
    """Each model's time recorded at its last run (``UNKNOWN_SECONDS`` if it never ran)."""
    return {n: recorded_seconds(paths, project.models[n]) or UNKNOWN_SECONDS for n in names}


def _is_read_view(project: SqlProject, name: str, below: Mapping[str, list[str]]) -> bool:
    return project.models[name].materialized == "view" and bool(below[name])


def start_order(
    project: SqlProject,
    ready: Iterable[str],
    not_started: set[str],
    chain: Mapping[str, float],
    own: Mapping[str, float],
    below: Mapping[str, list[str]],
) -> list[str]:
    """The models of ``ready`` in the order they should start: the longest chain first, a view
    beside its most urgent reader still to start, tables before views on a tie. Once every reader
    of a view has started, only the end of the step waits for the view: it then ranks by its own
    time, like a model nothing reads, and no longer passes before the chains still to run (the
    national census view, whose reader had ended, went before the commune indicators)."""

    def urgency(name: str) -> float:
        if _is_read_view(project, name, below) and not any(r in not_started for r in below[name]):
            return own[name]
        return chain[name]

    return sorted(ready, key=lambda n: (-urgency(n), project.models[n].materialized == "view"))


def gating_models(project: SqlProject, name: str, names: Iterable[str]) -> list[str]:
    """The models of ``names`` that must be built before ``name`` starts: the tables and marts it
    reads, directly or through views (a view is SQL its readers run, nothing to wait for)."""
    names = set(names)
    found: list[str] = []
    seen: set[str] = set()

    def visit(model: str) -> None:
        for dep in project.models[model].all_deps:
            if dep in seen or dep not in project.models:
                continue
            seen.add(dep)
            if project.models[dep].materialized == "view":
                visit(dep)  # what the view reads, wherever it sits
            elif dep in names:
                found.append(dep)

    visit(name)
    return found


def run_models(
    project: SqlProject,
    names: Iterable[str],
    paths: Paths,
    *,
    workers: int | None = None,
    variables: Mapping[str, Any] | None = None,
    reuse: bool = True,
) -> Iterator[ModelOutcome]:
    """Materialize the models ``names`` (see the module docstring); yields each one's outcome as it
    ends. Every name is yielded exactly once, unless the caller stops early."""
    wanted = [n for n in project.models if n in set(names)]  # project order: upstream first
    unknown = sorted(set(names) - set(project.models))
    if unknown:
        raise KeyError(f"unknown model(s): {', '.join(unknown)}")
    workers = workers or default_workers()
    own = own_seconds(project, wanted, paths)
    priority = critical_path_seconds(project, wanted, paths, own)
    below = readers_in(project, wanted)
    upstream = {n: gating_models(project, n, priority) for n in wanted}
    succeeded: set[str] = set()
    failed: dict[str, str] = {}  # model -> the failed model it is (or is below)
    waiting = list(wanted)
    running: dict[Future, str] = {}
    connections = Connections()

    def build(name: str) -> ModelOutcome:
        started_at, started = time.time(), time.perf_counter()
        try:
            result = run_model(project, name, paths, variables, reuse=reuse, connections=connections, database=database)
        except Exception as exc:  # noqa: BLE001 - reported with the model's name, not raised in a thread
            return ModelOutcome(name, error=exc, seconds=time.perf_counter() - started, started_at=started_at)
        return ModelOutcome(name, result=result, seconds=time.perf_counter() - started, started_at=started_at)

    database = open_database(paths, project)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sql-model")
    try:
        while waiting or running:
            # models below a failure will never run: report them now, upstream first
            for name in list(waiting):
                bad = next((failed[d] for d in upstream[name] if d in failed), None)
                if bad is not None:
                    waiting.remove(name)
                    failed[name] = bad
                    yield ModelOutcome(name, skipped_because=bad)
            ready = start_order(
                project, (n for n in waiting if all(d in succeeded for d in upstream[n])), set(waiting), priority, own, below
            )
            for name in ready[: max(workers - len(running), 0)]:
                waiting.remove(name)
                running[pool.submit(build, name)] = name
            if not running:
                if waiting:  # cannot happen in a graph without cycles (load_project refuses them)
                    raise RuntimeError(f"models {waiting} wait for models that will never be built")
                continue  # only skipped models were left: reported above
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                outcome = future.result()
                if outcome.succeeded:
                    succeeded.add(name)
                else:
                    failed[name] = name
                yield outcome
    finally:
        # the caller stopped reading (Ctrl-C, an error): no model starts any more, and the queries
        # under way are interrupted, again until their models end (an interrupt that falls between
        # two queries of a model is lost, and the model's next query would run in full)
        pool.shutdown(wait=False, cancel_futures=True)
        while running:
            connections.interrupt_all()
            done, _ = wait(running, timeout=0.2)
            for future in done:
                running.pop(future)
        pool.shutdown(wait=True)
        database.close()


def in_dependency_order(project: SqlProject, names: Iterable[str], outcomes: Iterable[ModelOutcome]) -> Iterator[ModelOutcome]:
    """``outcomes`` again, each once every model of ``names`` it reads has been passed on: a
    reader of a view can end before the view's own step (``gating_models``), and Dagster takes
    a multi-asset's materializations in topological order only. An outcome waits for no more
    than the outcomes of what it reads."""
    names = set(names)
    reads = {n: [d for d in project.models[n].all_deps if d in names] for n in names}
    passed: set[str] = set()
    held: list[ModelOutcome] = []
    for outcome in outcomes:
        held.append(outcome)
        progress = True
        while progress:
            progress = False
            for waiting in list(held):
                if all(d in passed for d in reads[waiting.name]):
                    held.remove(waiting)
                    passed.add(waiting.name)
                    progress = True
                    yield waiting
    yield from held  # only if an outcome never came (the caller stopped early)


__all__ = [
    "Connections",
    "ModelOutcome",
    "critical_path_seconds",
    "default_workers",
    "gating_models",
    "in_dependency_order",
    "own_seconds",
    "readers_in",
    "run_models",
    "start_order",
]
