"""Writers of the salaried-employment files: Flores A38 (Insee) and Urssaf commune x APE.

What belongs here: the layout of the two files, filled from the establishments of ``economie``
(per statistical unit of COG 2025: communes, with Paris/Lyon/Marseille as arrondissements, the
merger already folded). Both are written in blocks so that the national scale (millions of rows)
never sits whole in memory as strings.

Flores: the establishments' posts at 31/12 aggregated into cells (activity, size band) with all their
margins (``_T``), so every ``_T`` equals the sum of its detail cells. Some detail cells are not
disseminated (``OBS_STATUS`` K, empty value); totals stay published; a few published cells carry W
(they include another category's data). The file has the real levels: communes (COM),
arrondissements (ARM) of Paris/Lyon/Marseille beside their commune, départements, regions,
employment zones (ZE2020, invented codes) and France (F). Every row has the one legal form Insee
publishes, 1T9X7. Urssaf: one row per commune x APE cell of the economy, its headcount and
establishment series.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ti_pipeline.sources import catalog as cat

from .codes import rng_for
from .ecriture import ZipSink, csv_text
from .economie import URSSAF_CODES, YEARS, economie
from .geographie import MERGER_YEAR, PLM, Geographie
from .referentiels import (
    A38_CODES,
    A38_LABELS,
    A38_OF_DIVISION,
    DEPARTEMENTS,
    FLORES_BANDS_BOUNDS,
    NA88,
    REGIONS,
    grand_secteur,
)

# Each Flores millésime holds two years: the vintage's and the year before (Insee's documentation).
# The establishments' posts of those years (``economie``: p21 ... p24), so a vintage moves by the
# few percent a year of its cells' series; a year present in two vintages has the same values.
YEARS_FLORES = {2024: (2023, 2024), 2023: (2022, 2023), 2022: (2021, 2022)}
BANDS = tuple(b for b, _lo, _hi in FLORES_BANDS_BOUNDS)
T = "_T"
LEGAL_FORM = "1T9X7"  # "ensemble hors particuliers employeurs", the one value of the real files
_LOW = np.array([lo for _b, lo, _hi in FLORES_BANDS_BOUNDS])


def _band_of(posts: np.ndarray) -> np.ndarray:
    return np.searchsorted(_LOW, posts, side="right") - 1


def _stream(name: str, millesime: int) -> str:
    """The random stream of a vintage: 2024's keeps its historical name (its file unchanged)."""
    return name if millesime == 2024 else f"{name}-{millesime}"


def flores_cells(geo: Geographie, seed: int, millesime: int = 2024) -> pd.DataFrame:
    """Detail cells per (unit code, year, activity, band): n establishments, posts, secret flag, from
    the establishments of ``economie`` (posts at 31/12 of the vintage's two years), in the units of
    the vintage's COG (before MERGER_YEAR, the merged commune's two former communes)."""
    rng = rng_for(seed, _stream("flores", millesime))
    eco = economie(geo, seed)
    cog_year = cat.FLORES_A38.release(millesime).cog_year
    units = geo.units(cog_year)
    est = eco.est
    code_of = (est["code_2023"] if cog_year < MERGER_YEAR else eco.units["code"].iloc[est["u"].to_numpy(int)]).to_numpy(object)
    frames = []
    for year in YEARS_FLORES[millesime]:
        col = f"p{year % 100}"
        e = est[est[col] >= 0]
        d = pd.DataFrame({"code": code_of[e.index.to_numpy()], "year": year,
                          "a": e["a38"].to_numpy(), "b": np.array(BANDS)[_band_of(e[col].to_numpy())],
                          "n": 1, "posts": e[col].to_numpy()})
        frames.append(d.groupby(["code", "year", "a", "b"], sort=False, as_index=False)[["n", "posts"]].sum())
    cells = pd.concat(frames, ignore_index=True)
    # Secret statistique: small cells (at most 2 establishments), about a quarter of them.
    cells["secret"] = (cells["n"] <= 2) & (rng.random(len(cells)) < 0.25)
    parent = dict(zip(units["code"], units["parent"]))
    cells["commune"] = cells["code"].map(parent)
    dep = dict(zip(units["code"], units["dep"]))
    reg = dict(zip(units["code"], units["reg"]))
    cells["dep"] = cells["code"].map(dep)
    cells["reg"] = cells["code"].map(reg)
    # Zones d'emploi 2020: invented codes (region + the département's last two characters).
    cells["ze"] = cells["reg"] + cells["dep"].str[-2:]
    cells["france"] = "F"
    return cells


def _with_margins(cells: pd.DataFrame, geo_col: str, geo_object: str, keep_secret: bool) -> pd.DataFrame:
    keys = [geo_col, "year"]
    base = cells.groupby([*keys, "a", "b"], as_index=False, sort=False).agg(
        n=("n", "sum"), posts=("posts", "sum"), secret=("secret", "max"))
    if not keep_secret:
        base["secret"] = False
    by_a = base.groupby([*keys, "a"], as_index=False, sort=False)[["n", "posts"]].sum().assign(b=T, secret=False)
    by_b = base.groupby([*keys, "b"], as_index=False, sort=False)[["n", "posts"]].sum().assign(a=T, secret=False)
    tot = base.groupby(keys, as_index=False, sort=False)[["n", "posts"]].sum().assign(a=T, b=T, secret=False)
    out = pd.concat([base, by_a, by_b, tot], ignore_index=True).rename(columns={geo_col: "geo"})
    out["geo_object"] = geo_object
    return out


def _data_member(millesime: int) -> str:
    # the 2022 files name their members without the year (catalog: FLORES_A38 evidence)
    return "DS_FLORES_A38_data.csv" if millesime == 2022 else f"DS_FLORES_A38_{millesime}_data.csv"


def write_flores(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    """Every declared Flores vintage, each in its zip; returns the rows of all vintages."""
    n_rows = 0
    for release in cat.FLORES_A38.releases:
        n_rows += _write_flores_vintage(out, geo, seed, release)
    return {"flores_a38": n_rows}


def _write_flores_vintage(out: Path, geo: Geographie, seed: int, release) -> int:
    m = release.millesime
    cells = flores_cells(geo, seed, m)
    arm = cells["code"] != cells["commune"]
    parts = [
        _with_margins(cells, "commune", "COM", keep_secret=True).pipe(
            lambda d: d.assign(secret=d["secret"] & ~d["geo"].isin(PLM))),
        _with_margins(cells[arm], "code", "ARM", keep_secret=True),
        _with_margins(cells, "dep", "DEP", keep_secret=False),
        _with_margins(cells, "reg", "REG", keep_secret=False),
        _with_margins(cells, "ze", "ZE2020", keep_secret=False),
        _with_margins(cells, "france", "FRANCE", keep_secret=False),
    ]
    df = pd.concat(parts, ignore_index=True)
    # W: a few published detail cells of the upper levels "include another category's data".
    w_rng = rng_for(seed, _stream("flores-w", m))
    upper = df["geo_object"].isin(["DEP", "REG", "ZE2020"]).to_numpy() & (df["a"] != T).to_numpy() & (df["b"] != T).to_numpy()
    df["w"] = upper & (w_rng.random(len(df)) < 0.02)
    order = {"COM": 0, "ARM": 1, "DEP": 2, "REG": 3, "ZE2020": 4, "FRANCE": 5}
    act_order = {a: k for k, a in enumerate((T, *A38_CODES))}
    band_order = {b: k for k, b in enumerate((T, *BANDS))}
    df["_o"] = df["geo_object"].map(order)
    df["_a"] = df["a"].map(act_order)
    df["_b"] = df["b"].map(band_order)
    df = df.sort_values(["_o", "geo", "_a", "_b", "year"], kind="stable").reset_index(drop=True)

    header = [f.name for f in cat.FLORES_A38.fields_for(m)]
    n_rows = 0
    with ZipSink(cat.sample_path(out, cat.FLORES_A38, release)) as z:
        with z.open(_data_member(m)) as stream:
            # One cell gives two rows (UNIT_LOC, EMPL3112); built and written by chunks of cells so that
            # the national file (millions of rows) never exists whole as Python strings.
            chunk = 250_000
            for start in range(0, max(len(df), 1), chunk):
                long = _long_rows(df.iloc[start:start + chunk])
                assert list(long.columns) == header
                stream.write(long.to_csv(sep=";", index=False, header=start == 0, quoting=csv.QUOTE_ALL,
                                         lineterminator="\n").encode("utf-8"))
                n_rows += len(long)
        z.write_bytes(_data_member(m).replace("_data.csv", "_metadata.csv"), _flores_metadata().encode("utf-8"))
    return n_rows


def _long_rows(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)
    long = pd.DataFrame({
        "GEO": np.repeat(df["geo"].to_numpy(), 2),
        "GEO_OBJECT": np.repeat(df["geo_object"].to_numpy(), 2),
        "ACTIVITY": np.repeat(df["a"].to_numpy(), 2),
        "NUMBER_EMPL": np.repeat(df["b"].to_numpy(), 2),
        "LEGAL_FORM_WITH_PUBLIC": LEGAL_FORM,
        "FLORES_MEASURE": np.tile(["UNIT_LOC", "EMPL3112"], n),
        "OBS_STATUS": np.where(np.repeat(df["secret"].to_numpy(bool), 2), "K",
                               np.where(np.repeat(df["w"].to_numpy(bool), 2), "W", "A")),
        "TIME_PERIOD": np.repeat(df["year"].to_numpy(), 2),
        "OBS_VALUE": np.ravel(np.column_stack([df["n"].to_numpy(np.int64), df["posts"].to_numpy(np.int64)])).astype(str),
    })
    long.loc[long["OBS_STATUS"] == "K", "OBS_VALUE"] = ""
    return long


def _flores_metadata() -> str:
    rows = [["COD_VAR", "LIB_VAR", "COD_MOD", "LIB_MOD"]]
    rows += [["ACTIVITY", "Activité (A38)", a, A38_LABELS[a]] for a in A38_CODES]
    rows += [["ACTIVITY", "Activité (A38)", T, "Total"]]
    bands = {"E0": "0 salarié", "E1T4": "1 à 4 salariés", "E5T9": "5 à 9 salariés", "E10T19": "10 à 19 salariés",
             "E20T49": "20 à 49 salariés", "E50T99": "50 à 99 salariés", "E100T199": "100 à 199 salariés",
             "E200T499": "200 à 499 salariés", "E_GE500": "500 salariés ou plus", T: "Total"}
    rows += [["NUMBER_EMPL", "Tranche d'effectif salarié de l'établissement", k, v] for k, v in bands.items()]
    rows += [["FLORES_MEASURE", "Mesure", "UNIT_LOC", "Nombre d'établissements"],
             ["FLORES_MEASURE", "Mesure", "EMPL3112", "Nombre de postes salariés au 31 décembre"],
             ["OBS_STATUS", "Statut de l'observation", "A", "Valeur normale"],
             ["OBS_STATUS", "Statut de l'observation", "K", "Données incluses dans une autre catégorie (non diffusées)"],
             ["OBS_STATUS", "Statut de l'observation", "W", "Inclut les données d'une autre catégorie"],
             ["LEGAL_FORM_WITH_PUBLIC", "Catégorie juridique y compris secteur public", LEGAL_FORM,
              "Ensemble hors particuliers employeurs"]]
    rows += [["GEO_OBJECT", "Niveau géographique", k, v] for k, v in
             (("COM", "Commune"), ("ARM", "Arrondissement municipal"), ("DEP", "Département"), ("REG", "Région"),
              ("ZE2020", "Zone d'emploi 2020"), ("FRANCE", "France"))]
    rows += [["NOTE", "Note", "SYNTH", "Données SYNTHÉTIQUES générées par ti-pipeline"]]
    return csv_text(rows, ";", quoting=csv.QUOTE_ALL)


# ----------------------------------------------------------------------------------------------
# Urssaf commune x APE
# ----------------------------------------------------------------------------------------------
# The "-last" export is rolling: 2006 to the latest year (the file's millésime).
URSSAF_LAST_YEAR = 2025
YEARS_URSSAF = range(2006, URSSAF_LAST_YEAR + 1)
# A38 -> A17 (Insee's nomenclature agrégée), for the export's secteur_na17 label.
A17_OF_A38 = {
    "AZ": "AZ", "BZ": "DE", "DZ": "DE", "EZ": "DE", "CA": "C1", "CD": "C2", "CI": "C3", "CJ": "C3", "CK": "C3",
    "CL": "C4", "CB": "C5", "CC": "C5", "CE": "C5", "CF": "C5", "CG": "C5", "CH": "C5", "CM": "C5", "FZ": "FZ", "GZ": "GZ", "HZ": "HZ", "IZ": "IZ", "JA": "JZ", "JB": "JZ", "JC": "JZ", "KZ": "KZ",
    "LZ": "LZ", "MA": "MN", "MB": "MN", "MC": "MN", "NZ": "MN", "OZ": "OQ", "PZ": "OQ", "QA": "OQ", "QB": "OQ",
    "RZ": "RU", "SZ": "RU", "TZ": "RU", "UZ": "RU",
}



def write_urssaf(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    units = geo.units(2025)
    release = cat.URSSAF_APE.release(URSSAF_LAST_YEAR)
    path = cat.sample_path(out, cat.URSSAF_APE, release)
    path.parent.mkdir(parents=True, exist_ok=True)
    codes = np.array(URSSAF_CODES)
    na88 = np.array([f"{c[:2]} {NA88[c[:2]]}" for c in URSSAF_CODES])
    a38 = [A38_OF_DIVISION[c[:2]] for c in URSSAF_CODES]
    na38 = np.array([f"{a} {A38_LABELS[a]}" for a in a38])
    na17 = np.array([A17_OF_A38[a] for a in a38])
    ape = np.array([f"{c} {NA88[c[:2]]}" for c in URSSAF_CODES])  # the subclass label: synthetic, the division's
    gs = np.array([grand_secteur(c) for c in URSSAF_CODES])
    eco = economie(geo, seed)
    cols = [int(np.searchsorted(YEARS, y)) for y in YEARS_URSSAF]
    # EPCI of each unit (arrondissements: their commune's)
    epci_of = dict(zip(geo.communes["code_2025"], geo.communes["epci"])) if "code_2025" in geo.communes else {}
    epci_of.update(dict(zip(geo.communes["code"], geo.communes["epci"])))
    epci_nom = dict(zip(geo.epci["siren"], geo.epci["nom"]))
    n_total = 0
    # The Opendatasoft export starts with a byte order mark (with_bom defaults to true).
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        chunk = 200_000
        sub = units
        for s in range(0, max(len(eco.cells), 1), chunk):
            u = eco.cells["u"].to_numpy()[s:s + chunk]
            c = eco.cells["c"].to_numpy()[s:s + chunk]
            reg = sub["reg"].to_numpy()[u]
            dep = sub["dep"].to_numpy()[u]
            ze = np.char.add(reg.astype(str), np.array([d[-2:] for d in dep]))  # invented ZE codes, as in Flores
            epci = np.array([epci_of.get(p) or "" for p in sub["parent"].to_numpy()[u]], dtype=object)
            # Labels first, then codes, as the export's fields come (SOURCES: dbt models over it).
            head = pd.DataFrame({
                "region": [f"{r} {REGIONS[r][1]}" for r in reg],
                "ancienne_region": [f"{r} {REGIONS[r][1]}" for r in reg],  # synthetic: pre-2016 regions not modelled
                "departement": [f"{d} {DEPARTEMENTS[d][2]}" for d in dep],
                "zone_d_emploi": [f"{z} Zone d'emploi {z}" for z in ze],
                "epci": [f"{e} {epci_nom.get(e, '')}" if e else "" for e in epci],
                "commune": sub["nom"].to_numpy()[u],
                "intitule_commune": (sub["code"] + " " + sub["nom"]).to_numpy()[u],
                "grand_secteur_d_activite": gs[c],
                "secteur_na17": na17[c],
                "secteur_na38": na38[c],
                "secteur_na88": na88[c],
                "ape": ape[c],
                "code_region": reg,
                "code_ancienne_region": reg,
                "code_departement": dep,
                "code_zone_d_emploi": ze,
                "code_epci": epci,
                "code_commune": sub["code"].to_numpy()[u],
                "code_ape": codes[c],
            })
            series = {}
            for y, j in zip(YEARS_URSSAF, cols):
                series[f"effectifs_salaries_{y}"] = pd.array(eco.eff[s:s + chunk, j], dtype="Int64")
            for y, j in zip(YEARS_URSSAF, cols):
                series[f"nombre_d_etablissements_{y}"] = pd.array(eco.etab[s:s + chunk, j], dtype="Int64")
            frame = pd.concat([head, pd.DataFrame(series)], axis=1)
            fh.write(frame.to_csv(sep=";", index=False, header=s == 0, lineterminator="\n").encode("utf-8"))
            n_total += len(frame)
    return {"urssaf_ape": n_total}
