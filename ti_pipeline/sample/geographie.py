"""The synthetic geography: communes, arrondissements, EPCI and Territoires d'industrie.

What belongs here: the hand-written core of the sample (10 territories in 6 regions plus communes
outside every territory, carrying every geographic quirk the pipeline must handle) and the
procedural filler that grows it to national scale. The result, ``Geographie``, is a set of pandas
tables that every file generator reads; nothing here writes files.

The core's quirks (documented in data/sample/README.md, which ``readme`` renders from these tables):
- commune merger on 1/1/2025: ``MERGED_B`` becomes a commune déléguée of ``MERGED_A``;
- ``SHARED`` belongs to two territories (through its EPCI in one, as a ``COM`` groupement in the other);
- Lyon (69123) and Marseille (13055) are in territories and exist as arrondissements in the
  statistical sources; Paris (75056) is outside every territory;
- Corsica (2A/2B), a DOM (971), an island commune without EPCI (``ZZZZZZZZZ``).

Values: hand communes carry small round numbers (population ``p``, jobs ``e``, industrial jobs
``i``, a ratio profile) so that a person can check indicators by hand; other units get random
weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .codes import rng_for, siren_from_payload
from .referentiels import DEPARTEMENTS, NAME_COMPLEMENTS, NAME_ROOTS
from .scales import Scale

MERGED_A = "01101"  # absorbs MERGED_B on 1/1/2025 (commune nouvelle, same code)
MERGED_B = "01102"
SHARED = "01260"  # in ti-8402 (through its EPCI) and ti-8413 (COM groupement)
PLM = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
ISLAND = "29083"
MERGER_YEAR = 2025


@dataclass(frozen=True)
class Hand:
    """A hand commune or arrondissement: RP 2021 population ``p`` (multiple of 100), jobs at place of
    work ``e`` and industrial jobs ``i`` (multiples of 10), ratio profile a/b/c (see ``recensement``)."""

    code: str
    nom: str
    p: int
    e: int
    i: int
    profile: str = "a"


@dataclass(frozen=True)
class Gen:
    """``n`` generated communes in département ``dep``."""

    dep: str
    n: int


@dataclass(frozen=True)
class EpciSpec:
    key: str
    nature: str  # Insee NATURE_EPCI: ME, CA, CU, CC
    nom: str
    communes: tuple
    ti_nature: str | None = None  # nature_juridique in the TI file when it differs (MET69, METRO)


# The core. EPCI keys E01..E23 are in territories, E04/E06/E10/E13/E15/E19.. are outside.
CORE_EPCI: tuple[EpciSpec, ...] = (
    EpciSpec("E01", "CA", "CA du Bassin de Bourg-en-Bresse", (
        Hand("01053", "Bourg-en-Bresse", 4000, 3000, 600, "a"),
        Hand(MERGED_A, "Vernoux-en-Revermont", 1000, 400, 100, "b"),
        Hand(MERGED_B, "Chavagnat", 500, 200, 50, "c"),
        Hand("01150", "Saint-Martin-de-Bresse", 800, 300, 60, "a"),
    )),
    EpciSpec("E02", "CC", "CC Ain-Oignin", (
        Hand("01210", "Pont-de-Chaley", 600, 200, 40, "c"),
        Hand(SHARED, "Nurieux-sur-Oignin", 700, 300, 150, "b"),
    )),
    EpciSpec("E03", "CA", "Haut-Bugey Agglomération", (
        Hand("01283", "Oyonnax", 3000, 2500, 1200, "c"),
        Hand("01300", "Arbent-la-Forêt", 900, 500, 250, "b"),
        Hand("01310", "Bellignat-sur-Ange", 1100, 600, 300, "a"),
    )),
    EpciSpec("E04", "CC", "CC Dombes-Saône", (Gen("01", 6),)),
    EpciSpec("E05", "ME", "Métropole de Lyon", (
        Hand("69123", "Lyon", 0, 0, 0),  # values live on its arrondissements
        Hand("69201", "Feyzin-la-Raffinerie", 1000, 1500, 900, "b"),
        Hand("69202", "Pierre-Bénite-sur-Rhône", 1000, 800, 400, "c"),
    ), ti_nature="MET69"),
    EpciSpec("E06", "CC", "CC des Monts du Lyonnais", (Gen("69", 5),)),
    EpciSpec("E07", "ME", "Métropole d'Aix-Marseille-Provence", (
        Hand("13055", "Marseille", 0, 0, 0),
        Gen("13", 5),
    ), ti_nature="METRO"),
    EpciSpec("E30", "CC", "CC Vallée des Baux-Alpilles", (Gen("13", 4),)),
    EpciSpec("E08", "CC", "CC Durance-Bléone", (Gen("04", 6),)),
    EpciSpec("E09", "CA", "Provence Alpes Agglomération", (Gen("04", 5),)),
    EpciSpec("E10", "CA", "CA Var-Estérel", (Gen("83", 6),)),
    EpciSpec("E11", "CA", "CA du Pays Ajaccien", (Hand("2A004", "Ajaccio", 0, 0, 0, "r"), Gen("2A", 3))),
    EpciSpec("E12", "CC", "CC de Marana-Golo", (Gen("2B", 4),)),
    EpciSpec("E13", "CC", "CC du Cap Corse", (Gen("2B", 4),)),
    EpciSpec("E14", "CA", "CA Cap Excellence", (Gen("971", 4),)),
    EpciSpec("E15", "CA", "CA Nord Basse-Terre", (Gen("971", 4),)),
    EpciSpec("E16", "CA", "CA Maubeuge Val de Sambre", (Gen("59", 7),)),
    EpciSpec("E17", "CC", "CC du Cœur de l'Avesnois", (Gen("59", 6),)),
    EpciSpec("E19", "CC", "CC du Pays de Mormal", (Gen("59", 6),)),
    EpciSpec("E18", "CU", "CU du Littoral Calaisien", (Gen("62", 6),)),
    EpciSpec("E20", "CA", "CA de Lens-Liévin", (Gen("62", 7),)),
    EpciSpec("E21", "CA", "CA d'Épinal", (Gen("88", 6),)),
    EpciSpec("E22", "CC", "CC des Ballons des Hautes-Vosges", (Gen("88", 5),)),
    EpciSpec("E23", "CC", "CC de la Porte des Vosges Méridionales", (Gen("88", 4),)),
    EpciSpec("E24", "CC", "CC de la Vôge", (Gen("88", 5),)),
    EpciSpec("E25", "CC", "CC du Saulnois", (Gen("57", 6),)),
    EpciSpec("E26", "ME", "Métropole du Grand Paris", (
        Hand("75056", "Paris", 0, 0, 0, "r"), Gen("92", 2), Gen("93", 1), Gen("94", 1),
    )),
    EpciSpec("E27", "CC", "CC du Pays des Abers", (Gen("29", 6),)),
    EpciSpec("E28", "CC", "CC du Trièves", (Gen("38", 5),)),
    EpciSpec("E29", "CC", "CC du Val d'Ille-Aubigné", (Gen("35", 5),)),
)

# (id_ti, lib_ti, EPCI keys, communes joined as COM groupements)
CORE_TI: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ti-8402", "Bassin de Bourg-en-Bresse", ("E01", "E02"), ()),
    ("ti-8413", "Plastics Vallée – Oyonnax", ("E03",), (SHARED,)),
    ("ti-8420", "Vallée de la chimie – Lyon Sud", ("E05",), ()),
    ("ti-9305", "Étang de Berre – Marseille Fos", ("E07",), ()),
    ("ti-9310", "Val de Durance", ("E08", "E09"), ()),
    ("ti-9401", "Corse industrielle Ajaccio – Bastia", ("E11", "E12"), ()),
    ("ti-0101", "Guadeloupe – Jarry", ("E14",), ()),
    ("ti-3203", "Sambre-Avesnois", ("E16", "E17"), ()),
    ("ti-3215", "Calaisis", ("E18",), ()),
    ("ti-4404", "Vosges – Épinal", ("E21", "E22", "E23"), ()),
)

# Lyon's arrondissements are hand-valued (ti-8420 is one of the territories checked by hand);
# Paris and Marseille's are random.
LYON_ARM: tuple[tuple[int, int, int, str], ...] = (
    (3000, 4000, 200, "a"), (2000, 2000, 100, "b"), (4000, 5000, 300, "a"),
    (3000, 2000, 100, "c"), (2000, 1000, 100, "b"), (3000, 3000, 200, "a"),
    (4000, 4000, 500, "c"), (3000, 2000, 300, "b"), (2000, 2000, 400, "c"),
)
ARM_COUNT = {"75056": 20, "69123": 9, "13055": 16}
ARM_FIRST = {"75056": 75101, "69123": 69381, "13055": 13201}
ARM_CP = {"75056": 75001, "69123": 69001, "13055": 13001}


def arm_label(ville: str, n: int) -> str:
    return f"{ville} {n}{'er' if n == 1 else 'e'} Arrondissement"


@dataclass
class Geographie:
    """Tables of the synthetic world (COG 2023 codes unless said otherwise).

    - ``communes``: one row per commune of COG 2023 (MERGED_B included): code, code_2025, nom, dep,
      reg, epci, siren, cps (postcodes), p/e/i (RP 2021 population, jobs, industrial jobs), profile,
      hand, ti (tuple of territory ids);
    - ``arrondissements``: Paris/Lyon/Marseille arrondissements, same value columns, ``parent``;
    - ``epci``: siren, nom, nature, ti_nature, dep, reg;
    - ``territoires``: id_ti, lib_ti, reg, groupements (list of (siren, lib, nature_juridique)).
    """

    communes: pd.DataFrame
    arrondissements: pd.DataFrame
    epci: pd.DataFrame
    territoires: pd.DataFrame
    scale: Scale
    core_codes: frozenset = field(default_factory=frozenset)

    def units(self, cog_year: int) -> pd.DataFrame:
        """Statistical units of a source in COG ``cog_year``: communes, with Paris/Lyon/Marseille
        replaced by their arrondissements. From 2025, MERGED_B is folded into MERGED_A."""
        com = self.communes[~self.communes["code"].isin(PLM)].copy()
        com["parent"] = com["code"]
        if cog_year >= MERGER_YEAR:
            com = _fold_merger(com)
        arm = self.arrondissements.copy()
        cols = ["code", "parent", "nom", "dep", "reg", "cps", "p", "e", "i", "profile", "hand", "ti", "in_ti"]
        units = pd.concat([com[cols], arm[cols]], ignore_index=True)
        return units.sort_values("code", kind="stable").reset_index(drop=True)

    def communes_2025(self) -> pd.DataFrame:
        """Communes of COG 2025 (MERGED_B folded into MERGED_A), PLM as whole communes."""
        com = _fold_merger(self.communes.copy())
        # Whole PLM communes carry the sums of their arrondissements.
        arm = self.arrondissements.groupby("parent")[["p", "e", "i"]].sum()
        for code in arm.index:
            mask = com["code"] == code
            for col in ("p", "e", "i"):
                com.loc[mask, col] = arm.loc[code, col]
        return com.sort_values("code", kind="stable").reset_index(drop=True)


def _fold_merger(com: pd.DataFrame) -> pd.DataFrame:
    if MERGED_B not in set(com["code"]):
        return com
    b = com.loc[com["code"] == MERGED_B].iloc[0]
    a_mask = com["code"] == MERGED_A
    for col in ("p", "e", "i"):
        com.loc[a_mask, col] = com.loc[a_mask, col] + b[col]
    return com[com["code"] != MERGED_B].copy()


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
        self.used: dict[str, set[str]] = {}

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


def _random_values(rng: np.random.Generator, n: int, in_ti: np.ndarray, median_pop: float) -> dict[str, np.ndarray]:
    """Random population, jobs and industrial jobs; territories are more industrial than the rest."""
    p = np.round(rng.lognormal(np.log(median_pop), 1.1, n), 5)
    p = np.maximum(p, 30.0)
    e = p * rng.uniform(0.15, 0.7, n)
    share = np.where(in_ti, rng.beta(3, 6, n), rng.beta(2, 10, n))
    i = e * share
    return {"p": p, "e": np.round(e, 5), "i": np.round(i, 5)}


def build(scale: Scale, seed: int) -> Geographie:
    """The synthetic world at ``scale``: the hand-written core, plus generated filler above ``sample``."""
    rng = rng_for(seed, "geographie")
    namer = _Namer(seed)
    hand_codes = {c.code for spec in CORE_EPCI for c in spec.communes if isinstance(c, Hand)}
    hand_codes.add(ISLAND)
    # Arrondissement codes are never commune codes (13201 is Marseille 1er, not a commune of 13).
    arm_codes = {str(ARM_FIRST[c] + k) for c in PLM for k in range(ARM_COUNT[c])}
    alloc = _CodeAllocator(hand_codes | {"75056"} | arm_codes)

    rows = []
    epci_rows = []
    for idx, spec in enumerate(CORE_EPCI):
        siren = str(int(siren_from_payload(20_007_000 + 7 * idx)))
        deps = []
        for item in spec.communes:
            if isinstance(item, Hand):
                dep = item.code[:3] if item.code.startswith("97") else item.code[:2]
                deps.append(dep)
                # p == 0: values drawn at random (Ajaccio, Paris) or summed from arrondissements (PLM).
                p, e, i = (float(item.p), float(item.e), float(item.i)) if item.p else (np.nan,) * 3
                rows.append(dict(code=item.code, nom=item.nom, dep=dep, epci=siren, p=p, e=e,
                                 i=i, profile=item.profile, hand=item.p > 0,
                                 core=True, epci_key=spec.key))
            else:
                codes = alloc.take(item.dep, item.n)
                names = namer.take(item.dep, item.n)
                deps.append(item.dep)
                for c, nom in zip(codes, names):
                    rows.append(dict(code=c, nom=nom, dep=item.dep, epci=siren, p=np.nan, e=np.nan, i=np.nan,
                                     profile="r", hand=False, core=True, epci_key=spec.key))
        epci_rows.append(dict(siren=siren, key=spec.key, nom=spec.nom, nature=spec.nature,
                              ti_nature=spec.ti_nature or spec.nature, dep=deps[0], core=True))
    rows.append(dict(code=ISLAND, nom="Île-de-Sein", dep="29", epci="ZZZZZZZZZ", p=np.nan, e=np.nan, i=np.nan,
                     profile="r", hand=False, core=True, epci_key=""))
    communes = pd.DataFrame(rows)
    epci = pd.DataFrame(epci_rows)

    # Territory membership of the core.
    ti_rows = []
    membership: dict[str, list[str]] = {}
    for tid, lib, keys, com_rows in CORE_TI:
        groupements = []
        for k in keys:
            e_row = epci.loc[epci["key"] == k].iloc[0]
            groupements.append((e_row["siren"], e_row["nom"], e_row["ti_nature"]))
            for c in communes.loc[communes["epci_key"] == k, "code"]:
                membership.setdefault(c, []).append(tid)
        for c in com_rows:
            groupements.append(("COM:" + c, None, "COM"))  # siren filled once commune SIREN exist
            membership.setdefault(c, []).append(tid)
        dep0 = epci.loc[epci["key"] == keys[0], "dep"].iloc[0]
        ti_rows.append(dict(id_ti=tid, lib_ti=lib, reg=DEPARTEMENTS[dep0][0], groupements=groupements, core=True))

    core_codes = frozenset(communes["code"])
    n_core_2025 = len(communes) - 1  # MERGED_B disappears in COG 2025
    filler = _filler(scale, seed, alloc, namer, n_core_2025, len(epci), len(ti_rows),
                     sum(len(t["groupements"]) for t in ti_rows))
    if filler is not None:
        f_com, f_epci, f_ti, f_membership = filler
        communes = pd.concat([communes, f_com], ignore_index=True)
        epci = pd.concat([epci, f_epci], ignore_index=True)
        ti_rows.extend(f_ti)
        membership.update(f_membership)

    communes["reg"] = communes["dep"].map(lambda d: DEPARTEMENTS[d][0])
    communes["ti"] = communes["code"].map(lambda c: tuple(sorted(membership.get(c, ()))))
    communes["in_ti"] = communes["ti"].map(bool)
    communes = communes.sort_values("code", kind="stable").reset_index(drop=True)
    # Commune SIREN: 21xxxxxxK, unique and Luhn-valid.
    communes["siren"] = [str(int(s)) for s in siren_from_payload(21_000_000 + 3 * np.arange(len(communes)) + 11)]
    # Postcodes: rank of the commune within its département.
    rank = communes.groupby("dep").cumcount().to_numpy()
    communes["cps"] = [[_postcode(d, int(k))] for d, k in zip(communes["dep"], rank)]
    epci["reg"] = epci["dep"].map(lambda d: DEPARTEMENTS[d][0])

    # Random values for every non-hand commune (PLM communes get theirs from arrondissements).
    todo = communes["p"].isna().to_numpy()
    vals = _random_values(rng, int(todo.sum()), communes.loc[todo, "in_ti"].to_numpy(), 900.0)
    for col, v in vals.items():
        communes.loc[todo, col] = v
    # Ajaccio is a town, not a village like the generated communes around it.
    for code, factor in (("2A004", 40.0),):
        m = communes["code"] == code
        communes.loc[m, ["p", "e", "i"]] = communes.loc[m, ["p", "e", "i"]].to_numpy() * factor

    arrondissements = _arrondissements(communes, rng)
    for code in PLM:
        m = communes["code"] == code
        communes.loc[m, ["p", "e", "i"]] = 0.0

    siren_of = dict(zip(communes["code"], communes["siren"]))
    nom_of = dict(zip(communes["code"], communes["nom"]))
    for t in ti_rows:
        t["groupements"] = [
            (siren_of[s[4:]], nom_of[s[4:]], n) if s.startswith("COM:") else (s, lib, n)
            for s, lib, n in t["groupements"]
        ]
    territoires = pd.DataFrame(ti_rows).sort_values("id_ti", kind="stable").reset_index(drop=True)
    return Geographie(communes=communes, arrondissements=arrondissements, epci=epci, territoires=territoires,
                      scale=scale, core_codes=core_codes)


def _arrondissements(communes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for code, ville in PLM.items():
        parent = communes.loc[communes["code"] == code].iloc[0]
        n = ARM_COUNT[code]
        if code == "69123":
            values = [(float(p), float(e), float(i), prof, True) for p, e, i, prof in LYON_ARM]
        else:
            p = np.round(rng.lognormal(np.log(60_000 if code == "75056" else 40_000), 0.4, n), 5)
            e = np.round(p * rng.uniform(0.4, 1.6, n), 5)
            i = np.round(e * rng.beta(2, 18, n), 5)
            values = [(float(a), float(b), float(c), "r", False) for a, b, c in zip(p, e, i)]
        for k in range(n):
            cp = ARM_CP[code] + k
            cps = [f"{cp:05d}"] + (["75116"] if ARM_FIRST[code] + k == 75116 else [])
            p_, e_, i_, prof, hand = values[k]
            rows.append(dict(code=str(ARM_FIRST[code] + k), parent=code, nom=arm_label(ville, k + 1),
                             dep=parent["dep"], reg=parent["reg"], cps=cps, p=p_, e=e_, i=i_, profile=prof,
                             hand=hand, ti=parent["ti"], in_ti=parent["in_ti"], siren=None))
    return pd.DataFrame(rows)


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
                              nature=nat, ti_nature="METRO" if nat == "ME" else nat, dep=dep, core=False))
        for c, nom in zip(codes, names):
            com_rows.append(dict(code=c, nom=nom, dep=dep, epci=siren, p=np.nan, e=np.nan, i=np.nan, profile="r",
                                 hand=False, core=False, epci_key=f"F{k:04d}"))
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
            keys = set(f_epci.iloc[idxs]["key"])
            for c in f_com.loc[f_com["epci_key"].isin(keys), "code"]:
                membership.setdefault(c, []).append(tid)
    return f_com, f_epci, ti_rows, membership
