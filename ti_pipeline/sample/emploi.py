"""Writers of the salaried-employment files: Flores A38 (Insee) and Urssaf commune x APE.

What belongs here: the layout of the two files, filled from the establishments of ``economie``
(per statistical unit of COG 2025: communes, with Paris/Lyon/Marseille as arrondissements, the
merger already folded). Both are written in blocks so that the national scale (millions of rows)
never sits whole in memory as strings.

Flores: the establishments' posts at 31/12 aggregated into cells (activity, size band) with all their
margins (``_T``), so every ``_T`` equals the sum of its detail cells. Some detail cells are secret
(``OBS_STATUS`` C, empty value); totals stay published. Urssaf: one row per commune x APE cell of the
economy, its headcount and establishment series.
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
from .geographie import PLM, Geographie
from .referentiels import A38_CODES, A38_LABELS, FLORES_BANDS_BOUNDS, NA88, grand_secteur

YEARS_FLORES = (2023, 2024)
BANDS = tuple(b for b, _lo, _hi in FLORES_BANDS_BOUNDS)
T = "_T"
_LOW = np.array([lo for _b, lo, _hi in FLORES_BANDS_BOUNDS])


def _band_of(posts: np.ndarray) -> np.ndarray:
    return np.searchsorted(_LOW, posts, side="right") - 1


def flores_cells(geo: Geographie, seed: int) -> pd.DataFrame:
    """Detail cells per (unit code, year, activity, band): n establishments, posts, secret flag, from
    the establishments of ``economie`` (posts at 31/12 of 2023 and 2024)."""
    rng = rng_for(seed, "flores")
    eco = economie(geo, seed)
    units = eco.units
    est = eco.est
    frames = []
    for year, col in ((2023, "p23"), (2024, "p24")):
        e = est[est[col] >= 0]
        d = pd.DataFrame({"code": units["code"].to_numpy()[e["u"].to_numpy(int)], "year": year,
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


def write_flores(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    cells = flores_cells(geo, seed)
    arm = cells["code"] != cells["commune"]
    parts = [
        _with_margins(cells, "commune", "COM", keep_secret=True).pipe(
            lambda d: d.assign(secret=d["secret"] & ~d["geo"].isin(PLM))),
        _with_margins(cells[arm], "code", "ARM", keep_secret=True),
        _with_margins(cells, "dep", "DEP", keep_secret=False),
        _with_margins(cells, "reg", "REG", keep_secret=False),
    ]
    df = pd.concat(parts, ignore_index=True)
    order = {"COM": 0, "ARM": 1, "DEP": 2, "REG": 3}
    act_order = {a: k for k, a in enumerate((T, *A38_CODES))}
    band_order = {b: k for k, b in enumerate((T, *BANDS))}
    df["_o"] = df["geo_object"].map(order)
    df["_a"] = df["a"].map(act_order)
    df["_b"] = df["b"].map(band_order)
    df = df.sort_values(["_o", "geo", "_a", "_b", "year"], kind="stable").reset_index(drop=True)

    header = [f.name for f in cat.FLORES_A38.fields_for(2024)]
    release = cat.FLORES_A38.release(2024)
    n_rows = 0
    with ZipSink(cat.sample_path(out, cat.FLORES_A38, release)) as z:
        with z.open("DS_FLORES_A38_2024_data.csv") as stream:
            # One cell gives two rows (UNIT_LOC, EMPL3112); built and written by chunks of cells so that
            # the national file (millions of rows) never exists whole as Python strings.
            chunk = 250_000
            for start in range(0, max(len(df), 1), chunk):
                long = _long_rows(df.iloc[start:start + chunk])
                assert list(long.columns) == header
                stream.write(long.to_csv(sep=";", index=False, header=start == 0, quoting=csv.QUOTE_ALL,
                                         lineterminator="\n").encode("utf-8"))
                n_rows += len(long)
        z.write_bytes("DS_FLORES_A38_2024_metadata.csv", _flores_metadata().encode("utf-8"))
    return {"flores_a38": n_rows}


def _long_rows(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)
    long = pd.DataFrame({
        "GEO": np.repeat(df["geo"].to_numpy(), 2),
        "GEO_OBJECT": np.repeat(df["geo_object"].to_numpy(), 2),
        "ACTIVITY": np.repeat(df["a"].to_numpy(), 2),
        "NUMBER_EMPL": np.repeat(df["b"].to_numpy(), 2),
        "LEGAL_FORM_WITH_PUBLIC": T,
        "FLORES_MEASURE": np.tile(["UNIT_LOC", "EMPL3112"], n),
        "OBS_STATUS": np.where(np.repeat(df["secret"].to_numpy(bool), 2), "C", "A"),
        "TIME_PERIOD": np.repeat(df["year"].to_numpy(), 2),
        "OBS_VALUE": np.ravel(np.column_stack([df["n"].to_numpy(np.int64), df["posts"].to_numpy(np.int64)])).astype(str),
    })
    long.loc[long["OBS_STATUS"] == "C", "OBS_VALUE"] = ""
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
             ["OBS_STATUS", "Statut de l'observation", "C", "Valeur confidentielle (secret statistique)"],
             ["LEGAL_FORM_WITH_PUBLIC", "Catégorie juridique y compris secteur public", T, "Total"]]
    rows += [["GEO_OBJECT", "Niveau géographique", k, v] for k, v in
             (("COM", "Commune"), ("ARM", "Arrondissement municipal"), ("DEP", "Département"), ("REG", "Région"))]
    rows += [["NOTE", "Note", "SYNTH", "Données SYNTHÉTIQUES générées par ti-pipeline"]]
    return csv_text(rows, ";", quoting=csv.QUOTE_ALL)


# ----------------------------------------------------------------------------------------------
# Urssaf commune x APE
# ----------------------------------------------------------------------------------------------
YEARS_URSSAF = range(2006, 2025)


def write_urssaf(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    units = geo.units(2025)
    release = cat.URSSAF_APE.release(2024)
    path = cat.sample_path(out, cat.URSSAF_APE, release)
    path.parent.mkdir(parents=True, exist_ok=True)
    codes = np.array(URSSAF_CODES)
    na88 = np.array([f"{c[:2]} {NA88[c[:2]]}" for c in URSSAF_CODES])
    gs = np.array([grand_secteur(c) for c in URSSAF_CODES])
    eco = economie(geo, seed)
    cols = [int(np.searchsorted(YEARS, y)) for y in YEARS_URSSAF]
    n_total = 0
    with open(path, "wb") as fh:
        chunk = 200_000
        for s in range(0, max(len(eco.cells), 1), chunk):
            u = eco.cells["u"].to_numpy()[s:s + chunk]
            c = eco.cells["c"].to_numpy()[s:s + chunk]
            head = pd.DataFrame({
                "code_commune": units["code"].to_numpy()[u],
                "intitule_commune": (units["code"] + " " + units["nom"]).to_numpy()[u],
                "code_departement": units["dep"].to_numpy()[u],
                "code_ape": codes[c],
                "grand_secteur_d_activite": gs[c],
                "secteur_na88": na88[c],
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
