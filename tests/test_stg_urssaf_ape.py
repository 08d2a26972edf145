"""``stg_urssaf_ape`` turns the file's year columns into rows by unnesting lists (issue 8: 0.5 s
instead of 9 s at national scale): the same rows as the plain UNPIVOT + GROUP BY it replaced, and
a clear failure when the two measures do not have the same years.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ti_pipeline import lake
from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project
from ti_pipeline.sql_runner.execute import run_model

# The formulation the model replaced: every cell a row, then the two measures of a year paired
# by grouping on the row's keys and the year.
REFERENCE = r"""
with long as (
    unpivot raw_urssaf_ape
    on columns('^(effectifs_salaries|nombre_d_etablissements)_\d{4}$')
    into name colonne value valeur
)
select
    millesime, annee_cog, code_commune as code_geo, code_ape, substr(code_ape, 1, 2) as division_naf,
    cast(right(colonne, 4) as integer) as annee,
    sum(valeur) filter (where colonne like 'effectifs_salaries_%') as effectifs_salaries,
    sum(valeur) filter (where colonne like 'nombre_d_etablissements_%') as nombre_etablissements
from long
group by all
"""

KEYS = ["millesime", "code_geo", "code_ape", "annee"]


@pytest.fixture(scope="module")
def project():
    return load_project(DEFAULT_MODELS_DIR, [s.asset_name for s in SOURCES])


def _rows(con, sql: str) -> pd.DataFrame:
    return con.sql(sql).df().sort_values(KEYS).reset_index(drop=True)


def test_same_rows_as_unpivot_and_group_by_on_the_sample(sample_run, project):
    con = duckdb.connect()
    con.execute(
        "create view raw_urssaf_ape as select * from read_parquet("
        f"'{sample_run.raw / 'urssaf_ape'}/*/*.parquet', hive_partitioning = true)"
    )
    model = _rows(con, project.models["stg_urssaf_ape"].sql)
    reference = _rows(con, REFERENCE)
    assert len(model) > 100 and model["annee"].nunique() > 5
    pd.testing.assert_frame_equal(model[reference.columns.tolist()], reference, check_dtype=False)


def _write_raw(paths: Paths, frame: pd.DataFrame) -> None:
    lake.write_raw(paths, "urssaf_ape", 2024, frame.assign(annee_cog=2025), provenance={})


def test_a_year_missing_from_one_measure_fails_the_model(tmp_path, project):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    _write_raw(paths, pd.DataFrame({
        "code_commune": ["01001"], "code_ape": ["2562Z"],
        "effectifs_salaries_2023": [3.0], "effectifs_salaries_2024": [4.0],
        "nombre_d_etablissements_2024": [1.0],
    }))
    with pytest.raises(Exception, match=r"years of effectifs_salaries_\* \(\[2023, 2024\]\) and nombre_d_etablissements_\* \(\[2024\]\) differ"):
        run_model(project, "stg_urssaf_ape", paths, reuse=False)


def test_measures_are_paired_by_year_whatever_the_column_order(tmp_path, project):
    paths = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    _write_raw(paths, pd.DataFrame({
        "code_commune": ["01001", "01002"], "code_ape": ["2562Z", "1011Z"],
        "nombre_d_etablissements_2024": [1.0, None],
        "effectifs_salaries_2023": [3.0, None],
        "nombre_d_etablissements_2023": [2.0, None],
        "effectifs_salaries_2024": [None, None],  # secret in 2024; the second row is empty: no row
    }))
    result = run_model(project, "stg_urssaf_ape", paths, reuse=False)
    assert result.row_count == 2
    rows = sorted(tuple(r[c] for c in ("annee", "effectifs_salaries", "nombre_etablissements"))
                  for r in (dict(zip(result.preview_columns, row)) for row in result.preview_rows))
    assert rows[0] == (2023, 3.0, 2.0)
    assert rows[1][0] == 2024 and pd.isna(rows[1][1]) and rows[1][2] == 1.0
