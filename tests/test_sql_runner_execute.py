"""run_model end to end on a temporary models folder and data dir: view, table, mart, metadata."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ti_pipeline.config import Paths
from ti_pipeline.lake import read_file_metadata, write_raw
from ti_pipeline.sql_runner import DataTestsFailed, ModelInputMissing, load_project, run_model

RAW = ["communes", "laureats"]


def write_model(models: Path, rel: str, text: str) -> Path:
    path = models / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def paths(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TI_MODE", "sample")
    p = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    for millesime, rows in {
        2023: [("01001", "ti-0001", 100), ("01002", "ti-0001", 50), ("02001", "ti-0002", 70)],
        2024: [("01001", "ti-0001", 110), ("01002", "ti-0001", 55), ("02001", "ti-0002", 75)],
    }.items():
        frame = pd.DataFrame(rows, columns=["code_commune", "id_ti", "population"])
        write_raw(p, "communes", millesime, frame, provenance={"source": "communes", "millesime": millesime, "sha256": "ab" * 32})
    write_raw(
        p, "laureats", 2024, pd.DataFrame({"id_laureat": ["L1", "L2"], "code_commune": ["01001", "02001"]}),
        provenance={"source": "laureats", "millesime": 2024},
    )
    return p


@pytest.fixture
def models(tmp_path) -> Path:
    root = tmp_path / "dbt_like_sql"
    write_model(root, "staging/stg_communes.sql", """
        /* ---
        description: Communes of every vintage.
        tests:
          - not_null: [code_commune]
        --- */
        select millesime as annee, code_commune, id_ti, population from raw_communes;
        """)
    write_model(root, "intermediate/int_ti_population.sql", """
        /* ---
        columns:
          id_ti: Territory id
        tests:
          - unique: [id_ti, annee]
        --- */
        with c as (select * from stg_communes)
        select id_ti, annee, sum(population)::bigint as population, getvariable('industry_scope') as perimetre
        from c group by all
        """)
    write_model(root, "marts/mart_ti_population.sql", """
        /* ---
        partition_by: [annee]
        description: Population of each territory.
        columns:
          id_ti: Territory id (ti-NNNN)
          population: Population
        tests:
          - unique: [id_ti, annee]
          - row_count: {min: 1, max: 100}
        --- */
        select * from int_ti_population
        """)
    write_model(root, "marts/mart_ti_composition.sql", """
        select distinct id_ti from stg_communes
        """)
    return root


def test_view_table_and_partitioned_mart(models, paths):
    project = load_project(models, RAW)
    view = run_model(project, "stg_communes", paths)
    assert view.path is None and view.row_count == 6
    assert [r.passed for r in view.test_results] == [True]

    table = run_model(project, "int_ti_population", paths, variables={"industry_scope": "C"})
    assert table.path == paths.lake / "intermediate" / "int_ti_population.parquet"
    assert table.row_count == 4
    assert pq.read_table(table.path).column("perimetre").to_pylist() == ["C"] * 4

    mart = run_model(project, "mart_ti_population", paths)
    assert mart.path == paths.marts / "mart_ti_population"
    assert sorted(p.parent.name for p in mart.path.glob("*/data.parquet")) == ["annee=2023", "annee=2024"]
    assert ("annee", "BIGINT") in mart.columns
    assert all(r.passed for r in mart.test_results)

    meta = read_file_metadata(mart.path / "annee=2024" / "data.parquet")
    assert meta["ti_pipeline.synthetic"] is True
    assert meta["ti_pipeline.model"]["name"] == "mart_ti_population"
    assert [r["millesime"] for r in meta["ti_pipeline.provenance"]["communes"]] == [2024, 2023]
    schema = pq.read_schema(mart.path / "annee=2024" / "data.parquet")
    assert schema.field("id_ti").metadata[b"description"] == b"Territory id (ti-NNNN)"


def test_missing_upstream_is_a_clear_error(models, paths):
    project = load_project(models, RAW)
    with pytest.raises(ModelInputMissing, match="int_ti_population"):
        run_model(project, "mart_ti_population", paths)
