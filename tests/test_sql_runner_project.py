"""Loading a models folder: dependencies from the SQL, header options, and errors naming the files."""

from __future__ import annotations

import pytest

from ti_pipeline.sql_runner import SqlProjectError, load_project
from ti_pipeline.sql_runner.sql_parsing import parse_query, table_references

from test_sql_runner_support import RAW, models, write_model  # noqa: F401  (fixtures)


@pytest.mark.parametrize(
    "sql, expected",
    [
        # CTEs (also one shadowing nothing, one referenced from a later CTE) are not dependencies.
        ("with a as (select * from raw_x), b as (select * from a join stg_y using (id)) select * from b",
         ["raw_x", "stg_y"]),
        # Subqueries: their alias is not a dependency, their tables are (FROM, WHERE IN, EXISTS, LATERAL).
        ("select * from (select * from int_z) sub where id in (select id from raw_w) "
         "and exists (select 1 from stg_v where stg_v.id = sub.id)", ["int_z", "raw_w", "stg_v"]),
        ("select * from stg_a a, lateral (select * from stg_b b where b.id = a.id) l", ["stg_a", "stg_b"]),
        # A CTE defined inside a subquery is visible there only.
        ("with a as (select 1) select * from (with q as (select * from stg_q) select * from q) s join a on true",
         ["stg_q"]),
        ("with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) select * from t", []),
        # Table functions are not dependencies.
        ("select * from read_parquet('x/*.parquet') t, range(10) r, unnest([1, 2]) u", []),
        # DuckDB syntax: FROM-first, UNION BY NAME, UNPIVOT statement as a CTE, PIVOT, QUALIFY.
        ("from stg_a select x", ["stg_a"]),
        ("select * from stg_a union all by name select * from stg_b", ["stg_a", "stg_b"]),
        ("with long as (unpivot raw_rp on columns(* exclude (codgeo)) into name k value v) select * from long",
         ["raw_rp"]),
        ("select * from stg_a pivot (sum(v) for k in ('a', 'b'))", ["stg_a"]),
        ("select * from stg_a qualify row_number() over (partition by x order by y) = 1", ["stg_a"]),
        # Case-insensitive, like DuckDB.
        ("select * from STG_A", ["stg_a"]),
    ],
)
def test_table_references(sql, expected):
    assert sorted(table_references(parse_query(sql))) == sorted(expected)


def test_load_project_resolves_models_and_raw_sources(models):
    project = load_project(models, RAW)
    assert list(project.models) == ["stg_communes", "int_ti_population", "mart_ti_composition", "mart_ti_population"]
    mart = project.models["mart_ti_population"]
    assert mart.layer == "marts" and mart.materialized == "mart" and mart.partition_by == ("annee",)
    assert mart.deps == ("int_ti_population",)
    assert mart.test_deps == ("mart_ti_composition",)  # relationships target; the assert reads itself
    assert [t.name for t in mart.tests] == ["unique_id_ti__annee", "row_count", "relationships_id_ti__mart_ti_composition", "population_positive"]
    assert mart.columns["id_ti"] == "Territory id (ti-NNNN)"
    assert mart.file == "dbt_like_sql/marts/mart_ti_population.sql"
    assert project.models["stg_communes"].materialized == "view"
    assert project.models["stg_communes"].sql.endswith("from raw_communes")  # header and ';' removed
    assert project.models["int_ti_population"].materialized == "table"
    assert project.raw_sources_of("mart_ti_population") == ["raw_communes"]
    # raw sources may be given with or without the raw_ prefix
    assert load_project(models, ["raw_communes", "laureats"]).raw_sources == {"raw_communes", "raw_laureats"}


def test_unknown_reference_names_the_file_and_suggests(models):
    write_model(models, "marts/mart_bad.sql", "select * from int_ti_populaton")
    with pytest.raises(SqlProjectError) as err:
        load_project(models, RAW)
    msg = str(err.value)
    assert "dbt_like_sql/marts/mart_bad.sql" in msg and "'int_ti_populaton'" in msg
    assert "did you mean 'int_ti_population'" in msg


def test_unknown_reference_in_a_test(models):
    write_model(models, "staging/stg_x.sql", """
        /* ---
        tests:
          - relationships: {column: id, to: stg_nowhere.id}
        --- */
        select 1 as id
        """)
    with pytest.raises(SqlProjectError, match=r"dbt_like_sql/staging/stg_x.sql: a test references 'stg_nowhere'"):
        load_project(models, RAW)


def test_direct_file_reads_are_unknown_references(models):
    write_model(models, "staging/stg_file.sql", "select * from 'data/lake/raw/communes/x.parquet'")
    with pytest.raises(SqlProjectError, match="stg_file.sql"):
        load_project(models, RAW)


def test_cycle_names_every_file_on_it(models):
    write_model(models, "intermediate/int_a.sql", "select * from int_b")
    write_model(models, "intermediate/int_b.sql", "with x as (select * from int_c) select * from x")
    write_model(models, "intermediate/int_c.sql", "select * from int_a join raw_communes using (id)")
    with pytest.raises(SqlProjectError) as err:
        load_project(models, RAW)
    msg = str(err.value)
    assert msg.startswith("dependency cycle: ")
    for name in ("int_a", "int_b", "int_c"):
        assert f"dbt_like_sql/intermediate/{name}.sql" in msg


def test_self_reference_is_a_cycle(models):
    write_model(models, "intermediate/int_self.sql", "select * from int_self")
    with pytest.raises(SqlProjectError, match=r"cycle: dbt_like_sql/intermediate/int_self.sql -> dbt_like_sql/intermediate/int_self.sql"):
        load_project(models, RAW)


def test_duplicate_name_names_both_files(models):
    write_model(models, "intermediate/stg_communes.sql", "select 1 as x")
    with pytest.raises(SqlProjectError) as err:
        load_project(models, RAW)
    assert "duplicate model name 'stg_communes'" in str(err.value)
    assert "dbt_like_sql/intermediate/stg_communes.sql" in str(err.value)
    assert "dbt_like_sql/staging/stg_communes.sql" in str(err.value)


def test_model_named_like_a_raw_source(models):
    write_model(models, "staging/raw_communes.sql", "select 1 as x")
    with pytest.raises(SqlProjectError, match="staging/raw_communes.sql: model name 'raw_communes' is the name of a raw source"):
        load_project(models, RAW)


@pytest.mark.parametrize(
    "rel, text, message",
    [
        ("staging/stg_h.sql", "/* ---\nmaterialised: table\n--- */\nselect 1", r"unknown header key\(s\) \['materialised'\]"),
        ("staging/stg_h.sql", "/* ---\nmaterialized: tabel\n--- */\nselect 1", "materialized must be one of"),
        ("staging/stg_h.sql", "/* ---\nmaterialized: mart\n--- */\nselect 1", "only for models in marts/"),
        ("intermediate/int_h.sql", "/* ---\npartition_by: [annee]\n--- */\nselect 1 as annee", "partition_by is only for"),
        ("staging/stg_h.sql", "/* ---\ntests: [{uniq: [a]}]\n--- */\nselect 1 as a", r"test #1: unknown test kind 'uniq'"),
        ("staging/stg_h.sql", "/* ---\ntests: [{row_count: {}}]\n--- */\nselect 1 as a", "row_count needs min, max"),
        ("staging/stg_h.sql", "/* ---\ntests: [{unique: a}, {unique: [a]}]\n--- */\nselect 1 as a", "several tests named"),
        ("staging/stg_h.sql", "/* ---\ncolumns: [a\n--- */\nselect 1", "YAML header is invalid"),
        ("staging/stg_h.sql", "/* ---\ndescription: x\nselect 1", "not closed"),
        ("staging/stg_h.sql", "-- licence\n/* ---\ntests: [{unique: [a]}]\n--- */\nselect 1 as a", "at the very top"),
        ("staging/stg_h.sql", "select 1; select 2", "one query, found 2 statements"),
        ("staging/stg_h.sql", "create table t as select 1", "one SELECT query"),
        ("staging/stg_h.sql", "select from where", "sqlglot cannot parse"),
        ("misc/stg_h.sql", "select 1", "layer folders"),
        ("staging/Stg-H.sql", "select 1", "lower-case letters"),
    ],
)
def test_header_and_sql_errors_name_the_file(models, rel, text, message):
    write_model(models, rel, text)
    with pytest.raises(SqlProjectError, match=message) as err:
        load_project(models, RAW)
    assert f"dbt_like_sql/{rel}" in str(err.value)


def test_all_problems_are_reported_at_once(models):
    write_model(models, "staging/stg_e1.sql", "select * from nope_1")
    write_model(models, "staging/stg_e2.sql", "/* ---\nmaterialized: x\n--- */\nselect 1")
    with pytest.raises(SqlProjectError, match="2 problems") as err:
        load_project(models, RAW)
    assert "stg_e2.sql" in str(err.value)


def test_header_is_optional_and_defaults_follow_the_layer(tmp_path):
    root = tmp_path / "models"
    write_model(root, "staging/stg_a.sql", "-- a plain comment\nselect * from raw_communes")
    write_model(root, "intermediate/int_a.sql", "select * from stg_a")
    write_model(root, "marts/mart_a.sql", "select * from int_a")
    write_model(root, "marts/sub/mart_b.sql", "/* ---\nmaterialized: table\n--- */\nselect * from mart_a")
    project = load_project(root, RAW)
    assert {n: m.materialized for n, m in project.models.items()} == {
        "stg_a": "view", "int_a": "table", "mart_a": "mart", "mart_b": "table",
    }
    assert project.models["mart_b"].layer == "marts"


def test_the_references_memo_parses_only_the_sql_it_has_not_seen(models, tmp_path, monkeypatch):
    """``references``: a second load finds every dependency in the memo (sqlglot not called); a
    changed query is parsed again; a query that does not parse is never remembered; a memo of
    another parser version is ignored."""
    from ti_pipeline.sql_runner import references, sql_parsing

    memo = tmp_path / "cache" / "sql_references.json"
    write_model(models, "staging/stg_a.sql", "select * from raw_communes")
    write_model(models, "intermediate/int_b.sql", "select * from stg_a join raw_laureats using (code)")
    first = load_project(models, RAW, references_memo=memo)
    assert memo.is_file()

    def no_parsing(sql):
        raise AssertionError(f"parsed again: {sql}")

    monkeypatch.setattr(sql_parsing, "parse_query", no_parsing)
    again = load_project(models, RAW, references_memo=memo)
    assert {n: m.deps for n, m in again.models.items()} == {n: m.deps for n, m in first.models.items()}
    assert again.models["int_b"].deps == ("stg_a", "raw_laureats")

    write_model(models, "intermediate/int_b.sql", "select * from stg_a")  # changed: parsed again
    with pytest.raises(AssertionError, match="parsed again: select \\* from stg_a"):
        load_project(models, RAW, references_memo=memo)
    monkeypatch.undo()
    assert load_project(models, RAW, references_memo=memo).models["int_b"].deps == ("stg_a",)

    write_model(models, "intermediate/int_c.sql", "select * from")
    for _ in range(2):  # the error every time: not remembered
        with pytest.raises(SqlProjectError, match="int_c.sql: sqlglot cannot parse"):
            load_project(models, RAW, references_memo=memo)

    (models / "intermediate" / "int_c.sql").unlink()
    monkeypatch.setattr(references, "parser_version", lambda: "another sqlglot")
    monkeypatch.setattr(sql_parsing, "parse_query", no_parsing)
    with pytest.raises(AssertionError, match="parsed again"):
        load_project(models, RAW, references_memo=memo)


def test_an_unreadable_references_memo_is_ignored(models, tmp_path):
    memo = tmp_path / "sql_references.json"
    memo.write_text("{not json")
    write_model(models, "staging/stg_a.sql", "select * from raw_communes")
    assert load_project(models, RAW, references_memo=memo).models["stg_a"].deps == ("raw_communes",)
    import json

    written = json.loads(memo.read_text())  # rewritten whole
    assert written["format"] == 1 and ["raw_communes"] in written["references"].values()
