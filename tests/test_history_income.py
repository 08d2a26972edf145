"""History since 2006 and poverty and income (issue 24, points 2 and 3).

- Filosofi read in its real layout (a fixture in ``tests/fixtures/real/filosofi``), the secrecy code
  ``s`` read as a withheld figure, not a reject; the long layout Insee uses since the geo2025 files
  is not mistaken for it.
- The Filosofi sums of territories recomputed by hand from the sample's raw zips (plain Python: csv
  and zipfile, not the SQL under test): poor persons = rate x persons where both are published,
  the rate = poor / persons over those communes, coverage = their share of the persons.
- The long series (Urssaf's rolling file, 2006 -> 2025) recomputed by hand for one territory in
  three years, with the change since 2006.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import sample_files as files
from test_marts import indicateurs, row  # noqa: F401  (module fixture shared with test_marts)
from ti_pipeline.sources import catalog
from ti_pipeline.sources.readers import read_release
from ti_pipeline.validation import validate

FIXTURES = Path(__file__).parent / "fixtures" / "real"


# --- the real layout -----------------------------------------------------------------------------


def _filosofi_zip(tmp_path: Path, release, members: dict[str, bytes]) -> Path:
    path = tmp_path / release.file_name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_filosofi_2021_real_layout(tmp_path):
    source, release = catalog.FILOSOFI, catalog.FILOSOFI.release(2021)
    data = (FIXTURES / "filosofi" / "cc_filosofi_2021_COM.csv").read_bytes()
    # the real zip holds one member per level; the commune one must be picked
    path = _filosofi_zip(tmp_path, release, {
        "cc_filosofi_2021_EPCI.csv": b"\xef\xbb\xbfCODGEO;LIBGEO;NBMENFISC21\n200029999;CC test;100\n",
        "cc_filosofi_2021_COM.csv": data,
        "cc_filosofi_2021_ARR.csv": b"\xef\xbb\xbfCODGEO;LIBGEO;NBMENFISC21\n75101;Paris 1er;9000\n",
    })
    read = read_release(source, release, path)
    result = validate(source, 2021, read.frame, file_name=release.file_name, all_columns=read.info.get("all_columns"))
    assert result.rows_rejected == 0, result.rejects.to_string()
    assert result.rows_valid == 7
    assert result.added_columns == []
    v = result.valid.set_index("CODGEO")
    # 's' is a withheld figure: empty, the commune's row kept
    assert v["TP6021"].isna()["01001"] and v["NBPERSMENFISC21"]["01001"] == 815
    assert v["MED21"].isna()["01015"] and v["NBPERSMENFISC21"]["01015"] == 640
    assert v["TP6021"]["75056"] == pytest.approx(14.6)
    assert v["NBPERSMENFISC21"]["13055"] == 848210


def test_filosofi_long_layout_is_not_read_as_the_wide_one(tmp_path):
    """Negative: the geo2025 zip's long member (DS_FILOSOFI_CC_data.csv) under the declared name
    is refused: no member matches cc_filosofi_2021_COM.csv."""
    source, release = catalog.FILOSOFI, catalog.FILOSOFI.release(2021)
    long = "GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;OBS_STATUS;TIME_PERIOD;OBS_VALUE\n01004;COM;MED_SL;EUR;A;2021;21890\n"
    path = _filosofi_zip(tmp_path, release, {"DS_FILOSOFI_CC_data.csv": long.encode()})
    with pytest.raises(Exception, match=r"(?i)cc_filosofi_2021_COM"):
        read_release(source, release, path)


# --- Filosofi sums by hand ---------------------------------------------------------------------


def _filosofi_rows(millesime: int) -> list[dict]:
    release = catalog.FILOSOFI.release(millesime)
    path = files.SAMPLE / "filosofi" / str(millesime) / release.file_name
    with zipfile.ZipFile(path) as z:
        text = z.read(f"cc_filosofi_{millesime}_COM.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _number(cell: str) -> float | None:
    return None if cell in ("s", "nd", "ns", "so", "") else float(cell)


def _filosofi_by_hand(id_ti: str, millesime: int) -> dict[str, float]:
    yy = f"{millesime % 100:02d}"
    cog_year = catalog.FILOSOFI.release(millesime).cog_year
    members = files.members_2025(id_ti)
    persons = poor = persons_rate = persons_med = med_weighted = 0.0
    for r in _filosofi_rows(millesime):
        commune = files.to_2025(pd.Series([r["CODGEO"]]), cog_year).iloc[0]
        if commune not in members:
            continue
        n = _number(r[f"NBPERSMENFISC{yy}"]) or 0.0
        rate, med = _number(r[f"TP60{yy}"]), _number(r[f"MED{yy}"])
        persons += n
        if rate is not None:
            poor += rate / 100 * n
            persons_rate += n
        if med is not None:
            med_weighted += med * n
            persons_med += n
    return {"persons": persons, "poor": poor, "persons_rate": persons_rate,
            "persons_med": persons_med, "med_weighted": med_weighted}


@pytest.mark.parametrize("id_ti", ["ti-8402", "ti-0101"])
@pytest.mark.parametrize("millesime", [2021, 2020])
def test_filosofi_sums_by_hand(indicateurs, id_ti, millesime):  # noqa: F811
    hand = _filosofi_by_hand(id_ti, millesime)
    assert hand["persons_rate"] > 0
    r = row(indicateurs, id_ti, "taux_pauvrete", millesime)
    assert r.numerateur == pytest.approx(hand["poor"])
    assert r.denominateur == pytest.approx(hand["persons_rate"])
    assert r.valeur == pytest.approx(hand["poor"] / hand["persons_rate"])
    assert r.couverture == pytest.approx(hand["persons_rate"] / hand["persons"])
    # secrecy is flagged: a territory with withheld rates is partial, its coverage below 1
    assert (r.qualite == "partiel") == (hand["persons_rate"] < hand["persons"])
    m = row(indicateurs, id_ti, "niveau_vie_median_approche", millesime)
    assert m.valeur == pytest.approx(hand["med_weighted"] / hand["persons_med"])
    assert m.unite == "EUR"


def test_ti_8402_poverty_rate_has_withheld_communes(indicateurs):  # noqa: F811
    """The sample carries real secrecy: most of ti-8402's small communes have no published rate."""
    r = row(indicateurs, "ti-8402", "taux_pauvrete", 2021)
    assert r.qualite == "partiel" and 0.3 < r.couverture < 0.9
    assert r.nb_communes_renseignees < r.nb_communes
    assert r.valeur_france is not None and r.valeur_region is not None


# --- the long series by hand -------------------------------------------------------------------


def test_urssaf_long_series_by_hand_in_three_years(indicateurs):  # noqa: F811
    u = files.urssaf_industrie("ti-8402")
    level = {y: float(u[f"effectifs_salaries_{y}"].sum()) for y in (2006, 2016, 2025)}
    for year, value in level.items():
        r = row(indicateurs, "ti-8402", "effectifs_ind_prive", year)
        assert r.numerateur == pytest.approx(value)
        assert r.valeur == pytest.approx(value)
    since = row(indicateurs, "ti-8402", "evol_emploi_ind_prive_depuis_2006", 2025)
    assert since.annee_base == 2006
    assert since.valeur == pytest.approx(level[2025] / level[2006] - 1)
    ten = row(indicateurs, "ti-8402", "evol_emploi_ind_prive_10a", 2025)
    assert ten.valeur == pytest.approx(level[2025] / float(u["effectifs_salaries_2015"].sum()) - 1)
    years = indicateurs[(indicateurs.id_ti == "ti-8402") & (indicateurs.code_indicateur == "effectifs_ind_prive")].annee
    assert (years.min(), years.max(), len(years)) == (2006, 2025, 20)


# --- Flores: three vintages by hand --------------------------------------------------------------


def test_flores_three_vintages_by_hand(indicateurs):  # noqa: F811
    """Industrial posts of ti-8402 read by hand from three Flores zips (each vintage holds its year
    and the one before; a year given by two vintages is taken from the newer), and their change
    from the first year of the series (2017, the A17 table 2017) to 2024."""
    level = {
        2021: files.flores_industrie("ti-8402", 2021, millesime=2022),
        2022: files.flores_industrie("ti-8402", 2022, millesime=2023),
        2024: files.flores_industrie("ti-8402", 2024, millesime=2024),
    }
    for year, value in level.items():
        r = row(indicateurs, "ti-8402", "postes_salaries_industrie", year)
        assert value > 0 and r.valeur == pytest.approx(value), year
    assert row(indicateurs, "ti-8402", "postes_salaries_industrie", 2022).millesime == 2023
    assert row(indicateurs, "ti-8402", "postes_salaries_industrie", 2021).millesime == 2022
    # the series starts in 2017 with the A17 tables (tests/test_flores_td.py reads them by hand)
    since = row(indicateurs, "ti-8402", "evol_postes_industrie_flores", 2024)
    assert since.annee_base == 2017
    first = row(indicateurs, "ti-8402", "postes_salaries_industrie", 2017).valeur
    assert since.valeur == pytest.approx(level[2024] / first - 1)
    # the story of the sample: a few percent a year, not a jump between vintages
    assert abs(since.valeur) < 0.15
    # comparators are there (region, France, all territories)
    assert since.valeur_france is not None and since.valeur_region is not None


# --- the census historical series by hand --------------------------------------------------------


def _serie_historique() -> pd.DataFrame:
    df = files.zip_csv(files.SAMPLE / "rp_serie_historique/2022/base-cc-serie-historique-2022_csv.zip",
                       "serie-historique-2022.csv", sep=";")
    pops = [c for c in df.columns if c.endswith("_POP")]
    df[pops] = df[pops].apply(pd.to_numeric)
    df["commune"] = files.to_2025(df["CODGEO"], 2025)
    return df


def test_population_history_by_hand(indicateurs):  # noqa: F811
    """Every census year since 1968 for ti-8402, summed by hand from the series' zip (arrondissements
    and merged communes onto COG 2025), its change since 2006, and the latest year equal to RP 2022's
    own population (the évolution-structure base)."""
    df = _serie_historique()
    mine = df[df["commune"].isin(files.members_2025("ti-8402"))]
    years = {1968: "D68_POP", 1975: "D75_POP", 1982: "D82_POP", 1990: "D90_POP", 1999: "D99_POP",
             2006: "P06_POP", 2011: "P11_POP", 2016: "P16_POP", 2022: "P22_POP"}
    level = {y: float(mine[c].sum()) for y, c in years.items()}
    for year, value in level.items():
        r = row(indicateurs, "ti-8402", "population_historique", year)
        assert value > 0 and r.valeur == pytest.approx(value), year
    assert level[2022] == pytest.approx(files.rp_sum("ti-8402", "rp_population", 2022, "P22_POP"))
    assert row(indicateurs, "ti-8402", "population", 2022).valeur == pytest.approx(level[2022])
    since = row(indicateurs, "ti-8402", "evol_population_depuis_2006", 2022)
    assert since.annee_base == 2006
    assert since.valeur == pytest.approx(level[2022] / level[2006] - 1)
    assert since.valeur_france is not None and since.valeur_region is not None
