"""What a killed ``ti-pipeline`` command left behind, found and cleaned at the start of the next one.

Called by the CLI once it holds the data folder's lock (``run_lock``): no other command of ours
is running on the folder then, so

- a run of the instance tagged ``ti/trigger=cli`` (for this data folder) that is not finished
  (STARTED, STARTING, QUEUED, NOT_STARTED, CANCELING) belongs to a dead process: it is marked failed
  (``DagsterInstance.report_run_failed``, as Dagster's run monitoring does) and the concurrency
  slots it held are freed, otherwise the next run could wait for them forever;
- the temporary files and folders in the data folder (``is_temporary``: lake files ``.tmp_*``,
  table candidates ``.candidate_*``, mart candidates in ``builds/marts/.tmp``, portrait builds and
  releases being assembled ``.tmp-*``, half-built catalogs ``.catalog.duckdb.<uuid>.tmp``, manifests
  ``.datapackage.json.<uuid>``, temporary symlinks ``.<name>.link-<uuid>``, DuckDB's spill files in
  ``.duckdb_tmp``) are removed, and so are releases renamed into place but left without their
  manifest (``releases.store.remove_unfinished``). A new writer's temporary names belong in
  ``is_temporary``.

Runs started by the UI, a schedule or a sensor do not take the lock: while one of them is in
progress, the temporary files are left alone (they may be its own) and the report says so; the
next command that finds no such run removes them.

Not here: the lock (``run_lock``); the atomic writes that make a killed run harmless to the
published marts and the lake (``lake``, ``publication``).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from ti_pipeline.config import Paths
from ti_pipeline.releases.store import remove_unfinished

TRIGGER_TAG, DATA_DIR_TAG = "ti/trigger", "ti/data_dir"
NOT_FINISHED = (
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
)
RUNNING = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)
_LINK = re.compile(r"^\..+\.link-[0-9a-f]{32}$")
_HEX_TMP = re.compile(r"^\..+\.[0-9a-f]{8,32}\.tmp(\.wal)?$")  # releases.catalog, sql_runner.references
_MANIFEST_TMP = re.compile(r"^\.datapackage\.json\.[0-9a-f]{32}$")  # releases.store.write_manifest
# folders kept, whose contents are all temporary: mart candidates (sql_runner.builds.TMP_DIR) and
# DuckDB's spill files (sql_runner.execute: set temp_directory), which can be large
TMP_FOLDERS = (".tmp", ".duckdb_tmp")


def is_temporary(name: str) -> bool:
    """Whether a file or folder name is one our writers use before an atomic rename."""
    return (name.startswith(".tmp") and name not in TMP_FOLDERS) or name.startswith(".candidate_") \
        or bool(_LINK.match(name) or _HEX_TMP.match(name) or _MANIFEST_TMP.match(name)) or name.endswith(".json.tmp")


@dataclass
class Recovered:
    runs: list[str] = field(default_factory=list)  # run ids marked failed
    removed: list[Path] = field(default_factory=list)
    kept_for: str | None = None  # a run of the UI, a schedule or a sensor in progress: temporary files kept

    def line(self) -> str | None:
        """One line for the terminal, or None when there was nothing to clean."""
        parts = []
        if self.runs:
            parts.append(f"marked {len(self.runs)} run(s) of a killed command failed ({', '.join(r[:8] for r in self.runs)})")
        if self.removed:
            parts.append(f"removed {len(self.removed)} temporary file(s) or folder(s) it left")
        if self.kept_for:
            parts.append(f"kept the temporary files: run {self.kept_for[:8]} of the UI, a schedule or a sensor is in progress")
        return ("ti-pipeline: recovery: " + "; ".join(parts)) if parts else None


def dead_cli_runs(instance: dg.DagsterInstance, data_dir: Path) -> list[dg.DagsterRun]:
    """Unfinished runs of ``ti-pipeline`` for ``data_dir`` (runs without the data folder tag,
    from before it existed, count as this folder's). Only dead if the caller holds the lock."""
    runs = instance.get_runs(dg.RunsFilter(statuses=list(NOT_FINISHED), tags={TRIGGER_TAG: "cli"}))
    return [r for r in runs if r.tags.get(DATA_DIR_TAG, str(data_dir)) == str(data_dir)]


def temporary_paths(paths: Paths) -> list[Path]:
    """Temporary files and folders anywhere in the data folder, except the Dagster instance's
    folder and the sample folder (they may live inside it)."""
    skip = {paths.dagster_home.resolve(), paths.sample_dir.resolve()}
    found: list[Path] = []

    def walk(folder: Path) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if is_temporary(entry.name) or folder.name in TMP_FOLDERS:
                found.append(entry)
            elif entry.is_dir() and not entry.is_symlink() and entry.resolve() not in skip:
                walk(entry)

    if paths.data_dir.is_dir():
        walk(paths.data_dir)
    return found


def recover(instance: dg.DagsterInstance, paths: Paths) -> Recovered:
    """Mark the dead runs failed and remove the temporary files; call it holding ``run_lock``."""
    out = Recovered()
    for run in dead_cli_runs(instance, paths.data_dir):
        instance.report_run_failed(run, message="Marked failed by ti-pipeline: the command that ran it was killed "
                                   "(found unfinished while no ti-pipeline command held the data folder).")
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        out.runs.append(run.run_id)
    others = [r for r in instance.get_runs(dg.RunsFilter(statuses=list(RUNNING))) if r.tags.get(TRIGGER_TAG) != "cli"]
    if others:
        out.kept_for = others[0].run_id
        return out
    for path in temporary_paths(paths):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        out.removed.append(path)
    out.removed += remove_unfinished(paths)
    return out
