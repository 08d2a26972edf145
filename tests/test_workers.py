"""The raw runs side by side in worker processes (orchestration.workers, refresh.run_plan).

The session's ``sample_run`` ran with the default workers (one per core); here the same sample with
``--workers 1`` gives the same marts, the raw runs of a parallel refresh ran in other processes than
the caller's (and the downstream run in the caller's), a worker gets the caller's settings even
when they changed after its server started, a worker killed in the middle of a refresh is
reported, its Dagster run marked failed, and what depends on it is not rebuilt, and the objects
the command and the workers' server imported are out of the garbage collector's way.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ti_pipeline import cli
from ti_pipeline.config import Paths
from ti_pipeline.orchestration.plan import PlannedRun
from ti_pipeline.orchestration.refresh import RAW_RUN_TAG
from ti_pipeline.orchestration import workers
from ti_pipeline.orchestration.workers import largest_first, raw_runs_will_launch
from ti_pipeline.sources.catalog import get_source, sample_path

from conftest import run_pipeline

MARTS = ["mart_ti_indicateurs", "mart_ti_portrait", "mart_ti_secteurs", "mart_ti_laureats", "mart_ti_composition"]


def _raw_and_downstream_pids(dagster_home: Path) -> tuple[set[int], set[int]]:
    """The process ids that wrote the events of the raw runs, and of the downstream run."""
    raw, downstream = set(), set()
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        for run in instance.get_runs():
            pids = {e.dagster_event.pid for e in instance.all_logs(run.run_id) if e.dagster_event and e.dagster_event.pid}
            (downstream if run.job_name == "rebuild_from_lake" else raw).update(pids)
    return raw, downstream


def test_one_worker_gives_the_same_marts_as_parallel_workers(sample_run, tmp_path):
    assert run_pipeline(tmp_path, "--workers", "1") == 0
    from ti_pipeline.config import get_paths

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TI_DATA_DIR", str(tmp_path))
        sequential = get_paths()
    for name in MARTS:
        parallel_table = pq.read_table(sample_run.marts / name).to_pandas()
        sequential_table = pq.read_table(sequential.marts / name).to_pandas()
        # rows in the order of their non-float columns; floats equal to 1e-9 (DuckDB sums in parallel)
        key = [c for c in parallel_table.columns if not pd.api.types.is_float_dtype(parallel_table[c])]
        pd.testing.assert_frame_equal(
            parallel_table.sort_values(key, ignore_index=True),
            sequential_table.sort_values(key, ignore_index=True),
            check_exact=False,
            rtol=1e-9,
            obj=name,
        )
    raw, downstream = _raw_and_downstream_pids(tmp_path / "dagster_home")
    assert raw == downstream == {os.getpid()}  # --workers 1: everything in this process


def test_parallel_raw_runs_run_in_worker_processes(tmp_path):
    assert run_pipeline(tmp_path, "--workers", "2") == 0
    raw, downstream = _raw_and_downstream_pids(tmp_path / "dagster_home")
    assert downstream == {os.getpid()}
    assert raw and os.getpid() not in raw
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        numbers = sorted(int(r.tags[RAW_RUN_TAG]) for r in instance.get_runs() if RAW_RUN_TAG in r.tags)
    assert numbers == [0, 1, 2, 3]


def test_workers_get_the_callers_settings_not_their_servers(tmp_path):
    """The fork server keeps the environment it started with; each refresh passes its own."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_pipeline(first, "--workers", "2") == 0
    assert run_pipeline(second, "--workers", "2") == 0  # same server, other TI_DATA_DIR
    for data_dir in (first, second):
        assert any((data_dir / "lake" / "raw").rglob("*.parquet")), data_dir
        with dg.DagsterInstance.from_config(str(data_dir / "dagster_home")) as instance:
            assert len(instance.get_runs()) == 5


def test_largest_input_first(tmp_path):
    sample = tmp_path / "sample"
    sizes = {"ti_communes": 10, "rp_emploi": 3_000, "flores_a38": 50_000}
    for name, size in sizes.items():
        source = get_source(name)
        for release in source.releases:
            path = sample_path(sample, source, release)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * size)
    paths = Paths(data_dir=tmp_path / "data", sample_dir=sample)
    runs = [
        PlannedRun(("raw_ti_communes",)),
        PlannedRun(("raw_rp_emploi",), ("2022", "2021")),
        PlannedRun(("raw_flores_a38", "raw_urssaf_ape"), ("2024",)),  # no Urssaf file: counts 0
        PlannedRun(("raw_epci",), ("2025",)),  # no file at all
    ]
    ordered = largest_first(runs, paths, "sample")
    assert [r.assets[0] for r in ordered] == ["raw_flores_a38", "raw_rp_emploi", "raw_ti_communes", "raw_epci"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_a_killed_worker_is_reported_and_its_run_marked_failed(tmp_path, capsys):
    """SIGKILL of a worker (as the kernel's out-of-memory killer would): the refresh fails, says
    why, leaves no Dagster run STARTED, and rebuilds nothing downstream."""
    killed: list[int] = []
    home = tmp_path / "dagster_home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        cli._prepare_instance_env()  # the instance the command will write to, opened beforehand
    watcher = dg.DagsterInstance.from_config(str(home))

    def kill_workers_once_a_raw_run_exists() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(RAW_RUN_TAG in r.tags and not r.is_finished for r in watcher.get_runs()):
                for server in _children(os.getpid()):  # the fork server (and multiprocessing's helpers)
                    for worker in _children(server):
                        os.kill(worker, signal.SIGKILL)
                        killed.append(worker)
                return
            time.sleep(0.002)

    killer = threading.Thread(target=kill_workers_once_a_raw_run_exists)
    killer.start()
    code = run_pipeline(tmp_path, "--workers", "2")
    killer.join()
    watcher.dispose()
    assert killed, "no worker process was found to kill"
    assert code == 1
    err = capsys.readouterr().err
    assert "its worker process ended without a result" in err
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster_home")) as instance:
        runs = instance.get_runs()
        assert runs and all(r.is_finished for r in runs), [(r.run_id, r.status) for r in runs]
        assert any(r.status == dg.DagsterRunStatus.FAILURE for r in runs)
    assert not (tmp_path / "marts" / "mart_ti_indicateurs").exists()  # it reads every raw source


def test_what_the_command_and_the_workers_imported_is_frozen(sample_run):
    """``orchestration.long_lived``: the session's ``ti-pipeline run`` froze what its imports built
    (about 200,000 objects; nothing else here freezes any), and a worker is forked from a server
    that froze what it preloaded."""
    assert gc.get_freeze_count() > 50_000
    with workers.pool(1) as pool:
        assert pool.submit(gc.get_freeze_count).result() > 50_000


def test_the_server_starts_early_when_raw_runs_will_certainly_launch(sample_run, tmp_path):
    """Known before the definitions are imported: a forced run launches every raw run; a first
    run (a vintage never written) launches some; a re-run of a complete lake may launch none."""
    empty = Paths(data_dir=tmp_path / "empty", sample_dir=sample_run.sample_dir)
    assert raw_runs_will_launch(empty)
    assert not raw_runs_will_launch(sample_run)
    assert raw_runs_will_launch(sample_run, every_raw_run=True)
