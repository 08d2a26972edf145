"""run_model without Dagster: view, table, mart; write-audit-keep (builds); Parquet metadata."""

from __future__ import annotations

import json
import os

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from ti_pipeline import __version__
from ti_pipeline.sql_runner import DataTestsFailed, ModelInputMissing, load_project, run_model
from ti_pipeline.sql_runner.execute import create_input_views, open_connection, open_database
from ti_pipeline.sql_runner.relations import mart_read_sql

from test_sql_runner_support import RAW, built, models, paths, tree_bytes, write_communes, write_model  # noqa: F401


def run_all(project, paths, **kw):
    return {name: run_model(project, name, paths, **kw) for name in project.models}


def test_view_table_and_marts(models, paths):
    project = load_project(models, RAW)
    view = run_model(project, "stg_communes", paths)
    assert view.path is None and view.row_count == 6
    assert [(r.test.name, r.passed) for r in view.test_results] == [("not_null_code_commune", True)]
    assert ("annee", "BIGINT") in view.columns  # millesime comes from the hive folder name
    assert not (paths.lake / "staging").exists()  # a view writes nothing

    table = run_model(project, "int_ti_population", paths, variables={"industry_scope": "C"})
    assert table.path == paths.lake / "intermediate" / "int_ti_population.parquet"
    assert table.row_count == 4
    assert pq.read_table(table.path).column("perimetre").to_pylist() == ["C"] * 4

    composition = run_model(project, "mart_ti_composition", paths)
    assert sorted(os.listdir(composition.version_dir)) == ["data.parquet"]
    mart = run_model(project, "mart_ti_population", paths)
    assert mart.path == paths.marts / "mart_ti_population"  # where a release will publish it
    assert sorted(p.parent.name for p in mart.version_dir.glob("*/data.parquet")) == ["annee=2023", "annee=2024"]
    assert mart.columns == [("id_ti", "VARCHAR"), ("annee", "BIGINT"), ("population", "BIGINT"), ("perimetre", "VARCHAR")]
    assert all(r.passed for r in mart.test_results) and len(mart.test_results) == 4
    assert mart.preview_rows and mart.preview_columns[0] == "id_ti"
    # Kept as an immutable audited build; nothing is published before a release.
    assert mart.version_dir.parent == paths.builds / "marts" / "mart_ti_population"
    assert not mart.path.exists()
    assert not any((paths.builds / "marts" / ".tmp").iterdir())


def test_models_sharing_a_database_keep_their_views_and_variables_to_themselves(models, paths):
    """``scheduler.run_models`` connects the models it builds at once to one database
    (``open_database``): each model's views (its inputs, itself) are its connection's own, so two
    models reading the same input do not collide, and nothing is left behind in the database."""
    project = load_project(models, RAW)
    with open_database(paths) as database:
        first = open_connection({"industry_scope": "C"}, paths, database)
        second = open_connection({"industry_scope": "BE"}, paths, database)
        with first as a, second as b:
            for con in (a, b):  # both read stg_communes: each creates its own view of it
                create_input_views(con, project, project.models["int_ti_population"], paths)
            assert a.sql("select getvariable('industry_scope')").fetchall() == [("C",)]
            assert b.sql("select getvariable('industry_scope')").fetchall() == [("BE",)]
            assert a.sql("select count(*) from stg_communes").fetchall() == [(6,)]
        results = {name: run_model(project, name, paths, database=database) for name in project.models}
        assert results["mart_ti_population"].row_count == run_model(project, "mart_ti_population", paths, reuse=False).row_count
        assert database.sql("select count(*) from duckdb_views() where not internal").fetchall() == [(0,)]


def test_default_variables_come_from_config(models, paths, monkeypatch):
    monkeypatch.setenv("TI_INDUSTRY_SCOPE", "C")
    project = load_project(models, RAW)
    run_model(project, "int_ti_population", paths)
    assert set(pq.read_table(paths.lake / "intermediate" / "int_ti_population.parquet")["perimetre"].to_pylist()) == {"C"}
    write_model(models, "staging/stg_vars.sql", "select getvariable('target_cog_year') as cog, getvariable('industry_scope') as s")
    from ti_pipeline.sources.catalog import TARGET_COG_YEAR
    result = run_model(load_project(models, RAW), "stg_vars", paths)
    assert result.preview_rows == [(TARGET_COG_YEAR, "C")]


def test_parquet_metadata_readable_with_pyarrow(models, paths):
    project = load_project(models, RAW)
    run_all(project, paths)
    path = built(paths, "mart_ti_population") / "annee=2024" / "data.parquet"
    schema = pq.read_schema(path)
    kv = {k.decode(): v.decode() for k, v in schema.metadata.items()}
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"

    provenance = json.loads(kv["ti_pipeline.provenance"])
    assert list(provenance) == ["communes"]  # transitively, through the table and the view
    assert [p["millesime"] for p in provenance["communes"]] == [2024, 2023]
    assert provenance["communes"][0]["sha256"] == "ab" * 32
    code = json.loads(kv["ti_pipeline.code_version"])
    assert code["ti_pipeline"] == __version__ and "git_commit" in code
    assert json.loads(kv["ti_pipeline.model"])["sql_sha256"] == project.models["mart_ti_population"].sql_hash
    assert json.loads(kv["ti_pipeline.generated_at"]).endswith("+00:00")
    assert json.loads(kv["ti_pipeline.synthetic"]) is True
    assert json.loads(kv["ti_pipeline.partitioning"]) == {
        "columns": ["annee"], "types": {"annee": "BIGINT"}, "column_order": ["id_ti", "annee", "population", "perimetre"],
    }
    assert json.loads(kv["ti_pipeline.column_descriptions"])["id_ti"] == "Territory id (ti-NNNN)"
    assert schema.field("id_ti").metadata[b"description"] == b"Territory id (ti-NNNN)"
    assert "annee" not in schema.names  # hive: the partition value lives in the folder name
    # The whole mart reads back with pyarrow's hive partitioning too.
    table = ds.dataset(built(paths, "mart_ti_population"), partitioning="hive").to_table()
    assert table.num_rows == 4 and "annee" in table.column_names


def test_live_mode_is_not_labelled_synthetic(models, paths, monkeypatch):
    monkeypatch.setenv("TI_MODE", "live")
    project = load_project(models, RAW)
    run_model(project, "stg_communes", paths)
    run_model(project, "mart_ti_composition", paths)
    assert b"ti_pipeline.synthetic" not in pq.read_schema(built(paths, "mart_ti_composition") / "data.parquet").metadata


def test_failing_test_blocks_the_build_and_keeps_previous_mart_byte_identical(models, paths):
    project = load_project(models, RAW)
    run_all(project, paths)
    mart = built(paths, "mart_ti_population")
    before, version_before = tree_bytes(mart), mart

    # A new vintage with a non-positive population: the mart's assert fails.
    write_communes(paths, 2025, [("01001", "ti-0001", -10), ("02001", "ti-0002", 80)])
    run_model(project, "int_ti_population", paths)
    with pytest.raises(DataTestsFailed) as err:
        run_model(project, "mart_ti_population", paths)

    msg = str(err.value)
    assert "population_positive: 1 failing row(s)" in msg
    assert "| ti-0001 |" in msg and "-10" in msg  # example rows, as a table
    assert "dbt_like_sql/marts/mart_ti_population.sql" in msg and "not kept for release" in msg
    assert [r.test.name for r in err.value.results if not r.passed] == ["population_positive"]
    assert tree_bytes(mart) == before and built(paths, "mart_ti_population") == version_before
    assert not any((paths.builds / "marts" / ".tmp").iterdir()), "the rejected candidate is removed"


def test_a_test_that_cannot_run_blocks_the_build(models, paths):
    project = load_project(models, RAW)
    run_all(project, paths)
    write_model(models, "marts/mart_ti_composition.sql", """
        /* ---
        tests:
          - not_null: [colonne_absente]
        --- */
        select distinct id_ti from stg_communes
        """)
    before = tree_bytes(built(paths, "mart_ti_composition"))
    with pytest.raises(DataTestsFailed, match="could not run"):
        run_model(load_project(models, RAW), "mart_ti_composition", paths)
    assert tree_bytes(built(paths, "mart_ti_composition")) == before


def test_warn_tests_do_not_block(models, paths):
    write_model(models, "marts/mart_ti_composition.sql", """
        /* ---
        tests:
          - row_count: {min: 1000}
            severity: warn
        --- */
        select distinct id_ti from stg_communes
        """)
    project = load_project(models, RAW)
    result = run_model(project, "mart_ti_composition", paths)
    assert [r.passed for r in result.test_results] == [False]
    assert (result.version_dir / "data.parquet").exists()


def test_rebuilding_keeps_a_few_builds(models, paths):
    project = load_project(models, RAW)
    run_all(project, paths)
    versions = []
    for _ in range(5):
        versions.append(run_model(project, "mart_ti_composition", paths, reuse=False).version_dir)
    kept = sorted(p for p in (paths.builds / "marts" / "mart_ti_composition").iterdir())
    assert kept == sorted(versions[-3:])
    assert built(paths, "mart_ti_composition") == versions[-1]


def test_string_partitions_keep_their_type_and_leading_zeros(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "marts/mart_dep.sql", """
        /* ---
        partition_by: [code_departement]
        --- */
        select left(code_commune, 2) as code_departement, code_commune, population, millesime
        from raw_communes
        """)
    write_model(root, "marts/mart_reads_mart.sql", "select code_departement, count(*) as n from mart_dep group by all")
    project = load_project(root, RAW)
    run_model(project, "mart_dep", paths)
    assert sorted(os.listdir(built(paths, "mart_dep"))) == ["code_departement=01", "code_departement=02"]
    # A mart reading a mart reads the latest audited build, with the partition type written down.
    result = run_model(project, "mart_reads_mart", paths)
    assert ("code_departement", "VARCHAR") in result.columns
    with duckdb.connect() as con:
        rows = con.sql(f"{mart_read_sql(built(paths, 'mart_dep'))} order by code_departement").fetchall()
    assert rows[0][0] == "01"  # first, as in the query, and still text


def test_empty_partitioned_mart_is_refused(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "marts/mart_empty.sql", "/* ---\npartition_by: [annee]\n--- */\nselect 1 as annee where false")
    with pytest.raises(ValueError, match="no rows"):
        run_model(load_project(root, RAW), "mart_empty", paths)
    assert not (paths.builds / "marts" / "mart_empty").exists()


def test_missing_inputs_are_clear_errors(models, paths, tmp_path):
    project = load_project(models, RAW)
    with pytest.raises(ModelInputMissing, match="int_ti_population, not materialized yet"):
        run_model(project, "mart_ti_population", paths)
    root = tmp_path / "m"
    write_model(root, "staging/stg_l.sql", "select * from raw_communes")
    write_model(root, "staging/stg_x.sql", "select * from raw_absent")
    with pytest.raises(ModelInputMissing, match="raw source raw_absent has no materialized vintage"):
        run_model(load_project(root, [*RAW, "absent"]), "stg_x", paths)


def test_invalid_sql_in_a_view_fails_the_run(tmp_path, paths):
    root = tmp_path / "m"
    write_model(root, "staging/stg_bad.sql", "select colonne_absente from raw_communes")
    with pytest.raises(duckdb.BinderException, match="colonne_absente"):
        run_model(load_project(root, RAW), "stg_bad", paths)
