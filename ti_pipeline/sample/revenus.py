"""Writer of Filosofi's base communale (income and poverty) for the sample.

What belongs here: the tax households, persons, median income and poverty rate of each commune of
the sample (Paris, Lyon and Marseille whole, as in the real ``_COM`` member; their arrondissements
are another member the pipeline does not read), and the layout of the zip: one CSV per level, ';',
UTF-8 with a byte order mark, the figures Insee withholds written ``s``.

The story: persons in tax households are a little below the census population (people in
institutions are not in tax households); the poorer a commune's residents, the higher its
unemployment, so the poverty rate follows the census unemployment share drawn by ``recensement``
only loosely (drawn here, in the same range as the real communes: 5 to 30 %). Filosofi 2020 is
the 2021 figures a year earlier (medians about 2 % lower).

Secrecy (Insee's rule, as the catalog declares it): no median below 50 tax households, no poverty
rate below 1,000 [V: the threshold of the poverty rate is read from Insee's documentation, not
seen in a file]. Units of the hand-checked territory keep whole persons and a rate with one decimal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ti_pipeline.sources import catalog as cat

from .codes import rng_for
from .ecriture import ZipSink
from .geographie import Geographie

SECRET_MEDIAN_BELOW = 50  # tax households
SECRET_POVERTY_BELOW = 1000


def filosofi_values(geo: Geographie, cog_year: int, millesime: int, seed: int) -> pd.DataFrame:
    """One row per commune of COG ``cog_year`` (PLM whole): CODGEO, households, persons, median,
    poverty rate, NaN where Insee would write ``s``."""
    units = geo.units(cog_year)
    units = units.assign(code=units["parent"])  # arrondissements -> their commune
    com = units.groupby("code", sort=True).agg(p=("p", "sum"), p22=("p22", "sum")).reset_index()
    n = len(com)
    base = rng_for(seed, "filosofi")  # the commune's level, shared by the vintages
    rng = rng_for(seed, "filosofi", str(millesime))
    # codes are sorted, so the draws of a commune do not depend on the vintage's row count
    every_code = set(geo.communes["code"]) | set(geo.units(2023)["parent"]) | set(geo.units(2025)["parent"])
    draws = {c: base.random(3) for c in sorted(every_code)}
    u = np.array([draws[c] for c in com["code"]])
    pop = com["p22" if millesime >= 2021 else "p"].to_numpy(float)
    persons = np.round(pop * (0.95 + 0.04 * u[:, 0]))
    households = np.round(persons / (2.0 + 0.4 * u[:, 1]))
    median = np.round(19_000 + 7_000 * u[:, 2])
    poverty = np.round(26.0 - 22.0 * u[:, 2] + rng.normal(0, 1.0, n), 1).clip(3.0, 40.0)
    if millesime < 2021:
        median = np.round(median / rng.uniform(1.01, 1.03, n))
        poverty = np.round(poverty + rng.normal(0, 0.5, n), 1).clip(3.0, 40.0)
    median = np.where(households < SECRET_MEDIAN_BELOW, np.nan, median)
    poverty = np.where(households < SECRET_POVERTY_BELOW, np.nan, poverty)
    return pd.DataFrame({
        "CODGEO": com["code"].to_numpy(),
        "households": households,
        "persons": persons,
        "median": median,
        "poverty": poverty,
    })


def _cell(x: float, decimals: int = 0) -> str:
    if np.isnan(x):
        return "s"
    return f"{x:.{decimals}f}" if decimals else str(int(round(x)))


def write_filosofi(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    counts = {}
    source = cat.FILOSOFI
    for release in source.releases:
        m = release.millesime
        yy = f"{m % 100:02d}"
        v = filosofi_values(geo, release.cog_year, m, seed)
        # The real member has about 30 columns; a few undeclared ones (PIMP, D1, D9) stand for them.
        rng = rng_for(seed, "filosofi-extra", str(m))
        pimp = np.where(np.isnan(v["poverty"]), np.nan, np.round(rng.uniform(35, 60, len(v)), 1))
        frame = pd.DataFrame({
            "CODGEO": v["CODGEO"],
            f"NBMENFISC{yy}": [_cell(x) for x in v["households"]],
            f"NBPERSMENFISC{yy}": [_cell(x) for x in v["persons"]],
            f"MED{yy}": [_cell(x) for x in v["median"]],
            f"PIMP{yy}": [_cell(x, 1) for x in pimp],
            f"TP60{yy}": [_cell(x, 1) for x in v["poverty"]],
            f"D1{yy}": [_cell(x) for x in np.where(np.isnan(v["poverty"]), np.nan, v["median"] * 0.55)],
            f"D9{yy}": [_cell(x) for x in np.where(np.isnan(v["poverty"]), np.nan, v["median"] * 1.9)],
        })
        text = frame.to_csv(sep=";", index=False, lineterminator="\n")
        with ZipSink(cat.sample_path(out, source, release)) as z:
            z.write_bytes(f"cc_filosofi_{m}_COM.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
            # the other levels of the real zip, which the pipeline must not pick
            z.write_bytes(f"cc_filosofi_{m}_EPCI.csv", b"\xef\xbb\xbf" + f"CODGEO;NBMENFISC{yy}\n".encode())
            z.write_bytes(f"meta_cc_filosofi_{m}.csv", "COD_VAR;LIB_VAR\nCODGEO;Code géographique\n".encode("utf-8"))
        counts[f"filosofi_{m}"] = len(frame)
    return counts
