"""Several models built at once (sql_runner.scheduler): order, failures, skips, interruption."""

from __future__ import annotations

import threading
import time

import pytest

from ti_pipeline.sql_runner import load_project, run_model
from ti_pipeline.sql_runner.execute import recorded_seconds
from ti_pipeline.sql_runner.scheduler import critical_path_seconds, default_workers, run_models

from test_sql_runner_support import RAW, models, paths, write_model  # noqa: F401


def fingerprint_raw(paths) -> None:
    """Give the fixture's raw files the fingerprint the pipeline's raw assets write: with it, a
    model's result (and its time) is recorded."""
    import pyarrow.parquet as pq

    from ti_pipeline.lake import PROVENANCE_KEY, read_file_metadata, write_parquet_atomic

    for f in paths.raw.rglob("*.parquet"):
        provenance = read_file_metadata(f)[PROVENANCE_KEY.decode()]
        table = pq.ParquetFile(f).read()
        write_parquet_atomic(table, f, metadata={PROVENANCE_KEY.decode(): {**provenance, "fingerprint": f"fp-{f.parent.name}"}})


def test_every_model_is_built_once_after_what_it_reads(models, paths):
    fingerprint_raw(paths)
    project = load_project(models, RAW)
    seen = []
    for outcome in run_models(project, project.models, paths, workers=3):
        assert outcome.succeeded, outcome.error
        # everything it reads in the set was reported before it (built first)
        assert {d for d in project.models[outcome.name].all_deps if d in project.models} <= set(seen)
        seen.append(outcome.name)
    assert sorted(seen) == sorted(project.models)
    assert (paths.marts / "mart_ti_population").is_dir()
    # each model's time is recorded with it: the next run orders by it
    assert all(recorded_seconds(paths, project.models[n]) is not None for n in project.models)


def test_built_at_once_gives_the_same_files_as_one_by_one(models, paths, tmp_path):
    from ti_pipeline.config import Paths

    project = load_project(models, RAW)
    for name in project.models:
        run_model(project, name, paths)
    one_by_one = {n: run_model(project, n, paths, reuse=False).row_count for n in project.models}
    other = Paths(data_dir=tmp_path / "other", sample_dir=paths.sample_dir)
    import shutil

    shutil.copytree(paths.raw, other.raw)
    at_once = {o.name: o.result.row_count for o in run_models(project, project.models, other, workers=4)}
    assert at_once == one_by_one
    import pyarrow.parquet as pq

    a = pq.read_table(paths.lake / "intermediate" / "int_ti_population.parquet").sort_by([("id_ti", "ascending"), ("annee", "ascending")])
    b = pq.read_table(other.lake / "intermediate" / "int_ti_population.parquet").sort_by([("id_ti", "ascending"), ("annee", "ascending")])
    assert a.equals(b)


def test_a_failure_skips_what_reads_it_and_the_others_go_on(models, paths):
    write_model(models, "intermediate/int_ti_population.sql", "select colonne_absente from stg_communes")
    project = load_project(models, RAW)
    before = {p.name for p in paths.marts.glob("*")} if paths.marts.exists() else set()
    outcomes = {o.name: o for o in run_models(project, project.models, paths, workers=2)}
    assert set(outcomes) == set(project.models)
    assert "colonne_absente" in str(outcomes["int_ti_population"].error)
    skipped = outcomes["mart_ti_population"]
    assert skipped.skipped_because == "int_ti_population" and skipped.result is None and skipped.error is None
    # the branch that does not read the failed model was built
    assert outcomes["mart_ti_composition"].succeeded and outcomes["stg_communes"].succeeded
    assert "mart_ti_population" not in before and not (paths.marts / "mart_ti_population").exists()


def test_longest_chain_first(models, paths):
    fingerprint_raw(paths)
    project = load_project(models, RAW)
    for outcome in run_models(project, project.models, paths):
        assert outcome.succeeded
    chain = critical_path_seconds(project, project.models, paths)
    # a model heads at least its own time and that of the longest chain reading it
    own = {n: recorded_seconds(paths, project.models[n]) for n in project.models}
    assert chain["mart_ti_population"] == pytest.approx(own["mart_ti_population"])
    assert chain["int_ti_population"] == pytest.approx(own["int_ti_population"] + own["mart_ti_population"])
    assert chain["stg_communes"] >= chain["int_ti_population"] + own["stg_communes"] - 1e-9
    # only the models of the set count: a set without the mart stops at the table
    partial = critical_path_seconds(project, ["stg_communes", "int_ti_population"], paths)
    assert partial["int_ti_population"] == pytest.approx(own["int_ti_population"])


def test_stopping_interrupts_the_queries_under_way(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "staging/stg_vite.sql", "select 1 as x")
    # tens of seconds of work for each of its queries (row count, preview) unless interrupted
    write_model(root, "staging/stg_long.sql", "select sum(a.range * b.range) as s from range(10000000) a, range(1000) b")
    project = load_project(root, RAW)
    outcomes = run_models(project, project.models, paths, workers=2)
    first = next(outcomes)
    assert first.name == "stg_vite" and first.succeeded
    time.sleep(0.3)  # the long model is under way (in a query, or between two)
    started = time.perf_counter()
    outcomes.close()  # what a Ctrl-C in Dagster's step does to the generator
    assert time.perf_counter() - started < 10
    assert not [t for t in threading.enumerate() if t.name.startswith("sql-model")]


def test_workers_setting():
    assert default_workers({"TI_SQL_WORKERS": "3"}) == 3
    assert default_workers({}) >= 1
    with pytest.raises(ValueError, match="TI_SQL_WORKERS must be a whole number"):
        default_workers({"TI_SQL_WORKERS": "deux"})
    with pytest.raises(ValueError, match="at least 1"):
        default_workers({"TI_SQL_WORKERS": "0"})


def test_unknown_models_are_refused(models, paths):
    project = load_project(models, RAW)
    with pytest.raises(KeyError, match="int_absent"):
        list(run_models(project, ["int_absent", "stg_communes"], paths))
