"""The whole pipeline on the embedded sample: marts on disk, figures computed by hand from the sample
files, idempotent re-runs, and definitions loadable by Dagster's own tools from workspace.yaml.

Expected values are derived by hand from the sample's files (tables reproduced in
data/sample/README.md, "Values to check by hand", for ti-0101) or summed from the raw files with
plain pandas (``sample_files``): a territory's rate is the sum of its communes' numerators over the
sum of their denominators.
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

import sample_files as files
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
    # RP 2021, C21_EMPLT_INDUS / C21_EMPLT summed over the communes (COG 2023 codes), README tables:
    # ti-0101: industry 2742 + 1565 + 667 = 4974, jobs 36608 + 19441 + 6149 = 62198 -> 0.0800
    row = indicateur(sample_run, "ti-0101", "part_emploi_industriel", 2021)
    assert (row.numerateur, row.denominateur) == (4974, 62198)
    assert row.valeur == pytest.approx(4974 / 62198)
    # ti-8420: Lyon (69123) comes as its 9 arrondissements 6938x in the RP, and both halves of the
    # 1/1/2024 merger (69149, 69152) count: the sums straight from the file
    row = indicateur(sample_run, "ti-8420", "part_emploi_industriel", 2021)
    assert row.numerateur == pytest.approx(files.rp_sum("ti-8420", "rp_emploi", 2021, "C21_EMPLT_INDUS"))
    assert row.denominateur == pytest.approx(files.rp_sum("ti-8420", "rp_emploi", 2021, "P21_EMPLT"))
    rp = files.rp("rp_emploi", 2021)
    assert {"69149", "69152", "69381", "69389"} <= set(rp.loc[rp.commune.isin(files.members_2025("ti-8420")), "CODGEO"])


def test_chomage_and_population_by_hand(sample_run):
    # ti-0101, RP 2021: P21_CHOM1564 2412 + 783 + 656 = 3851; P21_ACT1564 23497 + 14146 + 6659 = 44302
    row = indicateur(sample_run, "ti-0101", "taux_chomage_15_64", 2021)
    assert (row.numerateur, row.denominateur) == (3851, 44302)
    assert round(row.valeur, 4) == 0.0869
    # population: 53927 + 30616 + 14281 = 98824
    assert indicateur(sample_run, "ti-0101", "population", 2021).valeur == 98824


def test_flores_industrial_posts_by_hand(sample_run):
    # Flores 2024, EMPL3112 of industrial A38 codes, NUMBER_EMPL = _T (the published margins):
    # ti-0101 CG 295 + 266 + 1973 (97101), CK 165 + 1230 (97103), CA 582 (97120) = 4511; all posts 55951
    row = indicateur(sample_run, "ti-0101", "part_industrie_emploi_salarie", 2024)
    assert (row.numerateur, row.denominateur) == (4511, 55951)
    # Flores 2023, posts in establishments of 50+ from detail cells: 97101 CG E_GE500 1337 and 97103 CK
    # E_GE500 507 are secret -> 289 + 254 + 166 + 719 + 588 = 2016 of 3860, an under-estimate, flagged
    row = indicateur(sample_run, "ti-0101", "part_postes_ind_etab_50_plus", 2023)
    assert (row.numerateur, row.denominateur, row.qualite) == (2016, 3860, "secret")


def test_laureats_count_by_hand(sample_run):
    # plan-de-relance.csv located by SIRET, SIREN head office or postcode (data/sample/README.md):
    # ti-8402: Bresse Mécanique (01053), Viriat Emballages (01451), Corveissiat Composites (01125, SIREN
    #          head office) = 3
    # ti-8413: Plasturgie Oyonnax (01283), Moules de l'Ain (01014), Corveissiat Composites (01125) = 3
    assert indicateur(sample_run, "ti-8402", "nb_laureats_relance", 2022).valeur == 3
    assert indicateur(sample_run, "ti-8413", "nb_laureats_relance", 2022).valeur == 3
    # 27 rows, one unmatchable (Société Fantôme Industrie) -> France 26, of which 6 outside TI
    row = indicateur(sample_run, "ti-8402", "nb_laureats_relance", 2022)
    assert (row.valeur_france, row.valeur_hors_ti, row.valeur_ensemble_ti) == (26, 6, 20)


def test_composition_shared_and_merged_communes(sample_run):
    compo = read_mart(sample_run, "mart_ti_composition")
    # 01125 is in two territories; the merged pair 69149 + 69152 is one commune of the target COG
    assert set(compo[compo.code_commune == "01125"].id_ti) == {"ti-8402", "ti-8413"}
    merged = compo[(compo.id_ti == "ti-8420") & (compo.code_commune == "69149")]
    assert merged.codes_commune_liste.tolist() == ["69149 ; 69152"]
    assert merged.libelle_commune.tolist() == ["Oullins-Pierre-Bénite"]
    assert len(compo[compo.id_ti == "ti-8420"]) == 58
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
    assert raw == sum(
        len(pd.read_parquet(tmp_path / f"lake/raw/rp_emploi/millesime={m}/data.parquet")) for m in (2022, 2021, 2020, 2019, 2016, 2011)
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
