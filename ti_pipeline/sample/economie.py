"""One set of establishments behind every employment figure of the sample (Flores, Urssaf, Sirene, RP jobs).

What belongs here: the invented economy of the world built by ``geographie``: per statistical unit
of COG 2025, the establishments (activity, NAF code, public or private, salaried posts over the
years) and the Urssaf commune x APE cells they make up. Every source that counts jobs is an
aggregate of these establishments, the way the real sources measure the same economy:

- Flores (posts at 31 December, private and public, agriculture included): the sum of the
  establishments' posts, by A38 activity and size band;
- Urssaf (private employers, annual average headcount, no agriculture, no public administration):
  a bit below Flores for the same activities (``URSSAF_FACTOR``), one series per commune x APE cell;
- Sirene: the same establishments with a SIRET, a NAF code and a headcount band;
- the census' jobs at place of work (RP, all statuses): the salaried posts of the census year plus
  the non-salaried jobs of each activity (``PART_NON_SALARIES``), so that RP industrial jobs are
  above Flores' industrial posts.

Not here: the layouts of the files (``emploi``, ``entreprises``, ``recensement`` write them), and
the residents' side of the census (population, activity, unemployment: ``recensement``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import rng_for
from .geographie import MERGED_A, MERGED_B, MERGER_YEAR, Geographie
from .referentiels import A38_INDUSTRIE, A38_OF_DIVISION, NAF_CODES, NAF_URSSAF_EXCLUDED_DIVISIONS

YEARS = np.arange(2006, 2026)  # every year a source needs a level for (Urssaf's rolling file included)
REF_YEAR = 2024  # the year the establishments' posts are drawn for; other years follow their cell's series
SAL_SHARE = 0.88  # salaried posts per job at place of work (the targets ``e`` of the geography)
URSSAF_FACTOR = (0.92, 0.98)  # Urssaf's annual average headcount per Flores post at 31/12
# Non-salaried share of the jobs of each census sector (farmers, craftsmen, liberal professions).
PART_NON_SALARIES = {"agri": 0.6, "indus": 0.08, "const": 0.25, "apesas": 0.05, "cts": 0.12}
URSSAF_CODES = tuple(c for c in NAF_CODES if c[:2] not in NAF_URSSAF_EXCLUDED_DIVISIONS and c[:2] > "03")
_URSSAF_IND = np.array([A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE for c in URSSAF_CODES])
# Establishments outside Urssaf's field: public services (A38, NAF divisions, weight) and agriculture.
_PUBLIC = (("OZ", ("84",), 0.45), ("PZ", ("85",), 0.25), ("QA", ("86",), 0.2), ("QB", ("87", "88"), 0.1))
_AGRI_NAF = tuple(c for c in NAF_CODES if c[:2] <= "03")


def _sector(a38: np.ndarray) -> np.ndarray:
    """Census sector of an A38 activity: agri, indus, const, apesas (public administration,
    education, health, social work) or cts (trade, transport, services)."""
    a = np.asarray(a38, dtype=object)
    out = np.full(len(a), "cts", dtype=object)
    out[np.isin(a, A38_INDUSTRIE)] = "indus"
    out[a == "AZ"] = "agri"
    out[a == "FZ"] = "const"
    out[np.isin(a, ["OZ", "PZ", "QA", "QB"])] = "apesas"
    return out


@dataclass
class Economie:
    """``units``: geo.units(2025). ``cells``: Urssaf commune x APE cells (u, c = index in
    ``URSSAF_CODES``), with ``eff`` / ``etab`` (cells x YEARS, NaN = empty) and ``ratio`` (cells x
    YEARS, the cell's activity relative to REF_YEAR, 0 before it starts). ``est``: establishments
    (u, code_2023, cell or -1, a38, naf, public, posts = float posts of REF_YEAR, p21 ... p24 = Flores
    posts at 31/12, -1 when absent that year)."""

    units: pd.DataFrame
    cells: pd.DataFrame
    eff: np.ndarray
    etab: np.ndarray
    ratio: np.ndarray
    est: pd.DataFrame

    def posts(self, year: int) -> np.ndarray:
        """Salaried posts (float) of every establishment in ``year``."""
        j = int(np.searchsorted(YEARS, year))
        cell = self.est["cell"].to_numpy()
        private = cell >= 0
        r = np.where(private, self.ratio[np.maximum(cell, 0), j], 1.0 + 0.004 * (year - REF_YEAR))
        return self.est["posts"].to_numpy(float) * r

    def jobs(self, cog_year: int, year: int) -> pd.DataFrame:
        """Salaried posts by census sector of the units of COG ``cog_year`` in ``year`` (index: unit code)."""
        code = self.est["code_2023"].to_numpy(object)
        if cog_year >= MERGER_YEAR:
            code = np.where(code == MERGED_B, MERGED_A, code)
        df = pd.DataFrame({"code": code, "sector": _sector(self.est["a38"].to_numpy()), "posts": self.posts(year)})
        out = df.pivot_table(index="code", columns="sector", values="posts", aggfunc="sum", fill_value=0.0)
        for s in PART_NON_SALARIES:
            if s not in out:
                out[s] = 0.0
        return out[list(PART_NON_SALARIES)]


def economie(geo: Geographie, seed: int) -> Economie:
    """The economy of ``geo`` (built once per Geographie and seed)."""
    key = ("economie", seed)
    if key not in geo._cache:
        geo._cache[key] = _build(geo, seed)
    return geo._cache[key]


def _allocate(weights: np.ndarray, total: int, cap: int) -> np.ndarray:
    """Integers summing to ``total`` (as far as the cap allows), proportional to ``weights``, >= 1."""
    n = np.ones(len(weights), dtype=np.int64)
    remaining = total - n.sum()
    for _ in range(30):
        if remaining <= 0:
            break
        free = n < cap
        if not free.any():
            break
        w = np.where(free, weights, 0.0)
        share = w / w.sum() * remaining
        add = np.floor(share).astype(np.int64)
        left = int(remaining - add.sum())
        if left > 0:
            order = np.argsort(-(share - add), kind="stable")[:left]
            add[order] += 1
        n = np.minimum(n + add, cap)
        remaining = total - n.sum()
    return n


def _group_shares(group: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """raw / sum of raw within each group."""
    tot = np.bincount(group, weights=raw)
    return raw / np.where(tot[group] > 0, tot[group], 1.0)


def _build(geo: Geographie, seed: int) -> Economie:
    rng = rng_for(seed, "economie")
    units = geo.units(2025)
    n = len(units)
    p = units["p"].to_numpy(float)
    sal = units["e"].to_numpy(float) * SAL_SHARE
    ind = np.minimum(units["i"].to_numpy(float) * (1 - PART_NON_SALARIES["indus"]), 0.9 * sal)
    pub = sal * rng.uniform(0.15, 0.30, n)
    agri = sal * rng.uniform(0.0, 0.05, n) * np.where(p < 5000, 1.0, 0.2)
    oth = np.maximum(sal - ind - pub - agri, 0.0)

    # Urssaf cells: the scale's row count over the units, industrial cells in proportion to industry.
    k_codes = len(URSSAF_CODES)
    n_ind_codes = int(_URSSAF_IND.sum())
    per_unit = _allocate(np.power(ind + oth + 1, 0.8), max(geo.scale.urssaf, n), k_codes)
    share = ind / np.maximum(ind + oth, 1e-9)
    k_ind = np.round(per_unit * share).astype(np.int64)
    k_ind = np.where((ind > 0) & (per_unit >= 2), np.maximum(k_ind, 1), k_ind)
    k_ind = np.where((oth > 0) & (per_unit >= 2), np.minimum(k_ind, per_unit - 1), k_ind)
    single = per_unit == 1
    k_ind = np.where(single, (rng.random(n) < share).astype(np.int64), k_ind)
    k_ind = np.minimum(k_ind, n_ind_codes)
    k_oth = np.minimum(per_unit - k_ind, k_codes - n_ind_codes)
    k_ind = np.minimum(per_unit - k_oth, n_ind_codes)  # a unit with every other code takes more industrial ones
    u_idx, c_idx = [], []
    block = 4000
    for s in range(0, n, block):
        sl = slice(s, min(s + block, n))
        keys = rng.exponential(size=(sl.stop - s, k_codes)) / np.where(_URSSAF_IND, 1.0, 1.5)[None, :]
        # Rank among industrial codes and among the others separately: the k smallest keys win.
        ranks = np.empty_like(keys, dtype=np.int64)
        for mask in (_URSSAF_IND, ~_URSSAF_IND):
            sub = keys[:, mask]
            ranks[:, mask] = np.argsort(np.argsort(sub, axis=1, kind="stable"), axis=1, kind="stable")
        chosen = np.where(_URSSAF_IND[None, :], ranks < k_ind[sl, None], ranks < k_oth[sl, None])
        uu, cc = np.nonzero(chosen)
        u_idx.append(uu + s)
        c_idx.append(cc)
    u = np.concatenate(u_idx)
    c = np.concatenate(c_idx)
    m = len(u)
    is_ind = _URSSAF_IND[c]
    # A unit whose industry found no cell keeps those posts in its other activities, and vice versa.
    has_ind = np.bincount(u[is_ind], minlength=n) > 0
    has_oth = np.bincount(u[~is_ind], minlength=n) > 0
    ind_eff = np.where(has_ind, ind, 0.0)
    oth_eff = np.where(has_oth, oth + np.where(has_ind, 0.0, ind), 0.0)
    ind_eff = np.where(has_oth, ind_eff, ind_eff + np.where(has_ind, oth, 0.0))
    group = 2 * u + is_ind
    cell_posts = _group_shares(group, rng.lognormal(0, 1.2, m)) * np.where(is_ind, ind_eff[u], oth_eff[u])

    # Each cell's series, relative to REF_YEAR; 20 % of the cells start after 2006.
    j_ref = int(np.searchsorted(YEARS, REF_YEAR))
    growth = np.where(is_ind, rng.normal(-0.01, 0.02, m), rng.normal(0.0, 0.03, m))
    start = np.where(rng.random(m) < 0.2, rng.integers(2007, REF_YEAR, m), 2006)
    noise = rng.uniform(0.97, 1.03, (m, len(YEARS)))
    noise[:, j_ref] = 1.0
    ratio = np.exp(-growth[:, None] * (REF_YEAR - YEARS[None, :])) * noise
    ratio = np.where(YEARS[None, :] < start[:, None], 0.0, ratio)

    # Establishments: fewer than real ones but more where there are more posts (so that the sample
    # stays small and the big towns' establishments are big), calibrated on the scale's count.
    n_pub_target = np.power(pub, 0.7)
    n_agri_target = np.power(agri, 0.7)
    base = np.power(cell_posts, 0.7).sum() + n_pub_target.sum() + n_agri_target.sum()
    kappa = geo.scale.flores_etab / max(base, 1.0)
    n_cell = np.maximum(1, np.round(kappa * np.power(cell_posts, 0.7))).astype(np.int64)
    n_pub = np.maximum(1, np.round(kappa * n_pub_target)).astype(np.int64) * (pub > 0)
    n_agri = np.round(kappa * n_agri_target).astype(np.int64)

    e_cell = np.repeat(np.arange(m), n_cell)
    e_posts = _group_shares(e_cell, rng.lognormal(0, 0.8, len(e_cell))) * cell_posts[e_cell]
    # Some employers have nobody on the payroll at 31/12 (Flores size band E0).
    idle = np.flatnonzero(rng.random(m) < 0.05)
    e_cell, e_posts = np.concatenate([e_cell, idle]), np.concatenate([e_posts, np.zeros(len(idle))])
    n_cell = n_cell + np.bincount(idle, minlength=m)
    codes = np.array(URSSAF_CODES)
    priv = pd.DataFrame({"u": u[e_cell], "cell": e_cell, "naf": codes[c[e_cell]], "public": False, "posts": e_posts})
    pub_u = np.repeat(np.arange(n), n_pub)
    k = rng.choice(len(_PUBLIC), size=len(pub_u), p=[w for *_x, w in _PUBLIC])
    pub_naf = [[x for x in NAF_CODES if x[:2] in divs] for _a, divs, _w in _PUBLIC]
    pub_rows = pd.DataFrame({
        "u": pub_u, "cell": -1, "naf": [pub_naf[j][int(rng.integers(len(pub_naf[j])))] for j in k], "public": True,
        "posts": _group_shares(pub_u, rng.lognormal(0, 0.8, len(pub_u))) * pub[pub_u],
    })
    agri_u = np.repeat(np.arange(n), n_agri)
    agri_rows = pd.DataFrame({
        "u": agri_u, "cell": -1, "naf": np.array(_AGRI_NAF)[rng.integers(0, len(_AGRI_NAF), len(agri_u))],
        "public": False, "posts": _group_shares(agri_u, rng.lognormal(0, 0.8, len(agri_u))) * agri[agri_u],
    })
    est = pd.concat([priv, pub_rows, agri_rows], ignore_index=True)
    est = est.sort_values(["u", "cell", "naf"], kind="stable").reset_index(drop=True)
    est["a38"] = est["naf"].str[:2].map(A38_OF_DIVISION)
    # The merged commune's establishments are in one of its two former communes (by population).
    code = units["code"].to_numpy(object)[est["u"].to_numpy()]
    if MERGED_B in set(geo.communes["code"]):
        pa = geo.communes.set_index("code").loc[[MERGED_A, MERGED_B], "p"].to_numpy(float)
        in_b = (code == MERGED_A) & (rng.random(len(est)) < pa[1] / pa.sum())
        code = np.where(in_b, MERGED_B, code)
    est["code_2023"] = code

    # Flores posts at 31/12 (a few establishments opened in 2024: absent in 2023).
    posts = est["posts"].to_numpy(float)
    cell_of = est["cell"].to_numpy()
    j23 = int(np.searchsorted(YEARS, 2023))
    r23 = np.where(cell_of >= 0, ratio[np.maximum(cell_of, 0), j23], 0.996)
    p24 = np.round(posts).astype(np.int64)
    p23 = np.round(posts * r23 * rng.uniform(0.97, 1.03, len(est))).astype(np.int64)
    p23 = np.where((r23 == 0) | (rng.random(len(est)) < 0.03), -1, p23)
    est["p23"], est["p24"] = p23, p24
    # The older Flores vintages' years (2022, 2021), from their own random stream so that everything
    # drawn above and below stays as it was. An establishment absent one year is absent the years
    # before (it opened later), and a few more are absent (closed since, or not yet employing).
    h_rng = rng_for(seed, "flores-history")
    later = p23
    for year in (2022, 2021):
        j = int(np.searchsorted(YEARS, year))
        r = np.where(cell_of >= 0, ratio[np.maximum(cell_of, 0), j], 1.0 + 0.004 * (year - REF_YEAR))
        p = np.round(posts * r * h_rng.uniform(0.97, 1.03, len(est))).astype(np.int64)
        p = np.where((later < 0) | (r == 0) | (h_rng.random(len(est)) < 0.03), -1, p)
        est[f"p{year % 100}"] = later = p

    # Urssaf: the cells' private headcount, a bit below their Flores posts; establishments per year.
    cells = pd.DataFrame({"u": u, "c": c})
    eff = cell_posts[:, None] * rng.uniform(*URSSAF_FACTOR, m)[:, None] * ratio
    etab = np.where(ratio > 0, np.maximum(1, np.round(n_cell[:, None] * np.sqrt(ratio))), np.nan)
    eff = np.where(ratio > 0, np.round(eff), np.nan)
    secret = (etab <= 2) & (rng.random(etab.shape) < 0.06)
    eff = np.where(secret, np.nan, eff)
    return Economie(units=units, cells=cells, eff=eff, etab=etab, ratio=ratio, est=est)
