"""``stg_flores_a38`` reads Flores as Insee writes it: the one legal form (1T9X7), commune rows,
arrondissement rows only for a commune the file does not give whole (Paris given both ways would
count twice), K cells secret and W cells summed; the other geography levels are counted in the raw
asset's metadata and ignored.
"""

from __future__ import annotations

import duckdb
import pytest

from ti_pipeline import lake
from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project


@pytest.fixture(scope="module")
def project():
    return load_project(DEFAULT_MODELS_DIR, [s.asset_name for s in SOURCES])


def _connection(sample_run, project, raw_filter: str = "true") -> duckdb.DuckDBPyConnection:
    """The model's inputs as views over the sample run's raw lake (``raw_filter`` trims Flores)."""
    con = duckdb.connect()
    for name, where in (("flores_a38", raw_filter), ("cog_communes", "true")):
        con.execute(
            f"create view raw_{name} as select * from read_parquet("
            f"'{sample_run.raw / name}/*/*.parquet', hive_partitioning = true) where {where}"
        )
    con.execute(f"create view stg_cog_communes as {project.models['stg_cog_communes'].sql}")
    return con


def test_the_sample_file_has_every_level_and_only_commune_rows_are_read(sample_run, project):
    flores = get_source("flores_a38")
    records = lake.read_provenance(sample_run, "flores_a38")
    assert len(records) == len(flores.releases) == 3  # one per vintage (2024, 2023, 2022)
    # the raw asset counts every level of each file; the model reads COM (and ARM where needed)
    for record in records:
        assert set(record["counts"]) == {"COM", "ARM", "DEP", "REG", "ZE2020", "FRANCE"} and set(record["counts"]) <= set(flores.fields[1].isin)
    con = _connection(sample_run, project)
    rows = con.sql(project.models["stg_flores_a38"].sql).df()
    n_com = sum(record["counts"]["COM"] for record in records)
    assert len(rows) == n_com, "every COM row, no ARM row: Paris, Lyon, Marseille are given whole too"
    assert sorted(rows.millesime.unique()) == [2022, 2023, 2024]
    assert not rows.code_geo.str.match(r"^(751|6938|132)").any()
    assert set(rows.statut) == {"A", "K"} and rows.loc[rows.statut == "K", "valeur"].isna().all()
    assert rows.secret.eq(rows.statut == "K").all()


def test_arrondissements_are_read_for_a_commune_not_given_whole(sample_run, project):
    # Marseille without its COM rows: its arrondissements' rows are read instead, and sum to what
    # the COM rows said
    con = _connection(sample_run, project)
    whole = con.sql(
        "select sum(cast(OBS_VALUE as double)) from raw_flores_a38 where GEO = '13055' and GEO_OBJECT = 'COM' "
        "and ACTIVITY = '_T' and NUMBER_EMPL = '_T' and FLORES_MEASURE = 'EMPL3112'"
    ).fetchall()[0][0]
    con = _connection(sample_run, project, raw_filter="not (GEO = '13055' and GEO_OBJECT = 'COM')")
    rows = con.sql(project.models["stg_flores_a38"].sql).df()
    marseille = rows[rows.code_geo.str.startswith("132")]
    assert marseille.code_geo.nunique() == 16 and "13055" not in set(rows.code_geo)
    total = marseille[(marseille.activite_a38 == "_T") & (marseille.tranche_effectif == "_T") & (marseille.mesure == "EMPL3112")]
    assert total.valeur.sum() == whole > 0
    assert not rows.code_geo.str.match(r"^(751|6938)").any(), "Paris and Lyon are still given whole"


def test_a_w_cell_is_a_published_value(tmp_path, sample_run, project):
    # W (published, includes another category's data) at commune level: summed, not secret
    con = _connection(sample_run, project)
    con.execute(
        "create or replace view raw_flores_a38 as select * replace ("
        "case when GEO = '01053' and ACTIVITY = '_T' and NUMBER_EMPL = '_T' then 'W' else OBS_STATUS end as OBS_STATUS) "
        f"from read_parquet('{sample_run.raw / 'flores_a38'}/*/*.parquet', hive_partitioning = true)"
    )
    rows = con.sql(project.models["stg_flores_a38"].sql).df()
    w = rows[rows.statut == "W"]
    assert len(w) > 0 and w.valeur.notna().all() and not w.secret.any()
