"""The portrait marts on the embedded sample: expected values derived by hand, comparators recomputed
independently from the raw sample files, every indicator for every territory, lauréat counts.

The pipeline runs once per session (``sample_run`` in conftest.py: ``ti-pipeline run`` in process
into a temporary data directory). Hand values come from the tables of data/sample/README.md
("Values to check by hand", "Lauréats"); the comments show the arithmetic. A territory's rate is
the sum of its communes' numerators over the sum of their denominators, never a mean of rates.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.sources.catalog import SOURCES
from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project
from ti_pipeline.sql_runner.data_tests import run_test

SAMPLE = PROJECT_ROOT / "data" / "sample"

# Every indicator code of shared/INDICATORS.md (its table, first column), in its order.
INDICATOR_CODES = (
    "nb_communes", "nb_epci", "population", "evol_population_5a", "part_60_plus",
    "taux_activite_15_64", "taux_chomage_15_64", "part_ouvriers_actifs_occ", "emplois_lt",
    "evol_emplois_lt_5a", "concentration_emploi", "part_emploi_industriel", "part_femmes_industrie",
    "part_salaries_industrie", "postes_salaries_industrie", "part_industrie_emploi_salarie",
    "etab_employeurs_industrie", "part_postes_ind_etab_50_plus", "part_postes_ind_etab_250_plus",
    "top_secteurs_industriels", "evol_emploi_ind_prive_1a", "evol_emploi_ind_prive_5a",
    "evol_emploi_ind_prive_10a", "nb_laureats_relance", "investissement_laureats", "aide_laureats",
    "emplois_laureats", "laureats_pour_10k_postes_ind",
)
SAMPLE_TERRITORIES = ("ti-0101", "ti-3203", "ti-3215", "ti-4404", "ti-8402", "ti-8413", "ti-8420", "ti-9305", "ti-9310", "ti-9401")


def mart(paths, name: str) -> pd.DataFrame:
    return duckdb.sql(
        f"select * from read_parquet('{paths.marts / name}/**/*.parquet', hive_partitioning = true)"
    ).df()


@pytest.fixture(scope="module")
def indicateurs(sample_run) -> pd.DataFrame:
    df = mart(sample_run, "mart_ti_indicateurs")
    df["annee"] = df["annee"].astype(int)
    return df


def row(df: pd.DataFrame, id_ti: str, code: str, annee: int) -> pd.Series:
    found = df[(df.id_ti == id_ti) & (df.code_indicateur == code) & (df.annee == annee)]
    assert len(found) == 1, f"{id_ti} {code} {annee}: {len(found)} rows"
    return found.iloc[0]


# --- every indicator, every territory ------------------------------------------------------------


def test_indicator_codes_are_those_of_indicators_md():
    path = PROJECT_ROOT.parent / "shared" / "INDICATORS.md"
    if not path.exists():
        pytest.skip("shared/INDICATORS.md is not next to the repository")
    table = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("| `")]
    codes = [c for line in table for c in re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])]
    # the table abbreviates evol_emploi_ind_prive_1a, `_5a`, `_10a`
    codes = [c if not c.startswith("_") else "evol_emploi_ind_prive" + c for c in codes]
    assert tuple(codes) == INDICATOR_CODES


def test_every_indicator_for_every_territory(sample_run, indicateurs):
    dim = mart(sample_run, "dim_indicateur")
    assert set(dim.code_indicateur) == set(INDICATOR_CODES)
    assert dim.sort_values("ordre").code_indicateur.tolist() == list(INDICATOR_CODES)
    assert set(indicateurs.id_ti) == set(SAMPLE_TERRITORIES)
    present = set(zip(indicateurs.id_ti, indicateurs.code_indicateur))
    missing = [(t, c) for t in SAMPLE_TERRITORIES for c in INDICATOR_CODES if (t, c) not in present]
    assert missing == []
    # every year each source gives: census 2021 and 2022, Flores 2023 and 2024, Urssaf 2007-2025 (the
    # rolling file's years: its latest, 2025, read from the file)
    years = indicateurs[indicateurs.id_ti == "ti-8402"].groupby("code_indicateur").annee.agg(["min", "max", "count"])
    assert tuple(years.loc["population"]) == (2021, 2022, 2)
    assert tuple(years.loc["postes_salaries_industrie"]) == (2023, 2024, 2)
    assert tuple(years.loc["evol_emploi_ind_prive_1a"]) == (2007, 2025, 19)
    assert tuple(years.loc["evol_emploi_ind_prive_5a"]) == (2011, 2025, 15)
    assert tuple(years.loc["evol_emploi_ind_prive_10a"]) == (2016, 2025, 10)


def test_contract_columns_and_rules(indicateurs):
    # the columns the portraits read are still there (add, never rename)
    for col in ("id_ti", "lib_ti", "code_indicateur", "annee", "numerateur", "denominateur", "valeur", "unite",
                "valeur_france", "valeur_region", "valeur_ensemble_ti", "valeur_hors_ti", "code_region", "source",
                "millesime", "annee_cog", "qualite", "nb_communes_renseignees", "nb_communes",
                "annee_base", "couverture", "detail"):
        assert col in indicateurs.columns, col
    parts = indicateurs[indicateurs.unite == "part"]
    assert parts.valeur.dropna().between(0, 1).all()
    assert (parts.numerateur <= parts.denominateur).all()
    assert set(indicateurs.qualite) <= {"ok", "secret", "partiel"}
    assert (indicateurs.annee_cog == 2025).all()


# --- ti-8402: the merged commune 01101 + 01102 and the shared commune 01260 ------------------------


def test_ti_8402_merged_and_shared_communes(indicateurs):
    ind = indicateurs
    # communes of the list: 01053, 01101, 01102, 01150, 01210, 01260 -> 01101 absorbs 01102 on
    # 1/1/2025, so 5 communes of the target COG; groupements: CA du Bassin de Bourg-en-Bresse and
    # CC Ain-Oignin (01260 comes through it, and is also in ti-8413)
    assert row(ind, "ti-8402", "nb_communes", 2025).valeur == 5
    assert row(ind, "ti-8402", "nb_epci", 2025).valeur == 2
    # RP 2021: P21_POP 4000 + 1000 + 500 + 800 + 600 + 700 = 7600 (both halves of the merger count)
    assert row(ind, "ti-8402", "population", 2021).valeur == 7600
    # P15_POP 3800 + 950 + 475 + 760 + 570 + 665 = 7220, 6 years earlier in the same file:
    # mean annual change (7600 / 7220)^(1/6) - 1 = 1.05263^(1/6) - 1 = 0.859 %
    r = row(ind, "ti-8402", "evol_population_5a", 2021)
    assert (r.numerateur, r.denominateur, r.annee_base) == (7600, 7220, 2015)
    assert r.valeur == pytest.approx((7600 / 7220) ** (1 / 6) - 1)
    assert round(r.valeur, 5) == 0.00859
    # P21_EMPLT 3000 + 400 + 200 + 300 + 200 + 300 = 4400; P15_EMPLT 2700 + 360 + 180 + 270 + 180 + 270
    # = 3960: +11.1 % over 2015-2021
    r = row(ind, "ti-8402", "evol_emplois_lt_5a", 2021)
    assert (r.numerateur, r.denominateur, r.annee_base) == (4400, 3960, 2015)
    assert r.valeur == pytest.approx(4400 / 3960 - 1)
    # 60+: (P21_POP6074 1368 + P21_POP75P 836) / 7600 = 0.29
    r = row(ind, "ti-8402", "part_60_plus", 2021)
    assert (r.numerateur, r.denominateur) == (2204, 7600)
    # activity 3402 / 4582; blue-collar 612 / 3085; salaried industry 875 / 1000; 100 x 4400 / 3161
    assert row(ind, "ti-8402", "taux_activite_15_64", 2021).valeur == pytest.approx(3402 / 4582)
    assert row(ind, "ti-8402", "part_ouvriers_actifs_occ", 2021).valeur == pytest.approx(612 / 3085)
    assert row(ind, "ti-8402", "part_salaries_industrie", 2021).valeur == pytest.approx(875 / 1000)
    assert round(row(ind, "ti-8402", "concentration_emploi", 2021).valeur, 2) == 139.20
    # Flores 2024, industrial A38 margins (NUMBER_EMPL _T): 01053 CH 60 + CA 70 + 01101 CG 15 + 01150 CM 14
    # + 01210 CC 25 + 01260 CG 80 = 264 posts; establishments 2 + 1 + 1 + 2 + 1 + 1 = 8
    assert row(ind, "ti-8402", "postes_salaries_industrie", 2024).valeur == 264
    assert row(ind, "ti-8402", "etab_employeurs_industrie", 2024).valeur == 8
    # 200+ (Flores has no 250 band): no E200T499 / E_GE500 cell -> 0 / 264, nothing secret
    r = row(ind, "ti-8402", "part_postes_ind_etab_250_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (0, 264, "ok")
    # top 3 sectors: CG 15 + 80 = 95, CA 70, CH 60 -> 225 / 264
    r = row(ind, "ti-8402", "top_secteurs_industriels", 2024)
    assert (r.numerateur, r.denominateur, r.detail) == (225, 264, "CG ; CA ; CH")
    # TI fund extract: Vernoux Emballages 400k / 100k / 5 jobs, Chavagnat Plastiques (old commune 01102,
    # its SIRET is in 01101) 320k / 80k / 4, Nurieux Composites (01260) 1,000k / 200k / 10
    r = row(ind, "ti-8402", "investissement_laureats", 2022)
    assert (r.valeur, r.couverture, r.qualite) == (1_720_000, 1.0, "ok")
    assert row(ind, "ti-8402", "aide_laureats", 2022).valeur == 380_000
    assert row(ind, "ti-8402", "emplois_laureats", 2022).valeur == 19
    # 4 DGE lauréats per 10,000 industrial posts of Flores 2023 (the Flores year closest to 2022):
    # 01053 CH 58 + CA 72 + 01101 CG 14 + 01150 CM 12 + 01210 CC 25 + 01260 CG 75 = 256 -> 156.25
    r = row(ind, "ti-8402", "laureats_pour_10k_postes_ind", 2022)
    assert (r.numerateur, r.denominateur) == (4, 256)
    assert r.valeur == pytest.approx(156.25)
    assert "Flores 2023" in r.source


# --- ti-8413: shares 01260 with ti-8402 -----------------------------------------------------------


def test_ti_8413_shared_commune(indicateurs):
    ind = indicateurs
    # 01260 counts fully here too: population 700 + 3000 + 900 + 1100 = 5700
    assert row(ind, "ti-8413", "population", 2021).valeur == 5700
    # unemployment 35 + 240 + 45 + 33 = 353 over actives 294 + 1440 + 378 + 495 = 2607
    r = row(ind, "ti-8413", "taux_chomage_15_64", 2021)
    assert (r.numerateur, r.denominateur) == (353, 2607)
    # groupements: Haut-Bugey Agglomération and the single commune Nurieux-sur-Oignin (COM)
    assert row(ind, "ti-8413", "nb_epci", 2025).valeur == 2
    # Flores 2024: CG 80 (01260) + 300 + 90 (01283) + 60 (01300) + 110 + 4 (01310) = 644, CH 30, CK 8 = 682
    r = row(ind, "ti-8413", "part_industrie_emploi_salarie", 2024)
    assert (r.numerateur, r.denominateur) == (682, 841)
    # 50+: 80 + 300 + 60 + 110 = 550 (all published); 200+: 01283 CG E200T499 300
    r = row(ind, "ti-8413", "part_postes_ind_etab_50_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (550, 682, "ok")
    r = row(ind, "ti-8413", "part_postes_ind_etab_250_plus", 2024)
    assert (r.numerateur, r.denominateur) == (300, 682)
    r = row(ind, "ti-8413", "top_secteurs_industriels", 2024)
    assert (r.numerateur, r.denominateur, r.valeur, r.detail) == (682, 682, 1.0, "CG ; CH ; CK")
    # jobs: Plasturgie Oyonnax 20 + Nurieux Composites 10, Moules de l'Ain reports none -> 30, coverage
    # 2/3, flagged partial
    r = row(ind, "ti-8413", "emplois_laureats", 2022)
    assert (r.valeur, r.qualite) == (30, "partiel")
    assert r.couverture == pytest.approx(2 / 3)


# --- ti-8420: Lyon by its arrondissements ---------------------------------------------------------


def test_ti_8420_lyon_arrondissements(indicateurs):
    ind = indicateurs
    # 69201 + 69202 + Lyon's 9 arrondissements (6938x, summed into 69123): 3 communes
    assert row(ind, "ti-8420", "nb_communes", 2025).valeur == 3
    # population 1000 + 1000 + (3000 + 2000 + 4000 + 3000 + 2000 + 3000 + 4000 + 3000 + 2000) = 28000
    assert row(ind, "ti-8420", "population", 2021).valeur == 28000
    r = row(ind, "ti-8420", "taux_activite_15_64", 2021)
    assert (r.numerateur, r.denominateur) == (12660, 17000)
    assert round(row(ind, "ti-8420", "concentration_emploi", 2021).valeur, 2) == 238.64  # 100 x 27300 / 11440
    # Flores 2024, industrial posts: CE 700 + 150 + 550, CD 250, CF 90 + 70, CL 260, CK 130, CH 50 + 14,
    # CI 25, CG 12, CC 6, CA 4, CM 3 = 2314; 50+ published: 700 + 250 + 150 + 70 + 550 + 130 + 260 = 2110
    # (69202 CF E50T99 90 is secret -> flagged); 200+: 700 + 250 + 550 + 260 = 1760
    r = row(ind, "ti-8420", "part_postes_ind_etab_50_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (2110, 2314, "secret")
    r = row(ind, "ti-8420", "part_postes_ind_etab_250_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (1760, 2314, "ok")
    # top 3: CE 1400, CL 260, CD 250 -> 1910 / 2314
    r = row(ind, "ti-8420", "top_secteurs_industriels", 2024)
    assert (r.numerateur, r.detail) == (1910, "CE ; CL ; CD")
    # Chimie Vallée du Rhône: SIRET of a secondary establishment in 69387 (head office in Paris 8e)
    # -> Lyon, ti-8420; with Raffinerie de Feyzin and Pierre-Bénite Fluor: 3 lauréats
    assert row(ind, "ti-8420", "nb_laureats_relance", 2022).valeur == 3
    # aid: Chimie Vallée du Rhône 500k, Pierre-Bénite Fluor not reported -> 500k, coverage 1/2
    r = row(ind, "ti-8420", "aide_laureats", 2022)
    assert (r.valeur, r.couverture, r.qualite) == (500_000, 0.5, "partiel")


def test_urssaf_changes_recomputed_from_the_raw_file(indicateurs):
    # Independent computation over the raw Urssaf CSV: ti-8420 = Lyon's arrondissements (6938x) + 69201
    # + 69202; industry = APE divisions 05 to 39 (scope BE)
    u = pd.read_csv(SAMPLE / "urssaf/2025/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv",
                    sep=";", dtype={"code_commune": str, "code_ape": str}, encoding="utf-8-sig")
    lyon = u[(u.code_commune.str.startswith("6938") | u.code_commune.isin(["69201", "69202"]))
             & u.code_ape.str[:2].astype(int).between(5, 39)]
    for years, code in ((1, "evol_emploi_ind_prive_1a"), (5, "evol_emploi_ind_prive_5a"), (10, "evol_emploi_ind_prive_10a")):
        now, before = lyon["effectifs_salaries_2025"].sum(), lyon[f"effectifs_salaries_{2025 - years}"].sum()
        r = row(indicateurs, "ti-8420", code, 2025)
        assert (r.numerateur, r.denominateur, r.annee_base) == (now, before, 2025 - years)
        assert r.valeur == pytest.approx(now / before - 1)
    # secret cells (empty headcount, establishments published) in ti-3215 (communes 62001-62006): a
    # change is flagged secret when either of its years has one; couverture = industrial
    # establishments of both years whose headcount is published over all of them
    calais = u[u.code_commune.isin([f"6200{i}" for i in range(1, 7)]) & u.code_ape.str[:2].astype(int).between(5, 39)]

    def etablissements(year: int) -> tuple[float, float]:
        etab, eff = calais[f"nombre_d_etablissements_{year}"], calais[f"effectifs_salaries_{year}"]
        return etab.sum(), etab[eff.isna()].sum()

    seen = set()
    for year in range(2007, 2026):
        (all_now, hidden_now), (all_before, hidden_before) = etablissements(year), etablissements(year - 1)
        r = row(indicateurs, "ti-3215", "evol_emploi_ind_prive_1a", year)
        hidden, total = hidden_now + hidden_before, all_now + all_before
        assert r.qualite == ("secret" if hidden else "ok"), year
        assert r.couverture == pytest.approx((total - hidden) / total), year
        seen.add(bool(hidden))
    assert seen == {True, False}, "the sample has both secret and fully published years in ti-3215"


# --- the comparators, recomputed independently from the raw files ------------------------------------


def _read_zip_csv(path: Path, member_suffix: str, **kwargs) -> pd.DataFrame:
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.lower().endswith(member_suffix.lower()))
        return pd.read_csv(io.BytesIO(z.read(name)), dtype=str, **kwargs)


def test_comparators_of_taux_chomage_recomputed_from_raw_files(indicateurs):
    # taux_chomage_15_64, RP 2021: sum of P21_CHOM1564 over sum of P21_ACT1564, for France (every row
    # of the file), region 84 (département -> region from the COG), all territories (each unit once)
    # and France outside them. Straight from the raw sample files, without the pipeline's SQL: the
    # file is in COG 2023 with arrondissements for Paris/Lyon/Marseille (their parent commune from
    # the COG's ARM rows decides membership); a merger inside one département changes no region.
    rp = _read_zip_csv(SAMPLE / "rp_emploi/2021/base-cc-emploi-pop-active-2021_csv.zip", ".csv",
                       sep=";", encoding="latin-1")
    rp[["P21_CHOM1564", "P21_ACT1564"]] = rp[["P21_CHOM1564", "P21_ACT1564"]].astype(float)
    cog = _read_zip_csv(SAMPLE / "cog/2025/cog_ensemble_2025_csv.zip", "v_commune_2025.csv")
    deps = _read_zip_csv(SAMPLE / "cog/2025/cog_ensemble_2025_csv.zip", "v_departement_2025.csv")
    parent = dict(zip(cog[cog.TYPECOM == "ARM"].COM, cog[cog.TYPECOM == "ARM"].COMPARENT))
    region_of_dep = dict(zip(deps.DEP, deps.REG))
    ti = pd.read_csv(SAMPLE / "ti/2024/liste-ti-com2023-20240704.csv", dtype=str)
    members = {c for c, ids in zip(ti.insee_com, ti.id_ti) for _ in ids.split(" ; ")}

    rp["commune"] = rp.CODGEO.map(lambda c: parent.get(c, c))
    rp["region"] = rp.commune.map(lambda c: region_of_dep[c[:3] if c.startswith("97") else c[:2]])
    rp["in_ti"] = rp.commune.isin(members)

    def rate(d: pd.DataFrame) -> float:
        return d.P21_CHOM1564.sum() / d.P21_ACT1564.sum()

    expected = {
        "valeur_france": rate(rp),
        "valeur_region": rate(rp[rp.region == "84"]),
        "valeur_ensemble_ti": rate(rp[rp.in_ti]),
        "valeur_hors_ti": rate(rp[~rp.in_ti]),
    }
    r = row(indicateurs, "ti-8420", "taux_chomage_15_64", 2021)
    assert r.code_region == "84"
    for column, value in expected.items():
        assert r[column] == pytest.approx(value, rel=1e-12), column
    # the territory itself, by hand: 50 + 80 + 90 + 100 + 120 + 240 + 100 + 90 + 320 + 150 + 160 = 1500
    # unemployed over 12660 actives
    assert r.valeur == pytest.approx(1500 / 12660)
    # the four comparators are the same for every territory (region apart)
    same = indicateurs[(indicateurs.code_indicateur == "taux_chomage_15_64") & (indicateurs.annee == 2021)]
    assert same.valeur_france.nunique() == 1 and same.valeur_hors_ti.nunique() == 1
    # sums: France = all territories + outside (population 2021, from the same commune figures)
    pop = row(indicateurs, "ti-8402", "population", 2021)
    assert pop.valeur_france == pytest.approx(pop.valeur_ensemble_ti + pop.valeur_hors_ti)


# --- sectors, portrait, composition -----------------------------------------------------------------


def test_secteurs_ti_8402(sample_run):
    s = mart(sample_run, "mart_ti_secteurs")
    s = s[(s.id_ti == "ti-8402") & (s.annee == 2024)].set_index("activite_a38")
    assert s.index.tolist() == ["CG", "CA", "CH", "CC", "CM"]
    assert s.loc["CG", ["postes", "etablissements", "rang"]].tolist() == [95, 2, 1]
    assert s[s.top_3].index.tolist() == ["CG", "CA", "CH"]
    assert s.loc["CG", "part_postes_industrie"] == pytest.approx(95 / 264)
    assert s.loc["CG", "part_postes_total"] == pytest.approx(95 / 455)
    # France's CG posts straight from the raw Flores file: commune rows, CG, all sizes, 2024
    flores = _read_zip_csv(SAMPLE / "flores/2024/DS_FLORES_A38_2024_CSV_FR.zip", "_data.csv", sep=";")
    posts = flores[(flores.GEO_OBJECT == "COM") & (flores.NUMBER_EMPL == "_T") & (flores.FLORES_MEASURE == "EMPL3112")
                   & (flores.TIME_PERIOD == "2024") & (flores.LEGAL_FORM_WITH_PUBLIC == "1T9X7")]
    cg, total = posts[posts.ACTIVITY == "CG"], posts[posts.ACTIVITY == "_T"]
    france_cg = cg.OBS_VALUE.astype(float).sum()
    france_total = total.OBS_VALUE.astype(float).sum()
    assert s.loc["CG", "postes_france"] == france_cg
    assert s.loc["CG", "indice_specificite"] == pytest.approx((95 / 455) / (france_cg / france_total))


def test_portrait_is_the_latest_value_of_each_indicator(sample_run):
    p = mart(sample_run, "mart_ti_portrait")
    assert p.groupby(["id_ti", "annee"]).size().max() == 1
    latest = p[(p.id_ti == "ti-8402") & (p.annee == p.annee.max())].iloc[0]
    assert latest.annee == 2025
    # RP 2022 = RP 2021 + 100 per unit: 7600 + 6 x 100 = 8200
    assert (latest.population, latest.population__annee) == (8200, 2022)
    assert (latest.postes_salaries_industrie, latest.postes_salaries_industrie__annee) == (264, 2024)
    assert (latest.nb_communes, latest.nb_epci) == (5, 2)
    # the 2023 portrait shows what was known then: Flores 2023
    then = p[(p.id_ti == "ti-8402") & (p.annee == 2023)].iloc[0]
    assert (then.postes_salaries_industrie, then.postes_salaries_industrie__annee) == (256, 2023)


def test_composition_and_groupements(sample_run):
    compo = mart(sample_run, "mart_ti_composition")
    nurieux = compo[compo.code_commune == "01260"].set_index("id_ti")
    # in ti-8402 through its EPCI, in ti-8413 as a single-commune groupement (SIREN 210000444)
    assert nurieux.loc["ti-8402", "nature_juridique"] == "CC"
    assert (nurieux.loc["ti-8413", "siren_groupement"], nurieux.loc["ti-8413", "nature_juridique"]) == ("210000444", "COM")
    assert set(compo[compo.id_ti == "ti-8420"].code_commune) == {"69123", "69201", "69202"}
    assert compo[compo.id_ti == "ti-8402"].libelles_regions.unique().tolist() == ["Auvergne-Rhône-Alpes"]
    assert compo.siren_groupement.notna().all()
    grp = mart(sample_run, "mart_ti_groupements").set_index(["id_ti", "siren_groupement"])
    assert len(grp) == 17
    assert grp.loc[("ti-8413", "210000444"), ["code_commune_com", "nb_communes"]].tolist() == ["01260", 1]
    assert grp.loc[("ti-8402", "200070001"), "codes_communes"] == "01053 ; 01101 ; 01150"


# --- lauréats --------------------------------------------------------------------------------------


def test_laureats_counts_with_the_unmatched_one(sample_run):
    lau = mart(sample_run, "mart_laureats")
    # plan-de-relance.csv has 27 rows; the 14 projects of the TI fund extract are all among them
    # (paired by SIRET, SIREN, or name + postcode), so 27 projects
    assert len(lau) == 27
    assert lau.id_relance.notna().sum() == 27 and lau.id_projet_ti.notna().sum() == 14
    # 26 located, 1 not: Société Fantôme Industrie (id 123456789 fails the Luhn key, postcode 13999
    # and commune Inconnue-sur-Rien exist nowhere)
    assert lau.est_localise.sum() == 26
    fantome = lau[~lau.est_localise]
    assert fantome.entreprise.tolist() == ["Société Fantôme Industrie"]
    assert fantome.identifiant_statut.tolist() == ["invalide"]
    assert "identifiant invalide" in fantome.motif_non_localise.iloc[0]
    assert fantome.appariement.tolist() == ["nom_code_postal"]
    # 20 located in a territory (Nurieux Composites in two), 6 outside every territory
    nb_ti = lau.ids_ti.map(lambda ids: None if ids is None or ids is pd.NA else len(ids))
    assert (nb_ti > 0).sum() == 20
    assert (nb_ti == 0).sum() == 6
    assert nb_ti[~lau.est_localise].isna().all()
    nurieux = lau[lau.entreprise == "Nurieux Composites"].iloc[0]
    assert list(nurieux.ids_ti) == ["ti-8402", "ti-8413"]
    assert nurieux.methode_localisation == "siren_siege"
    chimie = lau[lau.entreprise == "Chimie Vallée du Rhône"].iloc[0]
    assert (chimie.code_commune, list(chimie.ids_ti)) == ("69123", ["ti-8420"])

    by_ti = mart(sample_run, "mart_ti_laureats").set_index(["id_ti", "axe", "modalite"])
    # ti-8402: Bresse Mécanique (Relocalisation, no amount) + the 3 TI-fund projects
    e = by_ti.loc[("ti-8402", "ensemble", "ensemble")]
    assert (e.nb_laureats, e.investissement, e.couverture_investissement) == (4, 1_720_000, 0.75)
    assert by_ti.loc[("ti-8402", "mesure", "Projets territoriaux"), "nb_laureats"] == 3
    reloc = by_ti.loc[("ti-8402", "mesure", "Relocalisation")]
    assert (reloc.nb_laureats, reloc.couverture_investissement) == (1, 0.0)
    assert pd.isna(reloc.investissement)  # nothing reported is unknown, not 0 EUR
    assert by_ti.loc[("ti-8413", "filiere", "Plasturgie"), "nb_laureats"] == 2
    assert by_ti.loc[("ti-8413", "ensemble", "ensemble"), "nb_laureats"] == 3  # Nurieux counts here too
    assert by_ti.loc[("ti-8420", "mesure", "Efficacité énergétique"), "nb_laureats"] == 1  # Raffinerie de Feyzin
    # every territory has its total row
    assert {t for t, a, _ in by_ti.index if a == "ensemble"} == set(SAMPLE_TERRITORIES)


def _model(name: str):
    return load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES]).models[name]


def test_match_rate_check_warns_below_the_threshold(sample_run):
    test = next(t for t in _model("mart_laureats").tests if t.name == "taux_localisation")
    assert test.severity == "warn"
    con = duckdb.connect()
    published = f"read_parquet('{sample_run.marts / 'mart_laureats'}/**/*.parquet')"
    # on the sample 26 / 27 = 96 % are located: the check passes
    con.sql(f"create view mart_laureats as select * from {published}")
    assert run_test(con, test, "mart_laureats").passed
    # with only the unmatched lauréat and 4 located ones (80 %), it warns, with the rate and the names
    con.sql(f"create or replace view mart_laureats as select * from {published} "
            "where not est_localise or id_relance in ('1', '2', '3', '4')")
    result = run_test(con, test, "mart_laureats")
    assert not result.passed
    found = dict(zip(result.columns, result.examples[0]))
    assert found["taux_localisation"] == pytest.approx(0.8)
    assert "Société Fantôme Industrie" in found["non_localises"]


# --- checks: programme figures, conservation --------------------------------------------------------


def test_programme_reference_figures_warn_with_the_gap(sample_run):
    ref = mart(sample_run, "ref_programme").set_index("code_reference")
    assert ref.valeur_reference.to_dict() == {
        "nb_territoires": 183, "nb_groupements": 630, "nb_regions": 18, "nb_laureats": 2400,
        "investissement": 82e9, "emplois": 44700,
    }
    # what the sample gives: 10 territories, 17 groupements, 6 regions, 14 projects of the fund,
    # 12.32 M EUR of investment, 138 jobs
    assert ref.valeur_donnees.to_dict() == {
        "nb_territoires": 10, "nb_groupements": 17, "nb_regions": 6, "nb_laureats": 14,
        "investissement": 12_320_000, "emplois": 138,
    }
    assert ref.loc["nb_territoires", "ecart"] == 10 - 183
    model = _model("ref_programme")
    checks = {t.name: t for t in model.tests if t.name.startswith("ref_")}
    assert len(checks) == 6 and all(t.severity == "warn" for t in checks.values())
    con = duckdb.connect()
    con.sql(f"create view ref_programme as select * from read_parquet('{sample_run.marts / 'ref_programme'}/**/*.parquet')")
    result = run_test(con, checks["ref_nb_territoires"], "ref_programme")
    assert not result.passed  # a warning: the published mart is there all the same
    found = dict(zip(result.columns, result.examples[0]))
    assert (found["valeur_reference"], found["valeur_donnees"], found["ecart"]) == (183, 10, -173)


def test_totals_are_conserved_by_the_move_to_the_target_cog(sample_run):
    c = duckdb.sql(f"select * from read_parquet('{sample_run.lake / 'intermediate/int_controle_conservation.parquet'}')").df()
    assert set(c.source) == {"rp_population", "rp_emploi", "flores_a38", "urssaf_ape"}
    assert (c.ecart.abs() <= 1e-6 * c.total_avant.abs().clip(lower=1)).all()
    assert (c.ecart_hors_cog_cible.abs() <= 1e-6 * c.total_avant.abs().clip(lower=1)).all()
    # Lyon's 9 arrondissements become 69123: 3000 + 2000 + 4000 + 3000 + 2000 + 3000 + 4000 + 3000 + 2000
    rp = duckdb.sql(f"select * from read_parquet('{sample_run.lake / 'intermediate/int_rp_communes.parquet'}') "
                    "where variable = 'P_POP' and millesime = 2021 and annee = 2021").df().set_index("code_commune")
    assert rp.loc["69123", "valeur"] == 26000
    assert rp.loc["01101", "valeur"] == 1500  # 1000 + the absorbed 01102's 500
    assert "01102" not in rp.index
