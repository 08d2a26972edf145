"""The geography of the sample: real communes, arrondissements and EPCI, invented territories and anchors.

What belongs here: the world every file generator reads (``Geographie``, pandas tables; nothing
here writes files). Its core is REAL: the communes and EPCI of ``reel/communes.csv`` and
``reel/epci.csv``, an extract of @etalab/decoupage-administratif 5.3.0 (COG 2025) and 3.1.1 (COG
2023) written by ``geographie_reelle``. On top of it, INVENTED: the perimeters of the 10 territories
(``CORE_TI``: ids and names of real Territoires d'industrie, made of whole real EPCI and
single-commune groupements, since the real composition is in no registry), and the anchors of the
statistics (population near the legal population, jobs and industrial jobs targets) that
``economie`` turns into establishments and residents. Scales above ``sample`` add procedural
communes, EPCI and territories (synthetic names, codes the real core does not use) around the core.

The core's quirks, all real cases (data/sample/README.md, which ``readme`` renders from these tables):
- commune merger on 1/1/2024: ``MERGED_B`` 69152 Pierre-Bénite becomes a commune déléguée of
  ``MERGED_A`` 69149 Oullins, renamed Oullins-Pierre-Bénite, with a new SIREN;
- ``SHARED`` belongs to two territories (through its EPCI in one, as a ``COM`` groupement in the other);
- Lyon (69123) and Marseille (13055) are in territories and exist as arrondissements in the
  statistical sources; Paris (75056) is outside every territory;
- Corsica (2A/2B), a DOM (971), an island commune without EPCI (29083 Île-de-Sein), an EPCI across
  two regions (CC Jabron-Lure-Vançon-Durance, 04 and 26), codes shared by a commune and a commune
  déléguée, communes.json entries without SIREN or population.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import rng_for, siren_from_payload
from .referentiels import DEPARTEMENTS, NAME_COMPLEMENTS, NAME_ROOTS
from .scales import Scale

REEL_DIR = Path(__file__).resolve().parent / "reel"

MERGED_A = "69149"  # Oullins, absorbs MERGED_B on 1/1/2024 (same code, renamed Oullins-Pierre-Bénite)
MERGED_B = "69152"  # Pierre-Bénite
MERGER_YEAR = 2024
SHARED = "01125"  # Corveissiat: in ti-8402 (its EPCI, CA3B) and ti-8413 (COM groupement)
PLM = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
ISLAND = "29083"
NO_EPCI = "ZZZZZZZZZ"
# Insee's EPCI file writes ME for every métropole; the TI file and the découpage say MET69 / METRO.
INSEE_NATURE = {"MET69": "ME", "METRO": "ME"}

# (id_ti, lib_ti, EPCI SIREN, communes joined as COM groupements): real ids and names of
# Territoires d'industrie, invented perimeters made of real EPCI and communes.
CORE_TI: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ti-0101", "Guadeloupe – Jarry", ("200018653",), ()),
    ("ti-3203", "Sambre-Avesnois", ("200043396", "200043404"), ()),
    ("ti-3215", "Calaisis", ("200090751",), ()),
    ("ti-4404", "Vosges – Épinal", ("200068377", "200033868"), ()),
    ("ti-8402", "Bassin de Bourg-en-Bresse", ("200071751",), ()),
    ("ti-8413", "Plastics Vallée – Oyonnax", ("200042935",), (SHARED,)),
    ("ti-8420", "Vallée de la chimie – Lyon Sud", ("200046977",), ()),
    ("ti-9305", "Étang de Berre – Marseille Fos", (), ("13055", "13014", "13039", "13047", "13056", "13077")),
    ("ti-9310", "Val de Durance", ("200034700", "200071033"), ()),
    ("ti-9401", "Corse industrielle Ajaccio – Bastia", ("242010056", "242000354"), ()),
)
# Mean industrial share of the jobs of each territory's communes (invented, plausible: the
# Plastics Vallée is among the most industrial areas of France, Lyon's Métropole much less).
TI_INDUSTRIE = {
    "ti-0101": 0.11, "ti-3203": 0.22, "ti-3215": 0.16, "ti-4404": 0.24, "ti-8402": 0.20,
    "ti-8413": 0.36, "ti-8420": 0.12, "ti-9305": 0.15, "ti-9310": 0.16, "ti-9401": 0.10,
}
HORS_TI_INDUSTRIE = 0.09
# Territories whose census units carry whole numbers, for the hand-checkable tables of the README.
HAND_TI = ("ti-0101",)


def arm_label(ville: str, n: int) -> str:
    return f"{ville} {n}{'er' if n == 1 else 'e'} Arrondissement"


@dataclass
class Geographie:
    """Tables of the world (COG 2023 codes unless said otherwise).

    - ``communes``: one row per commune of COG 2023 (MERGED_B included): code, code_2025 (its commune
      in COG 2025), nom (COG 2023), nom_2024, nom_2025, dep, reg, epci (2025; ``ZZZZZZZZZ`` when none), siren,
      cps (postcodes), pop_legale / pop_legale_2025 (legal populations of the découpage, when real),
      p / p22 (census population anchors of RP 2021 / RP 2022), e / i (jobs and industrial jobs
      targets), hand, real, ti (tuple of territory ids), in_ti;
    - ``arrondissements``: Paris/Lyon/Marseille arrondissements, same value columns, ``parent``;
    - ``epci``: siren, nom, nature (Insee's NATURE_EPCI), ti_nature (the TI file's nature_juridique), dep, reg;
    - ``territoires``: id_ti, lib_ti, reg, groupements (list of (siren, lib, nature_juridique));
    - ``deleguees``: communes déléguées and associées of COG 2025 (code, type, nom, parent, dep, reg);
    - ``decoupage_seul``: communes.json entries in no COG file (code, nom, dep, reg, siren, cps, population).
    """

    communes: pd.DataFrame
    arrondissements: pd.DataFrame
    epci: pd.DataFrame
    territoires: pd.DataFrame
    scale: Scale
    deleguees: pd.DataFrame = field(default_factory=pd.DataFrame)
    decoupage_seul: pd.DataFrame = field(default_factory=pd.DataFrame)
    core_codes: frozenset = field(default_factory=frozenset)
    _cache: dict = field(default_factory=dict, repr=False)

    def units(self, cog_year: int) -> pd.DataFrame:
        """Statistical units of a source in COG ``cog_year``: communes, with Paris/Lyon/Marseille
        replaced by their arrondissements. From MERGER_YEAR, MERGED_B is folded into MERGED_A."""
        com = self.communes[~self.communes["code"].isin(PLM)].copy()
        com["parent"] = com["code"]
        if cog_year >= MERGER_YEAR:
            com = _fold_merger(com)
        if cog_year >= 2024:
            com["nom"] = com["nom_2025" if cog_year >= 2025 else "nom_2024"]
        arm = self.arrondissements.copy()
        cols = ["code", "parent", "nom", "dep", "reg", "cps", "p", "p22", "e", "i", "hand", "ti", "in_ti"]
        units = pd.concat([com[cols], arm[cols]], ignore_index=True)
        return units.sort_values("code", kind="stable").reset_index(drop=True)

    def communes_2025(self) -> pd.DataFrame:
        """Communes of COG 2025 (MERGED_B folded into MERGED_A, 2025 names), PLM as whole communes."""
        com = _fold_merger(self.communes.copy())
        com["nom"] = com["nom_2025"]
        # Whole PLM communes carry the sums of their arrondissements.
        arm = self.arrondissements.groupby("parent")[["p", "p22", "e", "i"]].sum()
        for code in arm.index:
            mask = com["code"] == code
            for col in ("p", "p22", "e", "i"):
                com.loc[mask, col] = arm.loc[code, col]
        return com.sort_values("code", kind="stable").reset_index(drop=True)


def _fold_merger(com: pd.DataFrame) -> pd.DataFrame:
    if MERGED_B not in set(com["code"]):
        return com
    b = com.loc[com["code"] == MERGED_B].iloc[0]
    a_mask = com["code"] == MERGED_A
    for col in ("p", "p22", "e", "i"):
        com.loc[a_mask, col] = com.loc[a_mask, col] + b[col]
    return com[com["code"] != MERGED_B].copy()


# ----------------------------------------------------------------------------------------------
# The real core (reel/communes.csv, reel/epci.csv)
# ----------------------------------------------------------------------------------------------
def read_reel(folder: Path = REEL_DIR) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The committed extract of the découpage: every value a string, '' when absent."""
    def load(name):
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            return pd.DataFrame(list(csv.DictReader(fh)), dtype=str)
    return load("communes.csv"), load("epci.csv")


def _num(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s.replace("", np.nan)).to_numpy(float)


def _core(reel: pd.DataFrame, reel_epci: pd.DataFrame):
    """Communes (COG 2023), arrondissements, EPCI, déléguées and découpage-only entries of the extract."""
    com = reel[(reel["cog_2023"] == "1") & reel["type"].isin(["commune-actuelle", "commune-2023"])].copy()
    absorbed = com["type"] == "commune-2023"
    # An absorbed commune goes to the commune whose commune déléguée has its code.
    deleg = reel[reel["type"].isin(["commune-deleguee", "commune-associee"])]
    parent_of = dict(zip(deleg["code"], deleg["parent"]))
    assert set(com.loc[absorbed, "code"]) == {MERGED_B} and parent_of[MERGED_B] == MERGED_A, \
        "the extract's merger is not the one the sample documents"
    com["code_2025"] = np.where(absorbed, com["code"].map(parent_of), com["code"])
    nom25 = dict(zip(com.loc[~absorbed, "code"], com.loc[~absorbed, "nom"]))
    epci25 = dict(zip(com.loc[~absorbed, "code"], com.loc[~absorbed, "epci"]))
    communes = pd.DataFrame({
        "code": com["code"], "code_2025": com["code_2025"], "nom": com["nom_2023"],
        "nom_2024": np.where(absorbed, com["nom_2023"], com["nom_2024"]),
        "nom_2025": com["code_2025"].map(nom25), "dep": com["departement"], "reg": com["region"],
        "epci": com["code_2025"].map(epci25).replace("", NO_EPCI), "epci_2023": com["epci_2023"],
        "siren": com["siren"], "cps": com["codes_postaux"].str.split(" "),
        "pop_legale": _num(com["population_2023"]),
        "pop_legale_2025": com["code_2025"].map(dict(zip(com["code"], _num(com["population"])))).to_numpy(float),
    })
    arm = reel[reel["type"] == "arrondissement-municipal"]
    arrondissements = pd.DataFrame({
        "code": arm["code"], "parent": arm["parent"], "nom": arm["nom"], "dep": arm["departement"],
        "reg": arm["region"], "cps": arm["codes_postaux"].str.split(" "), "pop_legale": _num(arm["population_2023"]),
        "pop_legale_2025": _num(arm["population"]), "siren": None,
    })
    deps = communes.groupby("epci")["dep"].agg(lambda d: d.value_counts().index[0])
    epci = pd.DataFrame({
        "siren": reel_epci["siren"], "key": reel_epci["siren"], "nom": reel_epci["nom"],
        "nature": reel_epci["type"].map(lambda t: INSEE_NATURE.get(t, t)), "ti_nature": reel_epci["type"],
        "dep": reel_epci["siren"].map(deps), "nb_communes_reel": reel_epci["nb_communes"].astype(int),
        "core": True,
    })
    deleguees = pd.DataFrame({"code": deleg["code"], "type": deleg["type"], "nom": deleg["nom"],
                              "parent": deleg["parent"], "dep": deleg["departement"], "reg": deleg["region"]})
    seul = reel[(reel["type"] == "commune-actuelle") & (reel["cog_2025"] == "0")]
    decoupage_seul = pd.DataFrame({
        "code": seul["code"], "nom": seul["nom"], "dep": seul["departement"], "reg": seul["region"],
        "siren": seul["siren"], "cps": seul["codes_postaux"].map(lambda s: s.split(" ") if s else []),
        "population": _num(seul["population"]),
    })
    return (communes.reset_index(drop=True), arrondissements.reset_index(drop=True), epci,
            deleguees.reset_index(drop=True), decoupage_seul.reset_index(drop=True))


# ----------------------------------------------------------------------------------------------
# Procedural filler (scales above ``sample``)
# ----------------------------------------------------------------------------------------------
class _CodeAllocator:
    """Commune codes per département: sequential numbers that skip codes already taken."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)
        self.next: dict[str, int] = {}

    def take(self, dep: str, n: int) -> list[str]:
        width = 2 if len(dep) == 3 else 3
        limit = 10**width - 1
        k = self.next.get(dep, 1)
        out = []
        while len(out) < n:
            if k > limit:
                raise ValueError(f"département {dep} has no commune codes left")
            code = f"{dep}{k:0{width}d}"
            k += 1
            if code not in self.taken:
                self.taken.add(code)
                out.append(code)
        self.next[dep] = k
        return out


class _Namer:
    """Synthetic commune names, unique within a département (root + complement)."""

    def __init__(self, seed: int):
        self.rng = rng_for(seed, "noms")
        self.pool: dict[str, list[str]] = {}

    def take(self, dep: str, n: int) -> list[str]:
        pool = self.pool.get(dep)
        if pool is None:
            combos = [r + c for r in NAME_ROOTS for c in NAME_COMPLEMENTS]
            order = self.rng.permutation(len(combos))
            pool = [combos[j] for j in order]
            self.pool[dep] = pool
        out = []
        while len(out) < n:
            if not pool:
                # More communes than combinations: number the rest, still unique.
                pool.extend(f"{r}-{k}" for k in range(2, 50) for r in NAME_ROOTS)
            out.append(pool.pop())
        return out


def _postcode(dep: str, k: int) -> str:
    """Postcodes are shared by ~4 communes of a département, as in real life."""
    if len(dep) == 3:
        return f"{dep}{(10 * (k // 4)) % 100:02d}"
    prefix = "20" if dep in ("2A", "2B") else dep
    base = 200 if dep == "2B" else 0  # Haute-Corse postcodes are 202xx, Corse-du-Sud 201xx here
    return f"{prefix}{(base + 100 + 10 * (k // 4)) % 1000:03d}"


def _filler(scale: Scale, seed: int, alloc: _CodeAllocator, namer: _Namer, n_core: int, n_core_epci: int,
            n_core_ti: int, n_core_grp: int):
    """Procedural communes, EPCI and territories around the core, up to the scale's counts."""
    n_com = scale.communes - n_core
    if n_com <= 0:
        return None
    rng = rng_for(seed, "filler")
    n_epci = max(scale.epci - n_core_epci, int(np.ceil(n_com / 28)))
    n_epci = min(n_epci, n_com // 2)
    # EPCI sizes: at least 2 communes, skewed like the real ones (a few big, many small).
    weights = rng.lognormal(0, 0.7, n_epci)
    sizes = 2 + rng.multinomial(n_com - 2 * n_epci, weights / weights.sum())
    deps = [d for d in DEPARTEMENTS if d != "75"]
    dep_w = np.array([0.1 if len(d) == 3 else (0.5 if d in ("2A", "2B") else 1.0) for d in deps])
    epci_dep = rng.choice(len(deps), size=n_epci, p=dep_w / dep_w.sum())
    natures = rng.choice(["CC", "CA", "CU", "ME"], size=n_epci, p=[0.79, 0.18, 0.015, 0.015])
    # Départements with 3-character codes (DOM) only have 99 commune codes: cap their EPCI at 8
    # communes and give the excess to the biggest metropolitan EPCI, so the total stays exact.
    dom = np.array([len(deps[d]) == 3 for d in epci_dep])
    if dom.any() and (~dom).any():
        excess = int(np.maximum(sizes[dom] - 8, 0).sum())
        sizes[dom] = np.minimum(sizes[dom], 8)
        sizes[np.flatnonzero(~dom)[np.argmax(sizes[~dom])]] += excess
    com_rows = []
    epci_rows = []
    for k in range(n_epci):
        dep = deps[epci_dep[k]]
        size = int(sizes[k])
        siren = str(int(siren_from_payload(20_100_000 + 13 * k)))
        codes = alloc.take(dep, size)
        names = namer.take(dep, size)
        nat = str(natures[k])
        prefix = {"CC": "CC", "CA": "CA", "CU": "CU", "ME": "Métropole"}[nat]
        epci_rows.append(dict(siren=siren, key=f"F{k:04d}", nom=f"{prefix} de {names[0]}",
                              nature=nat, ti_nature="METRO" if nat == "ME" else nat, dep=dep,
                              nb_communes_reel=size, core=False))
        for c, nom in zip(codes, names):
            com_rows.append(dict(code=c, code_2025=c, nom=nom, nom_2024=nom, nom_2025=nom, dep=dep, epci=siren, epci_2023=siren,
                                 pop_legale=np.nan, pop_legale_2025=np.nan, real=False))
    f_com = pd.DataFrame(com_rows)
    f_epci = pd.DataFrame(epci_rows)

    # Territories: groups of 1-6 EPCI of one region, about half of the EPCI.
    n_ti = max(scale.territoires - n_core_ti, 0)
    membership: dict[str, list[str]] = {}
    ti_rows = []
    if n_ti:
        n_grp = max(scale.groupements - n_core_grp, n_ti)
        n_grp = min(n_grp, n_epci)
        per_ti = 1 + rng.multinomial(n_grp - n_ti, np.full(n_ti, 1 / n_ti))
        per_ti = np.minimum(per_ti, 6)
        chosen = rng.choice(n_epci, size=int(per_ti.sum()), replace=False)
        reg = f_epci["dep"].map(lambda d: DEPARTEMENTS[d][0]).to_numpy()
        chosen = chosen[np.lexsort((chosen, reg[chosen]))]
        used_ids = {tid for tid, *_ in CORE_TI}
        counters: dict[str, int] = {}
        start = 0
        prefixes = ("Vallée de", "Pays de", "Bassin de", "Plaine de", "Cœur de", "Portes de")
        for t in range(n_ti):
            idxs = chosen[start:start + per_ti[t]]
            start += per_ti[t]
            r = reg[idxs[0]]
            nn = counters.get(r, 0)
            while True:
                nn += 1
                tid = f"ti-{r}{nn:02d}"
                if tid not in used_ids:
                    break
            counters[r] = nn
            used_ids.add(tid)
            first = f_epci.iloc[idxs[0]]["nom"].split(" de ", 1)[-1]  # the EPCI's first commune
            grp = [(f_epci.iloc[j]["siren"], f_epci.iloc[j]["nom"], f_epci.iloc[j]["ti_nature"]) for j in idxs]
            ti_rows.append(dict(id_ti=tid, lib_ti=f"{prefixes[t % len(prefixes)]} {first}", reg=r,
                                groupements=grp, core=False))
            keys = set(f_epci.iloc[idxs]["siren"])
            for c in f_com.loc[f_com["epci"].isin(keys), "code"]:
                membership.setdefault(c, []).append(tid)
    return f_com, f_epci, ti_rows, membership


# ----------------------------------------------------------------------------------------------
# Anchors of the statistics (invented)
# ----------------------------------------------------------------------------------------------
def _jobs_ratio(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Jobs at place of work per inhabitant: a village has few, a town centre more than its residents'."""
    base = 0.12 + 0.19 * np.log10(np.maximum(p, 30.0) / 300.0)
    return np.clip(base, 0.08, 0.95) * rng.lognormal(0.0, 0.25, len(p))


def _anchor(frame: pd.DataFrame, rng: np.random.Generator, industry_mean: np.ndarray) -> None:
    """p / p22 (census populations), e (jobs), i (industrial jobs) of real units, in place."""
    n = len(frame)
    p = frame["pop_legale"].to_numpy(float) * rng.uniform(0.985, 1.02, n)
    growth = frame["growth"].to_numpy(float) if "growth" in frame else np.ones(n)
    p22 = p * growth * rng.uniform(0.996, 1.004, n)
    e = p * _jobs_ratio(p, rng)
    conc = 10.0
    share = rng.beta(industry_mean * conc, (1 - industry_mean) * conc)
    # Big towns are less industrial than the villages around them.
    share = share * np.where(p > 60_000, 0.6, 1.0)
    frame["p"], frame["p22"], frame["e"], frame["i"] = p, p22, e, e * share


def _random_values(rng: np.random.Generator, n: int, in_ti: np.ndarray, median_pop: float) -> dict[str, np.ndarray]:
    """Filler communes: random population, jobs and industrial jobs; territories more industrial."""
    p = np.round(rng.lognormal(np.log(median_pop), 1.1, n), 5)
    p = np.maximum(p, 30.0)
    e = p * _jobs_ratio(p, rng)
    share = np.where(in_ti, rng.beta(3, 9, n), rng.beta(2, 16, n))
    return {"p": p, "p22": p * rng.uniform(0.98, 1.03, n), "e": e, "i": e * share}


def build(scale: Scale, seed: int) -> Geographie:
    """The world at ``scale``: the real core, plus generated filler above ``sample``."""
    rng = rng_for(seed, "geographie")
    namer = _Namer(seed)
    reel, reel_epci = read_reel()
    communes, arrondissements, epci, deleguees, decoupage_seul = _core(reel, reel_epci)
    communes["real"] = True

    # Territory membership of the core (COG 2023: EPCI of 2023).
    ti_rows = []
    membership: dict[str, list[str]] = {}
    siren_of = dict(zip(communes["code"], communes["siren"]))
    nom_of = dict(zip(communes["code"], communes["nom"]))
    nom_epci = dict(zip(epci["siren"], epci["nom"]))
    nature_epci = dict(zip(epci["siren"], epci["ti_nature"]))
    for tid, lib, sirens, com_rows in CORE_TI:
        groupements = [(s, nom_epci[s], nature_epci[s]) for s in sirens]
        for s in sirens:
            for c in communes.loc[communes["epci_2023"] == s, "code"]:
                membership.setdefault(c, []).append(tid)
        for c in com_rows:
            groupements.append((siren_of[c], nom_of[c], "COM"))
            membership.setdefault(c, []).append(tid)
        first = communes.loc[communes["code"] == (com_rows[0] if not sirens else
                             communes.loc[communes["epci_2023"] == sirens[0], "code"].iloc[0])].iloc[0]
        ti_rows.append(dict(id_ti=tid, lib_ti=lib, reg=first["reg"], groupements=groupements, core=True))

    core_codes = frozenset(communes["code"])
    n_core_2025 = int((communes["code"] == communes["code_2025"]).sum())
    arm_codes = set(arrondissements["code"])
    alloc = _CodeAllocator(set(communes["code"]) | arm_codes | set(decoupage_seul["code"]) | set(deleguees["code"]))
    filler = _filler(scale, seed, alloc, namer, n_core_2025, len(epci), len(ti_rows),
                     sum(len(t["groupements"]) for t in ti_rows))
    if filler is not None:
        f_com, f_epci, f_ti, f_membership = filler
        communes = pd.concat([communes, f_com], ignore_index=True)
        epci = pd.concat([epci, f_epci], ignore_index=True)
        ti_rows.extend(f_ti)
        membership.update(f_membership)

    communes["ti"] = communes["code"].map(lambda c: tuple(sorted(membership.get(c, ()))))
    communes["in_ti"] = communes["ti"].map(bool)
    communes["hand"] = communes["ti"].map(lambda t: bool(set(t) & set(HAND_TI)))
    communes = communes.sort_values("code", kind="stable").reset_index(drop=True)
    real = communes["real"].to_numpy(bool)
    # Filler communes: SIREN 21xxxxxxK (unique, Luhn-valid), postcodes by rank in the département.
    if (~real).any():
        idx = np.flatnonzero(~real)
        communes.loc[~real, "siren"] = [str(int(s)) for s in siren_from_payload(21_900_000 + 3 * idx + 11)]
        rank = communes.groupby("dep").cumcount().to_numpy()
        communes.loc[~real, "cps"] = pd.Series([[_postcode(d, int(k))] for d, k in
                                                zip(communes.loc[~real, "dep"], rank[~real])], index=idx)
    communes["reg"] = communes["dep"].map(lambda d: DEPARTEMENTS[d][0])
    epci["reg"] = epci["dep"].map(lambda d: DEPARTEMENTS[d][0])

    # Anchors: real units from their legal population; RP 2022 follows the legal population's change
    # between the two découpage versions (of the 2025 commune, for the merged pair).
    def industry_mean(ti: tuple) -> float:
        return max((TI_INDUSTRIE.get(t, 0.2) for t in ti), default=HORS_TI_INDUSTRIE)

    core = communes[real & ~communes["code"].isin(PLM)].copy()
    legal23_by_2025 = core.groupby("code_2025")["pop_legale"].sum()
    core["growth"] = core["pop_legale_2025"] / core["code_2025"].map(legal23_by_2025)
    arr = arrondissements.copy()
    arr["growth"] = arr["pop_legale_2025"] / arr["pop_legale"]
    parent_ti = dict(zip(communes["code"], communes["ti"]))
    arr["ti"] = arr["parent"].map(parent_ti)
    arr["in_ti"] = arr["ti"].map(bool)
    arr["hand"] = arr["ti"].map(lambda t: bool(set(t) & set(HAND_TI)))
    both = pd.concat([core, arr], ignore_index=True)
    _anchor(both, rng, np.array([industry_mean(t) for t in both["ti"]]))
    values = both.set_index("code")[["p", "p22", "e", "i"]]
    for col in ("p", "p22", "e", "i"):
        communes[col] = communes["code"].map(values[col]).astype(float)
        arr[col] = arr["code"].map(values[col]).astype(float)
    todo = ~real
    if todo.any():
        vals = _random_values(rng, int(todo.sum()), communes.loc[todo, "in_ti"].to_numpy(), 900.0)
        for col, v in vals.items():
            communes.loc[todo, col] = v
    for code in PLM:  # values live on the arrondissements
        communes.loc[communes["code"] == code, ["p", "p22", "e", "i"]] = 0.0
    arrondissements = arr.drop(columns=["growth"])

    territoires = pd.DataFrame(ti_rows).sort_values("id_ti", kind="stable").reset_index(drop=True)
    return Geographie(communes=communes, arrondissements=arrondissements, epci=epci, territoires=territoires,
                      scale=scale, deleguees=deleguees, decoupage_seul=decoupage_seul, core_codes=core_codes)
