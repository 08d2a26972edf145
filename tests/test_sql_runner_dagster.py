"""The Dagster edge: assets, deps, groups and checks from a models folder; materialize() in process."""

from __future__ import annotations

import dagster as dg
import duckdb

from ti_pipeline.sql_runner import CATALOG_ASSET, build_catalog_asset, build_sql_assets, load_project

from test_sql_runner_execute import RAW, models, paths, write_model  # noqa: F401  (fixtures)


def _raw_stubs() -> list[dg.AssetSpec]:
    # The raw assets are built elsewhere; here the raw Parquet is written by the fixture.
    return [dg.AssetSpec(f"raw_{s}") for s in RAW]


def test_assets_groups_deps_and_checks(models):
    project = load_project(models, RAW)
    defs = dg.Definitions(assets=[*_raw_stubs(), *build_sql_assets(project), build_catalog_asset(project)])
    graph = defs.resolve_asset_graph()
    node = graph.get(dg.AssetKey("mart_ti_population"))
    assert node.group_name == "marts"
    assert node.parent_keys == {dg.AssetKey("int_ti_population")}
    assert graph.get(dg.AssetKey("stg_communes")).parent_keys == {dg.AssetKey("raw_communes")}
    assert graph.get(dg.AssetKey(CATALOG_ASSET)).parent_keys == {
        dg.AssetKey("mart_ti_population"),
        dg.AssetKey("mart_ti_composition"),
    }
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == dg.AssetKey("mart_ti_population")}
    assert checks == {"unique_id_ti__annee", "row_count"}
    assert node.kinds >= {"duckdb", "sql", "parquet"} if hasattr(node, "kinds") else True


def test_materialize_in_process(models, paths):
    project = load_project(models, RAW)
    result = dg.materialize([*_raw_stubs(), *build_sql_assets(project), build_catalog_asset(project)],
                            selection=dg.AssetSelection.all() - dg.AssetSelection.assets(*[f"raw_{s}" for s in RAW]))
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations)
    mats = {m.asset_key.to_user_string(): m for m in result.get_asset_materialization_events()}
    md = mats["mart_ti_population"].materialization.metadata
    assert md["dagster/row_count"].value == 4
    assert {c.name for c in md["dagster/column_schema"].schema.columns} == {"id_ti", "annee", "population", "perimetre"}
    with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
        assert con.sql("select count(*) from mart_ti_population").fetchall() == [(4,)]
