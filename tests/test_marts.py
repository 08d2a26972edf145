"""The portrait marts on the embedded sample: expected values derived by hand, comparators recomputed
independently from the raw sample files, every indicator for every territory, lauréat counts.

The pipeline runs once per session (``sample_run`` in conftest.py: ``ti-pipeline run`` in process
into a temporary data directory). Hand values of ti-0101 come from the tables of data/sample/README.md
("Values to check by hand", "Lauréats"); the comments show the arithmetic. The other territories'
figures are recomputed from the raw sample files with plain pandas (``sample_files``), never with the
pipeline's SQL. A territory's rate is the sum of its communes' numerators over the sum of their
denominators, never a mean of rates.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import sample_files as files
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


# Added by issue 24 (history, poverty and income), documented in docs/indicateurs_historique_revenus.md
# until shared/INDICATORS.md lists them.
ISSUE_24_CODES = ("taux_pauvrete", "niveau_vie_median_approche", "effectifs_ind_prive", "evol_emploi_ind_prive_depuis_2006",
                  "evol_postes_industrie_flores", "population_historique", "evol_population_depuis_2006",
                  "evol_postes_industrie_flores_5a",
                  # the census bases of several vintages (rp_emploi 2011 -> 2022)
                  "emplois_industrie_lt", "evol_emplois_lt_depuis_2011", "evol_emplois_lt_depuis_2016",
                  "evol_emplois_industrie_lt_depuis_2011", "evol_emplois_industrie_lt_depuis_2016")


def test_every_indicator_for_every_territory(sample_run, indicateurs):
    dim = mart(sample_run, "dim_indicateur")
    codes = INDICATOR_CODES + ISSUE_24_CODES
    assert set(dim.code_indicateur) == set(codes)
    assert dim.sort_values("ordre").code_indicateur.tolist() == list(codes)
    assert set(indicateurs.id_ti) == set(SAMPLE_TERRITORIES)
    present = set(zip(indicateurs.id_ti, indicateurs.code_indicateur))
    missing = [(t, c) for t in SAMPLE_TERRITORIES for c in codes if (t, c) not in present]
    assert missing == []
    # every year each source gives: census 2021 and 2022, Flores 2017 to 2024 (the A17 tables 2017-2020
    # of one year each, then three A38 vintages of two years each), Urssaf 2007-2025 (the
    # rolling file's years: its latest, 2025, read from the file)
    years = indicateurs[indicateurs.id_ti == "ti-8402"].groupby("code_indicateur").annee.agg(["min", "max", "count"])
    assert tuple(years.loc["population"]) == (2021, 2022, 2)
    assert tuple(years.loc["postes_salaries_industrie"]) == (2017, 2024, 8)
    assert tuple(years.loc["evol_postes_industrie_flores"]) == (2018, 2024, 7)
    assert tuple(years.loc["evol_postes_industrie_flores_5a"]) == (2022, 2024, 3)
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


# --- ti-0101: the hand-checked territory (data/sample/README.md, "Values to check by hand") -------------


def test_ti_0101_by_hand(indicateurs):
    ind = indicateurs
    # CA CAP Excellence: 97101 Les Abymes, 97103 Baie-Mahault, 97120 Pointe-à-Pitre
    assert row(ind, "ti-0101", "nb_communes", 2025).valeur == 3
    assert row(ind, "ti-0101", "nb_epci", 2025).valeur == 1
    # RP 2021: P21_POP 53927 + 30616 + 14281 = 98824
    assert row(ind, "ti-0101", "population", 2021).valeur == 98824
    # P15_POP 50152 + 30718 + 13816 = 94686, 6 years earlier in the same file:
    # mean annual change (98824 / 94686)^(1/6) - 1
    r = row(ind, "ti-0101", "evol_population_5a", 2021)
    assert (r.numerateur, r.denominateur, r.annee_base) == (98824, 94686, 2015)
    assert r.valeur == pytest.approx((98824 / 94686) ** (1 / 6) - 1)
    # P21_EMPLT 36608 + 19441 + 6149 = 62198; P15_EMPLT 33283 + 18458 + 7133 = 58874
    r = row(ind, "ti-0101", "evol_emplois_lt_5a", 2021)
    assert (r.numerateur, r.denominateur, r.annee_base) == (62198, 58874, 2015)
    # 60+: (P21_POP6074 13053 + P21_POP75P 16014) / 98824
    r = row(ind, "ti-0101", "part_60_plus", 2021)
    assert (r.numerateur, r.denominateur) == (29067, 98824)
    # activity 44302 / 59744; blue-collar 5863 / 40451; salaried industry 4577 / 4974; 100 x 62198 / 42007
    assert row(ind, "ti-0101", "taux_activite_15_64", 2021).valeur == pytest.approx(44302 / 59744)
    assert row(ind, "ti-0101", "part_ouvriers_actifs_occ", 2021).valeur == pytest.approx(5863 / 40451)
    assert row(ind, "ti-0101", "part_salaries_industrie", 2021).valeur == pytest.approx(4577 / 4974)
    assert round(row(ind, "ti-0101", "concentration_emploi", 2021).valeur, 2) == 148.07
    # RP 2022 (COG 2024): industry 2834 + 1520 + 666 = 5020 of 36746 + 19606 + 5952 = 62304 jobs
    r = row(ind, "ti-0101", "part_emploi_industriel", 2022)
    assert (r.numerateur, r.denominateur) == (5020, 62304)
    # Flores 2024, industrial A38 margins: CG 295 + 266 + 1973 (97101) + CK 165 + 1230 (97103) + CA 582 (97120)
    # = 4511 posts; establishments 2 + 1 + 3 + 1 + 3 + 2 = 12; all posts 55951
    assert row(ind, "ti-0101", "postes_salaries_industrie", 2024).valeur == 4511
    assert row(ind, "ti-0101", "etab_employeurs_industrie", 2024).valeur == 12
    r = row(ind, "ti-0101", "part_industrie_emploi_salarie", 2024)
    assert (r.numerateur, r.denominateur) == (4511, 55951)
    # 50+ from published detail cells: every industrial cell is 50+ and published in 2024 -> 4511 / 4511;
    # 200+ (Flores has no 250 band): 266 + 1973 + 1230 + 582 = 4051
    r = row(ind, "ti-0101", "part_postes_ind_etab_50_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (4511, 4511, "ok")
    r = row(ind, "ti-0101", "part_postes_ind_etab_250_plus", 2024)
    assert (r.numerateur, r.denominateur, r.qualite) == (4051, 4511, "ok")
    # in 2023 two of them are secret (97101 CG E_GE500, 97103 CK E_GE500): published 289 + 254 + 166 + 719
    # + 588 = 2016 of 3860 industrial posts, an under-estimate, flagged
    r = row(ind, "ti-0101", "part_postes_ind_etab_50_plus", 2023)
    assert (r.numerateur, r.denominateur, r.qualite) == (2016, 3860, "secret")
    # top 3 sectors: CG 2534, CK 1395, CA 582 -> 4511 / 4511
    r = row(ind, "ti-0101", "top_secteurs_industriels", 2024)
    assert (r.numerateur, r.denominateur, r.detail) == (4511, 4511, "CG ; CK ; CA")
    # TI fund: Jarry Industries (97103) 1,200k invested, 250k aid, 15 jobs
    r = row(ind, "ti-0101", "investissement_laureats", 2022)
    assert (r.valeur, r.couverture, r.qualite) == (1_200_000, 1.0, "ok")
    assert row(ind, "ti-0101", "aide_laureats", 2022).valeur == 250_000
    assert row(ind, "ti-0101", "emplois_laureats", 2022).valeur == 15
    # 1 DGE lauréat per 10,000 industrial posts of Flores 2022 (the lauréats' own year, from the
    # newest vintage holding it, 2023): A38 margins 97101 CG 1974 + 97103 CK 1412 + 97120 CA 604 = 3990
    r = row(ind, "ti-0101", "laureats_pour_10k_postes_ind", 2022)
    assert (r.numerateur, r.denominateur) == (1, 3990)
    assert r.valeur == pytest.approx(10_000 / 3990)
    assert "Flores 2022" in r.source


# --- the other territories, recomputed from the raw files (tests/sample_files.py) ------------------


@pytest.mark.parametrize("id_ti", SAMPLE_TERRITORIES)
def test_census_and_flores_figures_recomputed_from_the_files(indicateurs, id_ti):
    ind = indicateurs
    for annee, y in ((2021, 21), (2022, 22)):
        pop = files.rp_sum(id_ti, "rp_population", annee, f"P{y}_POP")
        assert row(ind, id_ti, "population", annee).valeur == pytest.approx(pop)
        r = row(ind, id_ti, "taux_chomage_15_64", annee)
        assert r.numerateur == pytest.approx(files.rp_sum(id_ti, "rp_emploi", annee, f"P{y}_CHOM1564"))
        assert r.denominateur == pytest.approx(files.rp_sum(id_ti, "rp_emploi", annee, f"P{y}_ACT1564"))
        r = row(ind, id_ti, "part_emploi_industriel", annee)
        assert r.numerateur == pytest.approx(files.rp_sum(id_ti, "rp_emploi", annee, f"C{y}_EMPLT_INDUS"))
        assert r.denominateur == pytest.approx(files.rp_sum(id_ti, "rp_emploi", annee, f"P{y}_EMPLT"))
    for annee in (2023, 2024):
        assert row(ind, id_ti, "postes_salaries_industrie", annee).valeur == files.flores_industrie(id_ti, annee)
        assert row(ind, id_ti, "etab_employeurs_industrie", annee).valeur == \
            files.flores_industrie(id_ti, annee, "UNIT_LOC")
    cells = files.flores_cells(id_ti, 2024)
    total = cells.loc[(cells.ACTIVITY == "_T") & (cells.NUMBER_EMPL == "_T"), "v"].sum()
    assert row(ind, id_ti, "part_industrie_emploi_salarie", 2024).denominateur == total
    # 50+ from the published detail cells; a secret one among them flags the figure
    detail = cells[cells.ACTIVITY.isin(files.INDUSTRIE_A38)
                   & cells.NUMBER_EMPL.isin(["E50T99", "E100T199", "E200T499", "E_GE500"])]
    r = row(ind, id_ti, "part_postes_ind_etab_50_plus", 2024)
    assert r.numerateur == detail.v.sum()
    assert (r.qualite == "secret") == bool(detail.secret.any())


def test_the_sources_tell_one_story(indicateurs):
    """Issue 21: one set of establishments and residents behind every source, so that they agree the way
    the real ones roughly do, in every territory."""
    ind = indicateurs
    legal = {c["code"]: c.get("population") for c in files.communes_json() if c["type"] == "commune-actuelle"}
    for id_ti in SAMPLE_TERRITORIES:
        flores_ind = row(ind, id_ti, "postes_salaries_industrie", 2024).valeur
        urssaf_ind = files.urssaf_industrie(id_ti)["effectifs_salaries_2024"].sum()
        rp_ind = row(ind, id_ti, "part_emploi_industriel", 2022).numerateur
        # Urssaf (private, annual average) a bit below Flores (posts at 31/12, public included): the
        # Urssaf sum leaves secret cells out, so only its upper side is tight
        assert 0.7 * flores_ind < urssaf_ind < flores_ind, id_ti
        # the census counts every status, non-salaried included
        assert flores_ind <= rp_ind <= 1.3 * flores_ind, id_ti
        # industry's share of jobs: census and Flores close, in a plausible range
        share_rp = row(ind, id_ti, "part_emploi_industriel", 2022).valeur
        share_flores = row(ind, id_ti, "part_industrie_emploi_salarie", 2024).valeur
        assert 0.05 < share_rp < 0.45 and abs(share_rp - share_flores) < 0.04, id_ti
        # census population near the legal population of the découpage (2022 both)
        pop = row(ind, id_ti, "population", 2022).valeur
        assert pop == pytest.approx(sum(legal[c] for c in files.members_2025(id_ti)), rel=0.03), id_ti
        # jobs plausible relative to population
        jobs = row(ind, id_ti, "part_emploi_industriel", 2022).denominateur
        assert 0.2 < jobs / pop < 0.9, id_ti
    industrial = [t for t in SAMPLE_TERRITORIES if t not in ("ti-0101", "ti-9401")]
    assert all(0.10 <= row(ind, t, "part_emploi_industriel", 2022).valeur <= 0.40 for t in industrial)


# --- ti-8402 and ti-8413 share a commune; ti-8420 has the merger and Lyon's arrondissements ----------


def test_shared_commune_counts_fully_in_both_territories(indicateurs):
    ind = indicateurs
    # 01125 Corveissiat: in ti-8402 through its EPCI (CA du Bassin de Bourg-en-Bresse, 74 communes), in
    # ti-8413 as a single-commune groupement next to Haut-Bugey Agglomération (42 communes)
    assert "01125" in files.members_2025("ti-8402") & files.members_2025("ti-8413")
    assert row(ind, "ti-8402", "nb_communes", 2025).valeur == 74
    assert row(ind, "ti-8413", "nb_communes", 2025).valeur == 43
    assert row(ind, "ti-8413", "nb_epci", 2025).valeur == 2
    rp = files.rp("rp_population", 2021).set_index("CODGEO").P21_POP
    both = row(ind, "ti-8402", "population", 2021).valeur + row(ind, "ti-8413", "population", 2021).valeur
    union = rp.loc[sorted(files.members_2025("ti-8402") | files.members_2025("ti-8413"))].sum()
    assert both == pytest.approx(union + rp.loc["01125"])


def test_ti_8420_merger_and_lyon_arrondissements(sample_run, indicateurs):
    ind = indicateurs
    # Métropole de Lyon: 59 communes in COG 2023 (the TI list), 58 in COG 2025: 69149 Oullins absorbed
    # 69152 Pierre-Bénite on 1/1/2024
    ti = files.ti_communes()
    listed = set(ti.loc[ti.id_ti == "ti-8420", "insee_com"])
    assert len(listed) == 59 and {"69149", "69152", "69123"} <= listed
    assert row(ind, "ti-8420", "nb_communes", 2025).valeur == 58
    # RP 2021 (COG 2023) has both codes and Lyon's 9 arrondissements; RP 2022 (COG 2024) only 69149
    rp21 = files.rp("rp_population", 2021).set_index("CODGEO").P21_POP
    rp22 = files.rp("rp_population", 2022).set_index("CODGEO").P22_POP
    assert "69152" in rp21.index and "69152" not in rp22.index and "69123" not in rp21.index
    lyon = [f"6938{k}" for k in range(1, 10)]
    rp_communes = duckdb.sql(f"select * from read_parquet('{sample_run.lake / 'intermediate/int_rp_communes.parquet'}') "
                             "where variable = 'P_POP' and annee = 2021").df().set_index("code_commune").valeur
    assert rp_communes.loc["69149"] == pytest.approx(rp21.loc["69149"] + rp21.loc["69152"])
    assert rp_communes.loc["69123"] == pytest.approx(rp21.loc[lyon].sum())
    assert "69152" not in rp_communes.index
    compo = mart(sample_run, "mart_ti_composition")
    merged = compo[(compo.id_ti == "ti-8420") & (compo.code_commune == "69149")]
    assert merged.codes_commune_liste.tolist() == ["69149 ; 69152"]
    # lauréats: Chimie Vallée du Rhône (SIRET of a secondary establishment in 69387, head office in
    # Paris 8e), Raffinerie de Feyzin, Saint-Fons Fluor (SIREN head office), Rhône Plastiques (SIRET in
    # 69149, named after the absorbed commune Pierre-Bénite)
    assert row(ind, "ti-8420", "nb_laureats_relance", 2022).valeur == 4
    # aid: Chimie Vallée du Rhône 500k + Rhône Plastiques 80k, Saint-Fons Fluor not reported -> coverage 2/3
    r = row(ind, "ti-8420", "aide_laureats", 2022)
    assert (r.valeur, r.qualite) == (580_000, "partiel")
    assert r.couverture == pytest.approx(2 / 3)


def test_urssaf_changes_recomputed_from_the_raw_file(indicateurs):
    # Independent computation over the raw Urssaf CSV: industry = APE divisions 05 to 39 (scope BE);
    # a secret cell is an empty headcount with its establishments published
    for id_ti in SAMPLE_TERRITORIES:
        u = files.urssaf_industrie(id_ti)
        for years, code in ((1, "evol_emploi_ind_prive_1a"), (5, "evol_emploi_ind_prive_5a"),
                            (10, "evol_emploi_ind_prive_10a")):
            for annee in (2025, 2020):
                base = annee - years
                now, before = (u[f"effectifs_salaries_{y}"].sum() for y in (annee, base))
                r = row(indicateurs, id_ti, code, annee)
                assert (r.numerateur, r.denominateur, r.annee_base) == (now, before, base)
                assert r.valeur == pytest.approx(now / before - 1)
                # couverture: industrial establishments of both years whose headcount is published
                etab = sum(u[f"nombre_d_etablissements_{y}"].sum() for y in (annee, base))
                hidden = sum(u.loc[u[f"effectifs_salaries_{y}"].isna(), f"nombre_d_etablissements_{y}"].sum()
                             for y in (annee, base))
                assert r.couverture == pytest.approx((etab - hidden) / etab)
                assert (r.qualite == "secret") == (hidden > 0), (id_ti, code, annee)


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
    # the territory itself: its units' unemployed over their actives
    assert r.valeur == pytest.approx(files.rp_sum("ti-8420", "rp_emploi", 2021, "P21_CHOM1564")
                                     / files.rp_sum("ti-8420", "rp_emploi", 2021, "P21_ACT1564"))
    # the four comparators are the same for every territory (region apart)
    same = indicateurs[(indicateurs.code_indicateur == "taux_chomage_15_64") & (indicateurs.annee == 2021)]
    assert same.valeur_france.nunique() == 1 and same.valeur_hors_ti.nunique() == 1
    # sums: France = all territories + outside (population 2021, from the same commune figures)
    pop = row(indicateurs, "ti-8402", "population", 2021)
    assert pop.valeur_france == pytest.approx(pop.valeur_ensemble_ti + pop.valeur_hors_ti)


# --- sectors, portrait, composition -----------------------------------------------------------------


def test_secteurs_ti_0101(sample_run):
    s = mart(sample_run, "mart_ti_secteurs")
    s = s[(s.id_ti == "ti-0101") & (s.annee == 2024)].set_index("activite_a38")
    # README, Flores 2024: CG 295 + 266 + 1973 = 2534 posts in 2 + 1 + 3 establishments, CK 165 + 1230
    # = 1395, CA 582; industrial posts 4511, all posts 55951
    assert s.index.tolist() == ["CG", "CK", "CA"]
    assert s.loc["CG", ["postes", "etablissements", "rang"]].tolist() == [2534, 6, 1]
    assert s[s.top_3].index.tolist() == ["CG", "CK", "CA"]
    assert s.loc["CG", "part_postes_industrie"] == pytest.approx(2534 / 4511)
    assert s.loc["CG", "part_postes_total"] == pytest.approx(2534 / 55951)
    # France's CG posts straight from the raw Flores file: commune rows, CG, all sizes, 2024
    posts = files.flores_cells(None, 2024)
    posts = posts[posts.NUMBER_EMPL == "_T"]
    france_cg = posts.loc[posts.ACTIVITY == "CG", "v"].sum()
    france_total = posts.loc[posts.ACTIVITY == "_T", "v"].sum()
    assert s.loc["CG", "postes_france"] == france_cg
    assert s.loc["CG", "indice_specificite"] == pytest.approx((2534 / 55951) / (france_cg / france_total))


def test_portrait_is_the_latest_value_of_each_indicator(sample_run):
    p = mart(sample_run, "mart_ti_portrait")
    assert p.groupby(["id_ti", "annee"]).size().max() == 1
    latest = p[(p.id_ti == "ti-0101") & (p.annee == p.annee.max())].iloc[0]
    assert latest.annee == 2025
    # README, RP 2022: P22_POP 52158 + 31278 + 14760 = 98196
    assert (latest.population, latest.population__annee) == (98196, 2022)
    assert (latest.postes_salaries_industrie, latest.postes_salaries_industrie__annee) == (4511, 2024)
    assert (latest.nb_communes, latest.nb_epci) == (3, 1)
    # the 2023 portrait shows what was known then: Flores 2023
    then = p[(p.id_ti == "ti-0101") & (p.annee == 2023)].iloc[0]
    assert (then.postes_salaries_industrie, then.postes_salaries_industrie__annee) == (3860, 2023)


def test_composition_and_groupements(sample_run):
    compo = mart(sample_run, "mart_ti_composition")
    corveissiat = compo[compo.code_commune == "01125"].set_index("id_ti")
    # in ti-8402 through its EPCI, in ti-8413 as a single-commune groupement (its real SIREN 210101259)
    assert corveissiat.loc["ti-8402", "nature_juridique"] == "CA"
    assert (corveissiat.loc["ti-8413", "siren_groupement"], corveissiat.loc["ti-8413", "nature_juridique"]) == \
        ("210101259", "COM")
    assert set(compo[compo.id_ti == "ti-8420"].code_commune) == files.members_2025("ti-8420")
    assert compo[compo.id_ti == "ti-8402"].libelles_regions.unique().tolist() == ["Auvergne-Rhône-Alpes"]
    # CC Jabron-Lure-Vançon-Durance (ti-9310) has communes in 04 (PACA) and 26 (Auvergne-Rhône-Alpes)
    regions = set(compo.loc[compo.id_ti == "ti-9310", "code_region"])
    assert regions == {"93", "84"}
    assert compo.siren_groupement.notna().all()
    grp = mart(sample_run, "mart_ti_groupements").set_index(["id_ti", "siren_groupement"])
    assert len(grp) == 20
    assert grp.loc[("ti-8413", "210101259"), ["code_commune_com", "nb_communes"]].tolist() == ["01125", 1]
    assert grp.loc[("ti-0101", "200018653"), "codes_communes"] == "97101 ; 97103 ; 97120"


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
    # 20 located in a territory (Corveissiat Composites in two), 6 outside every territory
    nb_ti = lau.ids_ti.map(lambda ids: None if ids is None or ids is pd.NA else len(ids))
    assert (nb_ti > 0).sum() == 20
    assert (nb_ti == 0).sum() == 6
    assert nb_ti[~lau.est_localise].isna().all()
    shared = lau[lau.entreprise == "Corveissiat Composites"].iloc[0]
    assert list(shared.ids_ti) == ["ti-8402", "ti-8413"]
    assert shared.methode_localisation == "siren_siege"
    # named after the commune absorbed on 1/1/2024, located by its SIRET in the commune nouvelle
    old_name = lau[lau.entreprise == "Rhône Plastiques"].iloc[0]
    assert (old_name.code_commune, list(old_name.ids_ti)) == ("69149", ["ti-8420"])
    chimie = lau[lau.entreprise == "Chimie Vallée du Rhône"].iloc[0]
    assert (chimie.code_commune, list(chimie.ids_ti)) == ("69123", ["ti-8420"])

    by_ti = mart(sample_run, "mart_ti_laureats").set_index(["id_ti", "axe", "modalite"])
    # ti-8402: Bresse Mécanique (Relocalisation, no amount) + 2 TI-fund projects, Viriat Emballages 400k
    # and Corveissiat Composites 1,000k
    e = by_ti.loc[("ti-8402", "ensemble", "ensemble")]
    assert (e.nb_laureats, e.investissement) == (3, 1_400_000)
    assert e.couverture_investissement == pytest.approx(2 / 3)
    assert by_ti.loc[("ti-8402", "mesure", "Projets territoriaux"), "nb_laureats"] == 2
    reloc = by_ti.loc[("ti-8402", "mesure", "Relocalisation")]
    assert (reloc.nb_laureats, reloc.couverture_investissement) == (1, 0.0)
    assert pd.isna(reloc.investissement)  # nothing reported is unknown, not 0 EUR
    assert by_ti.loc[("ti-8413", "filiere", "Plasturgie"), "nb_laureats"] == 2
    assert by_ti.loc[("ti-8413", "ensemble", "ensemble"), "nb_laureats"] == 3  # Corveissiat counts here too
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
    # what the sample gives: 10 territories, 20 groupements, 6 regions, 14 projects of the fund,
    # 12.32 M EUR of investment, 138 jobs
    assert ref.valeur_donnees.to_dict() == {
        "nb_territoires": 10, "nb_groupements": 20, "nb_regions": 6, "nb_laureats": 14,
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
    # Lyon's 9 arrondissements become 69123; 69149 takes the absorbed 69152's population
    rp = duckdb.sql(f"select * from read_parquet('{sample_run.lake / 'intermediate/int_rp_communes.parquet'}') "
                    "where variable = 'P_POP' and millesime = 2021 and annee = 2021").df().set_index("code_commune")
    raw = files.rp("rp_population", 2021).set_index("CODGEO").P21_POP
    assert rp.loc["69123", "valeur"] == pytest.approx(raw.loc[[f"6938{k}" for k in range(1, 10)]].sum())
    assert rp.loc["69149", "valeur"] == pytest.approx(raw.loc["69149"] + raw.loc["69152"])
    assert "69152" not in rp.index
