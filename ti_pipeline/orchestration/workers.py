"""The raw runs of a refresh side by side, in worker processes.

The raw runs of a plan do not depend on each other (a source that reads another, as Sirene reads
the lauréats' SIRENs, shares its run), and their steps are mostly single-threaded Python (parse,
validate, write), so on a machine with several cores they run at the same time, one run per worker
process, the largest first. The downstream run then starts as before, in the calling process.

The workers are forked from a server process that imported the definitions once
(``multiprocessing``'s ``forkserver``): a run starts without paying the imports again, and no
worker is a fork of the calling process, whose threads (Dagster's, DuckDB's) a plain fork would
copy in whatever state they were. ``start_server`` starts that server early, so it imports while
the caller does its own work (the CLI does so when raw runs will certainly launch,
``raw_runs_will_launch``: a first run, or ``--force``; otherwise the server starts when a second
raw run is to launch, after the caller has imported the definitions and found what is up to
date, so a re-run with nothing to do does not pay for it). Each worker executes its run in process against the caller's
persistent instance (the same SQLite storage, made for several processes) and returns the run id;
the caller reads the finished run back from the instance.

As with any ``multiprocessing`` start method but ``fork``, a script that calls ``run_plan`` with
workers must guard its entry point (``if __name__ == "__main__":``); ``ti-pipeline``'s does.

This module imports nothing heavy at the top, so the CLI can start the server before it imports
Dagster and the definitions itself.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from concurrent.futures import ProcessPoolExecutor

# What the server imports before it forks the workers: the definitions import everything a raw
# run needs (Dagster, pandas, pandera, pyarrow, DuckDB and our sources), and the instance storage
# the CLI's dagster.yaml names: opening an instance is otherwise 0.9 s of imports (SQLAlchemy,
# Alembic, Dagster's storage) in every worker before its run starts, for 0.06 s of work. Last,
# ``long_lived``: what the server imported is frozen out of the garbage collector's way, so that
# the workers' collections do not traverse it (see that module).
PRELOAD = ["ti_pipeline.definitions", "ti_pipeline.orchestration.storage", "ti_pipeline.orchestration.long_lived"]


def default_workers() -> int:
    """One worker per core: a raw run keeps about one core busy."""
    return max(1, os.cpu_count() or 1)


def start_server() -> None:
    """Start the fork server now (it imports ``PRELOAD`` in the background); idempotent."""
    multiprocessing.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()


def raw_vintage_missing(paths) -> bool:
    """Whether some vintage of the catalog has no raw partition yet: a first run (or a new source
    or vintage), whose raw runs will certainly launch. Cheap (file existence, no import of the
    definitions): the CLI asks it to start the server early only when it will be used."""
    from ti_pipeline.sources.catalog import SOURCES

    return any(
        not (paths.raw_partition(source.name, release.millesime) / "data.parquet").is_file()
        for source in SOURCES
        for release in source.releases
    )


def raw_runs_will_launch(paths, *, every_raw_run: bool = False) -> bool:
    """Whether the raw runs of a refresh will certainly launch, known before the definitions are
    imported: all of them (``every_raw_run``: ``ti-pipeline run --force``), or a vintage not
    written yet (``raw_vintage_missing``). Then the CLI starts the server at once: started only
    when the runs launch, its imports (2 s) would come after the caller's, not beside them."""
    return every_raw_run or raw_vintage_missing(paths)


def pool(workers: int) -> ProcessPoolExecutor:
    start_server()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))


def caller_context() -> dict:
    """What a worker must share with its caller: the environment (``TI_*`` settings, mirrors...)
    and the working directory. The server forked the workers with its own, those of the moment it
    started, which a long-lived caller (a test session) may have changed since."""
    return {"environ": dict(os.environ), "cwd": os.getcwd()}


def execute_in_worker(
    context: dict, instance_ref, job_name: str, asset_names: tuple[str, ...], run_config: dict, tags: dict
) -> str:
    """In a worker: one run of ``job_name`` for ``asset_names``, in process, on the instance of
    ``instance_ref``, in the caller's ``context``; returns its run id (a failed run too: the caller
    reads how it ended)."""
    os.environ.clear()
    os.environ.update(context["environ"])
    os.chdir(context["cwd"])
    import dagster as dg

    from ti_pipeline.definitions import defs

    result = defs.resolve_job_def(job_name).execute_in_process(
        instance=_instance(instance_ref),
        asset_selection=[dg.AssetKey(a) for a in asset_names],
        raise_on_error=False,
        run_config=run_config,
        tags=tags,
    )
    return result.run_id


# The worker's instance for each reference, opened once per worker (opening one takes ~0.6 s); a
# worker lives for one refresh (one pool), and its connections close when it exits.
_INSTANCES: dict[str, object] = {}


def _instance(instance_ref):
    import dagster as dg

    key = repr(instance_ref)
    if key not in _INSTANCES:
        _INSTANCES[key] = dg.DagsterInstance.from_ref(instance_ref)
    return _INSTANCES[key]


def input_bytes(assets: tuple[str, ...], partitions: tuple[str, ...], paths, mode: str) -> int:
    """The size of the files a raw run reads that are already on disk (the sample's, or live
    mode's cache, where ``up_to_date`` has just fetched them); a file not there yet counts 0."""
    from ti_pipeline.sources.catalog import cache_path, get_source, sample_path

    total = 0
    for asset in assets:
        source = get_source(asset)
        for release in source.releases:
            if partitions and str(release.millesime) not in partitions:
                continue
            path = sample_path(paths.sample_dir, source, release) if mode == "sample" else cache_path(paths.cache, source, release)
            total += path.stat().st_size if path.is_file() else 0
    return total


def largest_first(runs: list, paths, mode: str) -> list:
    """Raw runs (``plan.PlannedRun``) in the order the workers take them: largest input first, so
    the longest runs start at once and the short ones fill the other workers (longest processing
    time first). Input size is a proxy of the work, good enough here (national scale: the raw phase
    takes the time of its longest run); it overstates a source read with a filter (Sirene: 2 GB
    scanned for a few thousand rows), whose run then merely starts early."""
    return sorted(runs, key=lambda run: -input_bytes(run.assets, run.partitions, paths, mode))


__all__ = [
    "PRELOAD",
    "caller_context",
    "default_workers",
    "execute_in_worker",
    "input_bytes",
    "largest_first",
    "pool",
    "raw_runs_will_launch",
    "raw_vintage_missing",
    "start_server",
]
