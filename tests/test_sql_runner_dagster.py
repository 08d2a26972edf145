"""The Dagster edge: assets, deps, groups and checks from a models folder; materialize() in process."""

from __future__ import annotations

import dagster as dg
import duckdb

from ti_pipeline.sql_runner import load_project
from ti_pipeline.defs.release import RELEASE_ASSET, build_release_asset
from ti_pipeline.defs.sql import SQL_MODELS_OP, build_sql_assets

from test_sql_runner_support import RAW, models, paths, tree_bytes, write_communes, write_model  # noqa: F401

RAW_KEYS = [dg.AssetKey(f"raw_{s}") for s in RAW]


def all_defs(project) -> list:
    # The raw assets are built elsewhere (ti_pipeline/defs/raw.py); here they are plain specs and
    # their Parquet is written by the fixture.
    return [*(dg.AssetSpec(k) for k in RAW_KEYS), *build_sql_assets(project), build_release_asset(project, with_portraits=False)]


def materialize_sql(project, **kw) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        all_defs(project),
        selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*RAW_KEYS),
        instance=dg.DagsterInstance.ephemeral(),
        **kw,
    )


def graph_of(project):
    return dg.Definitions(assets=all_defs(project)).resolve_asset_graph()


def checks_of(graph, key: str) -> set[str]:
    return {k.name for k in graph.asset_check_keys if k.asset_key == dg.AssetKey(key)}


def test_assets_groups_deps_kinds_and_checks(models):
    project = load_project(models, RAW)
    graph = graph_of(project)
    mart = graph.get(dg.AssetKey("mart_ti_population"))
    assert mart.group_name == "marts"
    assert mart.parent_keys == {dg.AssetKey("int_ti_population"), dg.AssetKey("mart_ti_composition")}
    assert mart.description == "Population of each territory."
    assert mart.code_version == project.models["mart_ti_population"].sql_hash[:16]
    assert {"duckdb", "sql", "parquet"} <= set(mart.kinds)
    assert graph.get(dg.AssetKey("stg_communes")).group_name == "staging"
    assert graph.get(dg.AssetKey("stg_communes")).parent_keys == {dg.AssetKey("raw_communes")}
    assert "parquet" not in graph.get(dg.AssetKey("stg_communes")).kinds
    assert graph.get(dg.AssetKey("int_ti_population")).group_name == "intermediate"
    assert graph.get(dg.AssetKey(RELEASE_ASSET)).parent_keys == {
        dg.AssetKey("mart_ti_population"), dg.AssetKey("mart_ti_composition"),
    }
    assert checks_of(graph, "mart_ti_population") == {
        "unique_id_ti__annee", "row_count", "relationships_id_ti__mart_ti_composition", "population_positive",
    }
    mart_checks = [graph.get_check_spec(k) for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("mart_ti_population")]
    assert all(spec.blocking for spec in mart_checks)
    # a test of severity error blocks in every layer: what reads a view that failed is not built
    view_checks = [graph.get_check_spec(k) for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("stg_communes")]
    assert [spec.blocking for spec in view_checks] == [True]


def test_a_new_sql_file_adds_an_asset_with_deps_and_checks(models):
    before = graph_of(load_project(models, RAW))
    assert dg.AssetKey("mart_ti_laureats") not in before.get_all_asset_keys()

    write_model(models, "marts/mart_ti_laureats.sql", """
        /* ---
        tests:
          - not_null: [id_laureat]
          - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
        --- */
        with l as (select * from raw_laureats)
        select l.id_laureat, c.id_ti from l join stg_communes c using (code_commune)
        """)
    after = graph_of(load_project(models, RAW))  # no Python changed: only the folder did
    node = after.get(dg.AssetKey("mart_ti_laureats"))
    assert node.group_name == "marts"
    assert node.parent_keys == {dg.AssetKey("raw_laureats"), dg.AssetKey("stg_communes"), dg.AssetKey("mart_ti_composition")}
    assert checks_of(after, "mart_ti_laureats") == {"not_null_id_laureat", "relationships_id_ti__mart_ti_composition"}
    assert dg.AssetKey("mart_ti_laureats") in after.get(dg.AssetKey(RELEASE_ASSET)).parent_keys


def test_materialize_in_process_end_to_end(models, paths):
    project = load_project(models, RAW)
    result = materialize_sql(project)
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == 7 and all(e.passed for e in evaluations)

    mats = {m.asset_key.to_user_string(): m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert set(mats) == {*project.models, RELEASE_ASSET}
    md = mats["mart_ti_population"]
    assert md["dagster/row_count"].value == 4
    columns = {c.name: c for c in md["dagster/column_schema"].schema.columns}
    assert set(columns) == {"id_ti", "annee", "population", "perimetre"}
    assert columns["id_ti"].description == "Territory id (ti-NNNN)"
    assert "```sql" in md["sql"].value and "int_ti_population" in md["sql"].value
    assert "| id_ti |" in md["preview"].value
    assert md["path"].value == str(paths.marts / "mart_ti_population")
    assert mats["stg_communes"]["dagster/row_count"].value == 6 and "path" not in mats["stg_communes"]
    assert mats[RELEASE_ASSET]["marts"].value == {"mart_ti_composition": 2, "mart_ti_population": 4}
    assert (paths.marts / "mart_ti_population").resolve().parent.parent.parent == paths.releases

    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select sum(population) from mart_ti_population where annee = 2024").fetchall() == [(240,)]
        assert con.sql("select count(*) from mart_ti_composition").fetchall() == [(2,)]


def test_failing_mart_test_in_dagster_blocks_the_mart_and_the_release(models, paths):
    project = load_project(models, RAW)
    assert materialize_sql(project).success
    mart = paths.marts / "mart_ti_population"
    before, catalog_before = tree_bytes(mart), paths.catalog_db.read_bytes()
    composition_before = tree_bytes(paths.marts / "mart_ti_composition")

    write_communes(paths, 2025, [("01001", "ti-0001", -10), ("09001", "ti-0009", 5)])
    result = materialize_sql(project, raise_on_error=False)
    assert not result.success

    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [("mart_ti_population", "population_positive")]
    assert failed[0].metadata["failing_rows"].value == 1
    assert "-10" in failed[0].metadata["examples"].value
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert "mart_ti_population" not in materialized and RELEASE_ASSET not in materialized
    # the models' step fails, naming the test, once the other models are built
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == SQL_MODELS_OP)
    assert "population_positive" in failure.step_failure_data.error.message
    assert {"stg_communes", "int_ti_population", "mart_ti_composition"} <= materialized
    assert tree_bytes(mart) == before and paths.catalog_db.read_bytes() == catalog_before
    # mart_ti_composition was rebuilt, but not published alone: the release still holds both old marts
    assert tree_bytes(paths.marts / "mart_ti_composition") == composition_before


def test_failing_test_on_a_table_blocks_what_reads_it(models, paths):
    project = load_project(models, RAW)
    write_communes(paths, 2025, [("01001", "ti-0001", 1)])  # fine for the marts
    write_model(models, "intermediate/int_ti_population.sql", """
        /* ---
        tests:
          - row_count: {max: 2}
        --- */
        select id_ti, annee, sum(population)::bigint as population, 'BE' as perimetre from stg_communes group by all
        """)
    project = load_project(models, RAW)
    result = materialize_sql(project, raise_on_error=False)
    failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == ["row_count"] and not result.success
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert "int_ti_population" not in materialized and "mart_ti_population" not in materialized
    assert RELEASE_ASSET not in materialized and not paths.marts.exists()  # nothing published
    assert not (paths.lake / "intermediate" / "int_ti_population.parquet").exists()  # the table was not kept


def test_a_selection_builds_only_the_selected_models(models, paths):
    """The models' multi-asset is subsettable: the UI or automation materializing one model builds
    that model only (what it reads is read as it is on disk)."""
    project = load_project(models, RAW)
    assert materialize_sql(project).success
    before = (paths.lake / "intermediate" / "int_ti_population.parquet").read_bytes()
    result = dg.materialize(
        all_defs(project), selection=["mart_ti_composition"], instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    assert [m.asset_key.to_user_string() for m in result.get_asset_materialization_events()] == ["mart_ti_composition"]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations()] == [
        ("mart_ti_composition", "unique_id_ti")
    ]
    assert (paths.lake / "intermediate" / "int_ti_population.parquet").read_bytes() == before


def test_a_check_alone_tests_the_model_as_it_is(models, paths):
    """Executing a check without its asset (the UI's Execute on a check) runs the test on the
    model's output as it is, without rebuilding it."""
    project = load_project(models, RAW)
    assert materialize_sql(project).success
    mart = paths.marts / "mart_ti_population"
    before = tree_bytes(mart)
    check = dg.AssetCheckKey(dg.AssetKey("mart_ti_population"), "population_positive")
    result = dg.materialize(
        all_defs(project), selection=dg.AssetSelection.checks(check), instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success
    assert result.get_asset_materialization_events() == []
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == ("population_positive", True)
    assert tree_bytes(mart) == before


def test_a_failing_model_leaves_the_others_built_and_fails_the_step(models, paths):
    write_model(models, "intermediate/int_ti_population.sql", "select colonne_absente from stg_communes")
    project = load_project(models, RAW)
    result = materialize_sql(project, raise_on_error=False)
    assert not result.success
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert materialized == {"stg_communes", "mart_ti_composition"}  # not what reads the failed model, nor the release
    failure = next(e for e in result.all_events if e.is_step_failure and e.step_key == SQL_MODELS_OP)
    message = failure.step_failure_data.error.message
    assert "int_ti_population.sql" in message and "colonne_absente" in message


INTERRUPTED_STEP = """
import sys
from pathlib import Path
import dagster as dg
from ti_pipeline.sql_runner import load_project
from ti_pipeline.defs.sql import build_sql_assets
project = load_project(Path(sys.argv[1]), [])
with dg.DagsterInstance.get() as instance:
    result = dg.materialize(build_sql_assets(project), instance=instance, raise_on_error=False)
    print("run", result.run_id, "success" if result.success else "failed", flush=True)
"""


def test_ctrl_c_in_the_models_step_interrupts_the_queries_under_way(tmp_path):
    """SIGINT while a model's DuckDB query runs (minutes of work): the step stops within seconds,
    the run is recorded as failed, the interrupted model is not materialized."""
    import os
    import subprocess
    import sys

    from interrupts import ctrl_c_when

    models = tmp_path / "models"
    write_model(models, "intermediate/int_vite.sql", "select 1 as x")
    write_model(models, "intermediate/int_long.sql",
                "select sum(a.range * b.range) as s from range(100000000) a, range(1000) b")
    data = tmp_path / "data"
    env = {**os.environ, "TI_DATA_DIR": str(data), "TI_MODE": "sample", "DAGSTER_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_STEP, str(models)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    # once the quick model is built, the long query is under way beside it
    stopped_after = ctrl_c_when(proc, (data / "lake" / "intermediate" / "int_vite.parquet").exists)
    output = proc.stdout.read().decode(errors="replace")
    assert stopped_after < 15, output[-2000:]
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        [run] = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.FAILURE, output[-2000:]
        materialized = {
            e.dagster_event.asset_key.to_user_string()
            for e in instance.all_logs(run.run_id)
            if e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
        }
    assert "int_long" not in materialized
    assert not (data / "lake" / "intermediate" / "int_long.parquet").exists()
