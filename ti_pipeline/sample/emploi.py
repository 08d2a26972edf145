"""Writers of the salaried-employment files: Flores A38 (Insee) and Urssaf commune x APE.

What belongs here: synthetic establishments and headcounts per statistical unit of COG 2025
(communes, with Paris/Lyon/Marseille as arrondissements; the 2025 merger already folded), and the
layout of the two files. Both are generated with numpy/pandas in blocks so that the national scale
(millions of rows) is written in chunks.

Flores: establishments are drawn per unit (activity, size band, posts in 2023 and 2024), then
aggregated into cells with all their margins (``_T``), so every ``_T`` equals the sum of its detail
cells. Some detail cells are not disseminated (``OBS_STATUS`` K, empty value); totals stay
published; a few published cells carry W (they include another category's data). The file has the
real levels: communes (COM), arrondissements (ARM) of Paris/Lyon/Marseille beside their commune,
départements, regions, employment zones (ZE2020, invented codes) and France (F). Every row has the
one legal form Insee publishes, 1T9X7. Hand units (the territories checked by hand, see README) get
the explicit cells of ``HAND_FLORES``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ti_pipeline.sources import catalog as cat

from .codes import rng_for
from .ecriture import ZipSink, csv_text
from .geographie import MERGED_A, PLM, Geographie
from .referentiels import (
    DEPARTEMENTS,
    REGIONS,
    A38_CODES,
    A38_INDUSTRIE,
    A38_LABELS,
    A38_OF_DIVISION,
    FLORES_BANDS_BOUNDS,
    NA88,
    NAF_CODES,
    NAF_URSSAF_EXCLUDED_DIVISIONS,
    grand_secteur,
)

YEARS_FLORES = (2023, 2024)
BANDS = tuple(b for b, _lo, _hi in FLORES_BANDS_BOUNDS)
T = "_T"
LEGAL_FORM = "1T9X7"  # "ensemble hors particuliers employeurs", the one value of the real files

# Hand units of COG 2025: (A38, band, establishments 2024, posts 2024, establishments 2023, posts 2023, secret).
HAND_FLORES: dict[str, list[tuple[str, str, int, int, int, int, bool]]] = {
    "01053": [("CH", "E20T49", 2, 60, 2, 58, False), ("CA", "E50T99", 1, 70, 1, 72, True),
              ("GZ", "E1T4", 10, 20, 9, 18, False), ("QA", "E100T199", 1, 150, 1, 140, False),
              ("FZ", "E0", 3, 0, 3, 0, False)],
    MERGED_A: [("CG", "E10T19", 1, 15, 1, 14, True), ("GZ", "E1T4", 4, 8, 4, 8, False)],
    "01150": [("CM", "E5T9", 2, 14, 2, 12, False), ("IZ", "E1T4", 3, 6, 3, 6, False)],
    "01210": [("CC", "E20T49", 1, 25, 1, 25, False), ("GZ", "E0", 2, 0, 2, 0, False)],
    "01260": [("CG", "E50T99", 1, 80, 1, 75, False), ("HZ", "E5T9", 1, 7, 1, 7, True)],
    "01283": [("CG", "E200T499", 1, 300, 1, 290, False), ("CG", "E20T49", 3, 90, 3, 84, False),
              ("CH", "E10T19", 2, 30, 2, 32, True), ("GZ", "E1T4", 12, 24, 11, 22, False),
              ("OZ", "E100T199", 1, 120, 1, 120, False)],
    "01300": [("CG", "E50T99", 1, 60, 1, 55, False), ("CK", "E5T9", 1, 8, 1, 8, True),
              ("GZ", "E1T4", 3, 5, 3, 5, False)],
    "01310": [("CG", "E100T199", 1, 110, 1, 100, False), ("CG", "E1T4", 2, 4, 2, 4, True),
              ("MA", "E1T4", 2, 3, 2, 3, False)],
    "69381": [("GZ", "E1T4", 6, 12, 6, 12, False), ("IZ", "E5T9", 2, 14, 2, 12, False),
              ("CM", "E1T4", 1, 3, 1, 3, True)],
    "69382": [("GZ", "E5T9", 3, 21, 3, 20, False), ("KZ", "E20T49", 1, 30, 1, 30, False),
              ("CA", "E1T4", 2, 4, 2, 4, False)],
    "69383": [("QA", "E200T499", 1, 320, 1, 310, False), ("GZ", "E1T4", 5, 10, 5, 9, False),
              ("CI", "E20T49", 1, 25, 1, 24, True)],
    "69384": [("GZ", "E1T4", 4, 8, 4, 8, False), ("CC", "E5T9", 1, 6, 1, 6, False)],
    "69385": [("IZ", "E1T4", 3, 6, 3, 6, False), ("PZ", "E50T99", 1, 60, 1, 60, False)],
    "69386": [("MA", "E10T19", 2, 30, 2, 28, False), ("GZ", "E1T4", 4, 8, 4, 8, False),
              ("CF", "E50T99", 1, 70, 1, 65, False)],
    "69387": [("CE", "E_GE500", 1, 550, 1, 540, False), ("CH", "E20T49", 2, 50, 2, 48, True),
              ("GZ", "E1T4", 3, 6, 3, 6, False)],
    "69388": [("CK", "E100T199", 1, 130, 1, 125, False), ("CG", "E10T19", 1, 12, 1, 12, True),
              ("QB", "E20T49", 1, 25, 1, 25, False)],
    "69389": [("CL", "E200T499", 1, 260, 1, 250, False), ("CH", "E5T9", 2, 14, 2, 14, False),
              ("GZ", "E0", 2, 0, 2, 0, False)],
    "69201": [("CE", "E_GE500", 1, 700, 1, 680, False), ("CD", "E200T499", 1, 250, 1, 260, False),
              ("GZ", "E1T4", 3, 6, 3, 6, False)],
    "69202": [("CE", "E100T199", 1, 150, 1, 150, False), ("CF", "E50T99", 1, 90, 1, 85, True),
              ("QA", "E20T49", 1, 30, 1, 30, False)],
}

_OTHER_A38 = tuple(a for a in A38_CODES if a not in A38_INDUSTRIE and a not in ("TZ", "UZ"))
_OTHER_W = np.array([{"GZ": 8, "FZ": 4, "IZ": 4, "QA": 3, "QB": 2, "MA": 3, "NZ": 2, "HZ": 2, "SZ": 3,
                      "LZ": 2, "KZ": 1.5, "PZ": 1.5, "OZ": 1.5, "AZ": 1}.get(a, 0.6) for a in _OTHER_A38])
_IND_W = np.array([{"CA": 4, "CH": 4, "CG": 2.5, "CC": 2, "CM": 3, "EZ": 1.5, "CK": 1.2, "CL": 0.8}.get(a, 0.6)
                   for a in A38_INDUSTRIE])
_BAND_P_OTHER = np.array([0.22, 0.48, 0.14, 0.08, 0.05, 0.015, 0.008, 0.005, 0.002])
_BAND_P_IND = np.array([0.12, 0.35, 0.15, 0.13, 0.13, 0.06, 0.035, 0.02, 0.01])
_BAND_P_OTHER, _BAND_P_IND = _BAND_P_OTHER / _BAND_P_OTHER.sum(), _BAND_P_IND / _BAND_P_IND.sum()
_LOW = np.array([lo for _b, lo, _hi in FLORES_BANDS_BOUNDS])
_HIGH = np.array([hi for _b, _lo, hi in FLORES_BANDS_BOUNDS])


def _band_of(posts: np.ndarray) -> np.ndarray:
    return np.searchsorted(_LOW, posts, side="right") - 1


def _random_establishments(units: pd.DataFrame, n_etab: int, rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic establishments of the random units: unit index, activity index, posts 2023/2024."""
    w = units["e"].to_numpy(float) + 0.05 * units["p"].to_numpy(float)
    w = np.where(units["hand"].to_numpy(bool), 0.0, w)
    if n_etab <= 0 or w.sum() <= 0:
        return pd.DataFrame(columns=["u", "a", "p23", "p24"])
    counts = rng.multinomial(n_etab, w / w.sum())
    u = np.repeat(np.arange(len(units)), counts)
    ind_share = np.clip(units["i"].to_numpy(float) / np.maximum(units["e"].to_numpy(float), 1e-9), 0.02, 0.8)
    is_ind = rng.random(len(u)) < ind_share[u]
    a_ind = rng.choice(len(A38_INDUSTRIE), size=len(u), p=_IND_W / _IND_W.sum())
    a_oth = rng.choice(len(_OTHER_A38), size=len(u), p=_OTHER_W / _OTHER_W.sum())
    a_code = np.where(is_ind, np.array(A38_INDUSTRIE)[a_ind], np.array(_OTHER_A38)[a_oth])
    band = np.where(is_ind, rng.choice(9, size=len(u), p=_BAND_P_IND), rng.choice(9, size=len(u), p=_BAND_P_OTHER))
    hi = np.where(band == 8, _LOW[8] + rng.geometric(1 / 300, len(u)), _HIGH[band])
    p24 = np.floor(_LOW[band] + rng.random(len(u)) * (hi - _LOW[band] + 1)).astype(np.int64)
    p24 = np.minimum(p24, hi)
    p23 = np.where(p24 == 0, 0, np.maximum(np.round(p24 * rng.uniform(0.85, 1.15, len(u))), 1)).astype(np.int64)
    # A few establishments open in 2024 or close before it (absent from one year).
    fate = rng.random(len(u))
    p23 = np.where(fate < 0.04, -1, p23)
    p24 = np.where(fate > 0.97, -1, p24)
    return pd.DataFrame({"u": u, "a": a_code, "p23": p23, "p24": p24})


def flores_cells(geo: Geographie, seed: int) -> pd.DataFrame:
    """Detail cells per (unit code, year, activity, band): n establishments, posts, secret flag."""
    rng = rng_for(seed, "flores")
    units = geo.units(2025)
    est = _random_establishments(units, geo.scale.flores_etab, rng)
    frames = []
    for year, col in ((2023, "p23"), (2024, "p24")):
        e = est[est[col] >= 0]
        d = pd.DataFrame({"code": units["code"].to_numpy()[e["u"].to_numpy(int)], "year": year,
                          "a": e["a"].to_numpy(), "b": np.array(BANDS)[_band_of(e[col].to_numpy())],
                          "n": 1, "posts": e[col].to_numpy()})
        frames.append(d.groupby(["code", "year", "a", "b"], sort=False, as_index=False)[["n", "posts"]].sum())
    cells = pd.concat(frames, ignore_index=True)
    # Secret statistique: small random cells (at most 2 establishments), about a quarter of them.
    cells["secret"] = (cells["n"] <= 2) & (rng.random(len(cells)) < 0.25)
    hand_rows = []
    for code, spec in HAND_FLORES.items():
        for a, b, n24, p24, n23, p23, secret in spec:
            hand_rows.append((code, 2024, a, b, n24, p24, secret))
            hand_rows.append((code, 2023, a, b, n23, p23, secret))
    hand = pd.DataFrame(hand_rows, columns=["code", "year", "a", "b", "n", "posts", "secret"])
    cells = pd.concat([cells, hand], ignore_index=True)
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


def write_flores(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    cells = flores_cells(geo, seed)
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
    w_rng = rng_for(seed, "flores-w")
    upper = df["geo_object"].isin(["DEP", "REG", "ZE2020"]).to_numpy() & (df["a"] != T).to_numpy() & (df["b"] != T).to_numpy()
    df["w"] = upper & (w_rng.random(len(df)) < 0.02)
    order = {"COM": 0, "ARM": 1, "DEP": 2, "REG": 3, "ZE2020": 4, "FRANCE": 5}
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
URSSAF_CODES = tuple(c for c in NAF_CODES if c[:2] not in NAF_URSSAF_EXCLUDED_DIVISIONS)
_URSSAF_IND = np.array([A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE for c in URSSAF_CODES])


def _allocate(weights: np.ndarray, total: int, cap: int) -> np.ndarray:
    """Integers summing to ``total`` (as far as the cap allows), proportional to ``weights``, >= 1."""
    n = np.ones(len(weights), dtype=np.int64)
    remaining = total - n.sum()
    for _ in range(6):
        if remaining <= 0:
            break
        free = n < cap
        if not free.any():
            break
        w = np.where(free, weights, 0.0)
        share = w / w.sum() * remaining
        add = np.floor(share).astype(np.int64)
        # Largest remainders get one more.
        left = int(remaining - add.sum())
        if left > 0:
            order = np.argsort(-(share - add), kind="stable")[:left]
            add[order] += 1
        n = np.minimum(n + add, cap)
        remaining = total - n.sum()
    return n


def urssaf_frame(units: pd.DataFrame, n_rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Rows (unit index, APE index) and the headcount/establishment series of each row."""
    k = len(URSSAF_CODES)
    e = units["e"].to_numpy(float)
    per_unit = _allocate(np.power(e + 1, 0.8), max(n_rows, len(units)), k)
    ind_share = np.clip(units["i"].to_numpy(float) / np.maximum(e, 1e-9), 0.02, 0.8)
    u_idx, c_idx = [], []
    block = 4000
    base_w = np.where(_URSSAF_IND, 1.0, 1.5)
    for s in range(0, len(units), block):
        sl = slice(s, min(s + block, len(units)))
        w = base_w[None, :] * np.where(_URSSAF_IND[None, :], ind_share[sl, None] * 4, 1 - ind_share[sl, None])
        # Weighted sampling without replacement (exponential races): the n smallest keys win.
        keys = rng.exponential(size=w.shape) / w
        ranks = np.argsort(np.argsort(keys, axis=1, kind="stable"), axis=1, kind="stable")
        chosen = ranks < per_unit[sl, None]
        uu, cc = np.nonzero(chosen)
        u_idx.append(uu + s)
        c_idx.append(cc)
    u = np.concatenate(u_idx)
    c = np.concatenate(c_idx)
    m = len(u)
    raw = rng.lognormal(0, 1.2, m)
    tot = np.bincount(u, weights=raw, minlength=len(units))
    h24 = raw / tot[u] * e[u] * 0.7
    growth = rng.normal(0.0, 0.03, m) - np.where(_URSSAF_IND[c], 0.01, 0.0)
    size = np.exp(rng.normal(1.6, 0.8, m))
    start = np.where(rng.random(m) < 0.2, rng.integers(2007, URSSAF_LAST_YEAR, m), 2006)
    years = np.array(list(YEARS_URSSAF))
    eff = h24[:, None] * np.exp(-growth[:, None] * (2024 - years[None, :])) * rng.uniform(0.95, 1.05, (m, len(years)))
    eff = np.round(eff)
    etab = np.maximum(np.round(eff / size[:, None]), np.where(eff > 0, 1, 0))
    absent = years[None, :] < start[:, None]
    no_employer = etab == 0
    secret = (etab <= 2) & (rng.random((m, len(years))) < 0.06)
    eff_out = np.where(absent | no_employer | secret, np.nan, eff)
    etab_out = np.where(absent | no_employer, np.nan, etab)
    df = pd.DataFrame({"u": u, "c": c})
    for j, y in enumerate(years):
        df[f"effectifs_salaries_{y}"] = pd.array(eff_out[:, j], dtype="Int64")
    for j, y in enumerate(years):
        df[f"nombre_d_etablissements_{y}"] = pd.array(etab_out[:, j], dtype="Int64")
    return df


def write_urssaf(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    rng = rng_for(seed, "urssaf")
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
    # EPCI of each unit (arrondissements: their commune's)
    epci_of = dict(zip(geo.communes["code_2025"], geo.communes["epci"])) if "code_2025" in geo.communes else {}
    epci_of.update(dict(zip(geo.communes["code"], geo.communes["epci"])))
    epci_nom = dict(zip(geo.epci["siren"], geo.epci["nom"]))
    n_total = 0
    # The Opendatasoft export starts with a byte order mark (with_bom defaults to true).
    with open(path, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        chunk_units = 5000
        for s in range(0, len(units), chunk_units):
            sub = units.iloc[s:s + chunk_units].reset_index(drop=True)
            # Cumulative rounding: the chunk targets add up to the scale's exact row count.
            target = int(round(geo.scale.urssaf * (s + len(sub)) / len(units))) - int(round(geo.scale.urssaf * s / len(units)))
            df = urssaf_frame(sub, target, rng)
            u = df.pop("u").to_numpy()
            c = df.pop("c").to_numpy()
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
            frame = pd.concat([head, df], axis=1)
            fh.write(frame.to_csv(sep=";", index=False, header=s == 0, lineterminator="\n").encode("utf-8"))
            n_total += len(frame)
    return {"urssaf_ape": n_total}
