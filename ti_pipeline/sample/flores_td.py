"""Writer of the Flores "tableaux détaillés" 2017-2021 (Insee): salaried posts by commune x A17.

What belongs here: the wide layout of those files (one row per commune, ``CODGEO``, then ``EFF_TOT``
and one ``EFF_<A17>`` column per activity, ``;`` separator, one CSV member per zip), filled from the
establishments of ``economie``. The posts of 2017-2020 continue the establishments' history backwards
from 2021 (``economie``'s oldest Flores year) on their own random stream, so the files written before
(the A38 vintages, Urssaf) do not change: an establishment absent one year is absent the years
before, and a few more are absent. The 2021 table reads the same posts as the A38 vintage 2022's
year 2021, so the two sources agree where they meet (the real ones should, up to revisions).

Secrecy: how Insee writes a withheld cell in these tables is not known (catalog: unverified); the
sample leaves a few small cells (at most 2 establishments) empty, which the pipeline reads as secret.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ti_pipeline.sources import catalog as cat

from .codes import rng_for
from .ecriture import ZipSink
from .economie import REF_YEAR, YEARS, economie
from .emploi import A17_OF_A38
from .geographie import MERGER_YEAR, Geographie


def td_posts(geo: Geographie, seed: int) -> dict[int, pd.DataFrame]:
    """Per millésime 2017-2021: the establishments' posts at 31/12 of that year, as rows (commune of
    the vintage's COG, A17 code, n establishments, posts); absent establishments left out."""
    eco = economie(geo, seed)
    est = eco.est
    rng = rng_for(seed, "flores-td")
    posts = est["posts"].to_numpy(float)
    cell_of = est["cell"].to_numpy()
    years = {2021: est["p21"].to_numpy(np.int64)}
    later = years[2021]
    for year in (2020, 2019, 2018, 2017):
        j = int(np.searchsorted(YEARS, year))
        r = np.where(cell_of >= 0, eco.ratio[np.maximum(cell_of, 0), j], 1.0 + 0.004 * (year - REF_YEAR))
        p = np.round(posts * r * rng.uniform(0.97, 1.03, len(est))).astype(np.int64)
        # 1 % a year absent beyond the cells' own start: at economie's 3 % a year, the seven years back
        # from 2024 would make 2017's posts a fifth below 2024's, a growth the real series does not show
        years[year] = later = np.where((later < 0) | (r == 0) | (rng.random(len(est)) < 0.01), -1, p)
    a17 = est["a38"].map(A17_OF_A38).to_numpy(object)
    out = {}
    for release in cat.FLORES_A17_TD.releases:
        units = geo.units(release.cog_year)
        parent = dict(zip(units["code"], units["parent"]))
        code = (est["code_2023"] if release.cog_year < MERGER_YEAR else eco.units["code"].iloc[est["u"].to_numpy(int)])
        p = years[release.millesime]
        keep = p >= 0
        d = pd.DataFrame({"commune": code.to_numpy(object)[keep], "a17": a17[keep], "n": 1, "posts": p[keep]})
        d["commune"] = d["commune"].map(parent)
        out[release.millesime] = d.groupby(["commune", "a17"], as_index=False, sort=True)[["n", "posts"]].sum()
    return out


def td_table(cells: pd.DataFrame, communes: list[str], secret: np.ndarray) -> pd.DataFrame:
    """The wide table: one row per commune (every commune of the vintage, 0 where it has no posts),
    EFF_TOT then EFF_<A17> in the catalog's order; ``secret`` cells (aligned on ``cells``) empty."""
    codes = list(cat.FLORES_A17_CODES)
    full = cells.pivot(index="commune", columns="a17", values="posts").reindex(index=communes, columns=codes).fillna(0.0)
    hidden = cells[secret].pivot(index="commune", columns="a17", values="posts").reindex(index=communes, columns=codes).notna()
    wide = full.mask(hidden)
    table = pd.DataFrame({"CODGEO": communes})
    # the total is published: Insee's secrecy hides the detail, not the commune's total
    table["EFF_TOT"] = full.sum(axis=1).to_numpy()
    for code in cat.FLORES_A17_CODES:
        table[f"EFF_{code}"] = wide[code].to_numpy()
    return table


def write_flores_td(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    """Every declared millésime 2017-2021, each in its zip; returns the rows of all of them."""
    n_rows = 0
    for millesime, cells in td_posts(geo, seed).items():
        release = cat.FLORES_A17_TD.release(millesime)
        communes = sorted(set(geo.units(release.cog_year)["parent"]))
        rng = rng_for(seed, f"flores-td-secret-{millesime}")
        secret = ((cells["n"] <= 2) & (rng.random(len(cells)) < 0.1)).to_numpy()
        table = td_table(cells, communes, secret)
        member = cat.sample_path(out, cat.FLORES_A17_TD, release).name
        member = member.removesuffix("_CSV.zip").removesuffix("_csv.zip") + ".csv"
        text = table.to_csv(sep=";", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL,
                            float_format="%.0f")
        with ZipSink(cat.sample_path(out, cat.FLORES_A17_TD, release)) as z:
            z.write_bytes(member, text.encode("utf-8"))
        n_rows += len(table)
    return {"flores_a17_td": n_rows}
