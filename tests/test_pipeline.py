"""The whole pipeline on the embedded sample: marts on disk, figures computed by hand from the sample
files, idempotent re-runs, and definitions loadable by Dagster's own tools from workspace.yaml.

Expected values are derived by hand from the sample's files (tables reproduced in
data/sample/README.md, "Values to check by hand"): a territory's rate is the sum of its communes'
numerators over the sum of their denominators.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import run_pipeline
from ti_pipeline.config import PROJECT_ROOT, Paths

MARTS = ("mart_ti_indicateurs", "mart_ti_composition", "dim_indicateur")


def read_mart(paths, name: str) -> pd.DataFrame:
    return duckdb.sql(
        f"select * from read_parquet('{paths.marts / name}/**/*.parquet', hive_partitioning = true)"
    ).df()


def indicateur(paths, id_ti: str, code: str, annee: int) -> pd.Series:
    df = read_mart(paths, "mart_ti_indicateurs")
    row = df[(df.id_ti == id_ti) & (df.code_indicateur == code) & (df.annee == annee)]
    assert len(row) == 1, f"{id_ti} {code} {annee}: {len(row)} rows"
    return row.iloc[0]


def test_marts_are_on_disk(sample_run):
    for mart in MARTS:
        files = list((sample_run.marts / mart).glob("**/*.parquet"))
        assert files, f"no Parquet file for {mart}"
    assert sample_run.catalog_db.exists()


def test_part_emploi_industriel_by_hand(sample_run):
    # RP 2021, C21_EMPLT_INDUS / C21_EMPLT summed over the communes (COG 2023 codes):
    # ti-8402: 01053 600 + 01101 100 + 01102 50 + 01150 60 + 01210 40 + 01260 150 = 1000 industrial jobs,
    #          3000 + 400 + 200 + 300 + 200 + 300 = 4400 jobs -> 1000 / 4400 = 0.22727
    #          (01101 and 01102 merged on 1/1/2025: both count, as one commune of the target COG)
    row = indicateur(sample_run, "ti-8402", "part_emploi_industriel", 2021)
    assert (row.numerateur, row.denominateur) == (1000, 4400)
    assert row.valeur == pytest.approx(1000 / 4400)
    # ti-8413: 01260 150 + 01283 1200 + 01300 250 + 01310 300 = 1900; 300 + 2500 + 500 + 600 = 3900
    #          01260 is shared with ti-8402 and counts fully in both territories.
    row = indicateur(sample_run, "ti-8413", "part_emploi_industriel", 2021)
    assert (row.numerateur, row.denominateur) == (1900, 3900)
    assert row.valeur == pytest.approx(1900 / 3900)
    # ti-8420: Lyon (69123) comes as its 9 arrondissements 69381..69389 in the RP;
    # industry 900 + 400 + (200 + 100 + 300 + 100 + 100 + 200 + 500 + 300 + 400) = 3500,
    # jobs 1500 + 800 + (4000 + 2000 + 5000 + 2000 + 1000 + 3000 + 4000 + 2000 + 2000) = 27300
    row = indicateur(sample_run, "ti-8420", "part_emploi_industriel", 2021)
    assert (row.numerateur, row.denominateur) == (3500, 27300)


def test_chomage_and_population_by_hand(sample_run):
    # ti-8402, RP 2021: P21_CHOM1564 120 + 50 + 40 + 24 + 48 + 35 = 317;
    # P21_ACT1564 1800 + 420 + 240 + 360 + 288 + 294 = 3402 -> 0.0932
    row = indicateur(sample_run, "ti-8402", "taux_chomage_15_64", 2021)
    assert (row.numerateur, row.denominateur) == (317, 3402)
    assert round(row.valeur, 4) == 0.0932
    # population: 4000 + 1000 + 500 + 800 + 600 + 700 = 7600
    assert indicateur(sample_run, "ti-8402", "population", 2021).valeur == 7600


def test_flores_industrial_posts_by_hand(sample_run):
    # Flores 2024, EMPL3112 of industrial A38 codes, NUMBER_EMPL = _T (the published margins, which
    # include the secret detail cells): ti-8402 01053 CH 60 + CA 70 (secret detail) + 01101 CG 15
    # (secret detail) + 01150 CM 14 + 01210 CC 25 + 01260 CG 80 = 264; all posts 455.
    row = indicateur(sample_run, "ti-8402", "part_industrie_emploi_salarie", 2024)
    assert (row.numerateur, row.denominateur) == (264, 455)
    # posts in establishments of 50+ from detail cells: only 01260 CG E50T99 80 is published
    # (01053 CA E50T99 is secret) -> an under-estimate, flagged
    row = indicateur(sample_run, "ti-8402", "part_postes_ind_etab_50_plus", 2024)
    assert (row.numerateur, row.denominateur, row.qualite) == (80, 264, "secret")


def test_laureats_count_by_hand(sample_run):
    # plan-de-relance.csv located by SIRET, SIREN head office or postcode (data/sample/README.md):
    # ti-8402: Bresse Mécanique (01053), Vernoux Emballages (01101), Chavagnat Plastiques (old
    #          commune 01102, SIRET in 01101), Nurieux Composites (01260, SIREN head office) = 4
    # ti-8413: Plasturgie Oyonnax (01283), Moules de l'Ain (01300), Nurieux Composites (01260) = 3
    assert indicateur(sample_run, "ti-8402", "nb_laureats_relance", 2022).valeur == 4
    assert indicateur(sample_run, "ti-8413", "nb_laureats_relance", 2022).valeur == 3
    # 27 rows, one unmatchable (Société Fantôme Industrie) -> France 26, of which 6 outside TI
    row = indicateur(sample_run, "ti-8402", "nb_laureats_relance", 2022)
    assert (row.valeur_france, row.valeur_hors_ti, row.valeur_ensemble_ti) == (26, 6, 20)


def test_composition_shared_and_merged_communes(sample_run):
    compo = read_mart(sample_run, "mart_ti_composition")
    # 01260 is in two territories; the merged pair 01101 + 01102 is one commune of the target COG
    assert set(compo[compo.code_commune == "01260"].id_ti) == {"ti-8402", "ti-8413"}
    merged = compo[(compo.id_ti == "ti-8402") & (compo.code_commune == "01101")]
    assert merged.codes_commune_liste.tolist() == ["01101 ; 01102"]
    assert len(compo[compo.id_ti == "ti-8402"]) == 5
    assert compo.id_ti.nunique() == 10


def test_marts_say_they_are_synthetic(sample_run):
    for mart in MARTS:
        path = next((sample_run.marts / mart).glob("**/*.parquet"))
        meta = pq.read_schema(path).metadata
        assert meta[b"ti_pipeline.synthetic"] == b"true", mart
        assert b"ti_pipeline.provenance" in meta


def _mart_frames(paths) -> dict[str, pd.DataFrame]:
    frames = {}
    for mart in MARTS:
        df = read_mart(paths, mart)
        frames[mart] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return frames


def test_rerun_is_idempotent(tmp_path):
    # Two runs into the same data directory give the same marts, with no duplicated row (the
    # second forced: without --force, nothing being changed, every step would keep its output).
    assert run_pipeline(tmp_path) == 0
    first = _mart_frames(Paths(tmp_path, tmp_path))
    assert run_pipeline(tmp_path, "--force") == 0
    second = _mart_frames(Paths(tmp_path, tmp_path))
    for mart in MARTS:
        pd.testing.assert_frame_equal(first[mart], second[mart])
    raw = duckdb.sql(
        f"select count(*) from read_parquet('{tmp_path}/lake/raw/rp_emploi/*/*.parquet', hive_partitioning=true)"
    ).fetchall()[0][0]
    assert raw == len(pd.read_parquet(tmp_path / "lake/raw/rp_emploi/millesime=2021/data.parquet")) + len(
        pd.read_parquet(tmp_path / "lake/raw/rp_emploi/millesime=2022/data.parquet")
    )


def test_workspace_loads_with_dagster_cli(tmp_path):
    # The UI loads the code location from workspace.yaml; `dagster definitions validate` does the same load.
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "TI_DATA_DIR": str(tmp_path)}
    (tmp_path / "dagster.yaml").touch()
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", str(PROJECT_ROOT / "workspace.yaml")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All code locations passed validation" in proc.stdout + proc.stderr
