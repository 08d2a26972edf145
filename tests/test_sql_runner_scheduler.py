"""Several models built at once (sql_runner.scheduler): order, failures, skips, interruption."""

from __future__ import annotations

import threading
import time

import pytest

from ti_pipeline.sql_runner import load_project, run_model
from ti_pipeline.sql_runner.execute import recorded_seconds
from ti_pipeline.sql_runner.scheduler import (
    critical_path_seconds,
    default_workers,
    gating_models,
    readers_in,
    run_models,
    start_order,
)

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
        # the tables and marts it reads were reported before it (built first)
        assert set(gating_models(project, outcome.name, project.models)) <= set(seen)
        seen.append(outcome.name)
    assert sorted(seen) == sorted(project.models)
    assert (paths.builds / "marts" / "mart_ti_population").is_dir()
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
    before = {p.name for p in (paths.builds / "marts").glob("*")} if (paths.builds / "marts").exists() else set()
    outcomes = {o.name: o for o in run_models(project, project.models, paths, workers=2)}
    assert set(outcomes) == set(project.models)
    assert "colonne_absente" in str(outcomes["int_ti_population"].error)
    skipped = outcomes["mart_ti_population"]
    assert skipped.skipped_because == "int_ti_population" and skipped.result is None and skipped.error is None
    # the branch that does not read the failed model was built
    assert outcomes["mart_ti_composition"].succeeded and outcomes["stg_communes"].succeeded
    assert "mart_ti_population" not in before and not (paths.builds / "marts" / "mart_ti_population").exists()


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
    # a view read by others is as urgent as its most urgent reader (their reports wait for its
    # own), not more: its readers start first
    assert chain["stg_communes"] == pytest.approx(max(chain["int_ti_population"], chain["mart_ti_composition"]))
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


def test_views_do_not_hold_up_their_readers(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "staging/stg_a.sql", "select * from raw_communes")
    write_model(root, "intermediate/int_t.sql", "select code_commune, sum(population) as p from stg_a group by all")
    write_model(root, "staging/stg_b.sql", "select * from int_t")  # a view over a table
    write_model(root, "marts/mart_m.sql", "select * from stg_b join int_t using (code_commune, p)")
    project = load_project(root, RAW)
    names = list(project.models)
    assert gating_models(project, "int_t", names) == []  # stg_a is a view: int_t runs its SQL
    assert gating_models(project, "mart_m", names) == ["int_t"]  # through stg_b, and directly: once
    # a view over a table waits for the table, even when the table is not in the set: it is read as it is
    assert gating_models(project, "mart_m", ["mart_m", "stg_b"]) == []
    outcomes = {o.name: o for o in run_models(project, names, paths)}
    assert all(o.succeeded for o in outcomes.values())


def test_a_failing_view_fails_its_readers_with_its_error(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "staging/stg_bad.sql", "select colonne_absente from raw_communes")
    write_model(root, "intermediate/int_t.sql", "select * from stg_bad")
    outcomes = {o.name: o for o in run_models(load_project(root, RAW), ["stg_bad", "int_t"], paths)}
    assert "colonne_absente" in str(outcomes["stg_bad"].error)
    assert "colonne_absente" in str(outcomes["int_t"].error)


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


def test_outcomes_passed_on_in_dependency_order():
    """Dagster takes a multi-asset's materializations in topological order: a reader that ended
    before the view it reads waits for it."""
    from types import SimpleNamespace

    from ti_pipeline.sql_runner.scheduler import ModelOutcome, in_dependency_order

    project = SimpleNamespace(models={
        "stg_v": SimpleNamespace(all_deps=("raw_x",)),
        "int_t": SimpleNamespace(all_deps=("stg_v",)),
        "int_u": SimpleNamespace(all_deps=("raw_x",)),
        "mart_m": SimpleNamespace(all_deps=("int_t", "int_u", "stg_v")),
    })
    ended = [ModelOutcome("int_t"), ModelOutcome("int_u"), ModelOutcome("mart_m"), ModelOutcome("stg_v")]
    order = [o.name for o in in_dependency_order(project, project.models, ended)]
    assert order == ["int_u", "stg_v", "int_t", "mart_m"]
    # a model outside the set is nothing to wait for
    assert [o.name for o in in_dependency_order(project, ["int_t", "mart_m"], ended[:1] + ended[2:3])] == ["int_t", "mart_m"]


def test_a_view_whose_readers_have_started_no_longer_passes_the_chains_still_to_run(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "staging/stg_v.sql", "select * from raw_communes")
    write_model(root, "intermediate/int_lu.sql", "select * from stg_v")  # the view's reader
    write_model(root, "intermediate/int_autre.sql", "select * from raw_communes")
    write_model(root, "marts/mart_m.sql", "select * from int_lu")
    project = load_project(root, RAW)
    names = list(project.models)
    own = {"stg_v": 0.5, "int_lu": 4.0, "mart_m": 1.0, "int_autre": 2.0}
    below = readers_in(project, names)
    chain = {"stg_v": 5.0, "int_lu": 5.0, "mart_m": 1.0, "int_autre": 2.0}
    # its reader still to start: the view goes beside it, before the shorter chain
    assert start_order(project, ["stg_v", "int_lu", "int_autre"], {"stg_v", "int_lu", "int_autre", "mart_m"}, chain, own, below) == [
        "int_lu", "stg_v", "int_autre"
    ]
    # its reader started (or done): the view ranks by its own time, after the 2 s chain
    assert start_order(project, ["stg_v", "int_autre"], {"stg_v", "int_autre", "mart_m"}, chain, own, below) == ["int_autre", "stg_v"]
    # a view nothing in the set reads ranks by its own time as any model does
    assert start_order(project, ["stg_v", "mart_m"], {"stg_v", "mart_m"}, {"stg_v": 0.5, "mart_m": 1.0}, own, readers_in(project, ["stg_v", "mart_m"])) == [
        "mart_m", "stg_v"
    ]
