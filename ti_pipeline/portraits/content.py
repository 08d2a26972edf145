"""What a portrait shows, as plain data taken from the marts (no HTML here).

One function per section, each taking the marts read by ``marts.load_marts`` and a territory id and
returning small dataclasses, or a ``NonDisponible`` saying why the section cannot be shown (a mart
not published yet, a column it lacks, no row for this territory). The renderer turns both into
markup, so a section degrades to a clear note instead of a crash or a silent gap.

Column names are the marts' contract (DESIGN.md, "renaming a column is a breaking change"); where a
mart is still young the few accepted spellings are listed next to the code that reads them.

A build renders every territory from the same marts, so each mart is split by territory once
(``_territory_rows``) and converted to dicts once (``_mart_records``), both kept by
``Marts.derived``; cells are read from those dicts, not from ``iterrows``/``loc`` Series. Filtering
whole frames and boxing cells again for each of ~200 pages was most of a national build's time.
Sorting and de-duplicating stay pandas operations, so rows come out in exactly the same order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ti_pipeline.portraits.formats import is_missing
from ti_pipeline.portraits.marts import Marts

# The four comparators of mart_ti_indicateurs, after the territory itself: (key, column, label).
ZONES = (
    ("territoire", "valeur", "Territoire"),
    ("region", "valeur_region", "Région"),
    ("ensemble_ti", "valeur_ensemble_ti", "Ensemble des TI"),
    ("hors_ti", "valeur_hors_ti", "France hors TI"),
    ("france", "valeur_france", "France"),
)
LIBELLES_ZONES = {k: label for k, _, label in ZONES}

NATURES_GROUPEMENT = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "Métropole de Lyon",
    "EPT": "établissement public territorial",
    "COM": "commune isolée",
    "ME": "métropole",
}


@dataclass(frozen=True)
class NonDisponible:
    """Why a section has nothing to show (French, for the page)."""

    raison: str


def _num(x) -> float | None:
    return None if is_missing(x) else float(x)


def _missing(x) -> bool:
    """None, NaN or pd.NA: a missing cell, which pandas' groupby leaves out."""
    return x is None or (not isinstance(x, str) and pd.isna(x))


def _str(x) -> str | None:
    if _missing(x):
        return None
    s = str(x).strip()
    return s or None


def _col(df: pd.DataFrame, *noms: str) -> str | None:
    """The first of the accepted spellings of a column that the frame has."""
    return next((n for n in noms if n in df.columns), None)


def _annee_int(x) -> int | None:
    v = _num(x)
    return None if v is None else int(v)


def _records(df: pd.DataFrame) -> list[dict]:
    """The rows of ``df`` as dicts, the values ``to_dict("records")`` gives (NaN where missing).

    Each column is converted once with ``to_numpy`` instead of boxing every cell: several times
    faster on the marts' Arrow-backed string columns.
    """
    columns = list(df.columns)
    values = [df[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _territory_rows(marts: Marts, name: str, id_ti: str) -> pd.DataFrame | None:
    """The rows of mart ``name`` for one territory, ``None`` when the mart is not published.

    The same rows, in the same order and with the same index, as ``df[df["id_ti"] == id_ti]``, but
    the mart is split with one groupby per build instead of one scan of the whole frame per page.
    """
    df = marts.frame(name)
    if df is None:
        return None
    return _split_by_territory(marts, name).get(id_ti, df.iloc[0:0])


def _split_by_territory(marts: Marts, name: str) -> dict[str, pd.DataFrame]:
    """Territory id -> its rows of mart ``name`` (one groupby, once per build)."""
    df = marts.frame(name)
    return marts.derived(f"{name} by id_ti", lambda: {k: g for k, g in df.groupby("id_ti", sort=False)})


def _mart_records(marts: Marts, name: str, rows: pd.DataFrame | pd.Series) -> list[dict]:
    """``_records`` of some rows of mart ``name`` (a territory's, sorted or filtered: anything
    indexed by the mart's own index), in their order. The mart is converted once per build and
    the rows are picked by index, instead of converting small frames page after page."""
    df = marts.frame(name)
    all_records = marts.derived(f"{name} records", lambda: _records(df))
    return [all_records[i] for i in df.index.get_indexer(rows.index)]


def _annees(marts: Marts, rows: pd.DataFrame) -> list[tuple[dict, float]]:
    """Rows of mart_ti_indicateurs sorted by year (pandas' sort, missing years last), each as
    (row as a dict, numeric year): the same order as ``assign(_annee=...).sort_values("_annee")``,
    ties and all, since both sort the same values with the same algorithm."""
    annees = pd.to_numeric(rows["annee"], errors="coerce").sort_values()
    return list(zip(_mart_records(marts, "mart_ti_indicateurs", annees), annees.tolist()))


# --- identity ------------------------------------------------------------------------------------


@dataclass
class Groupement:
    siren: str | None
    libelle: str
    nature: str | None
    nb_communes: int
    population: float | None = None

    @property
    def nature_libelle(self) -> str | None:
        return NATURES_GROUPEMENT.get(self.nature or "", self.nature)


@dataclass
class Commune:
    code: str
    libelle: str
    departement: str | None
    groupement: str | None
    codes_liste: str | None
    autres_territoires: list[str] = field(default_factory=list)


@dataclass
class Identite:
    id_ti: str
    lib_ti: str
    code_region: str | None
    libelle_region: str | None
    codes_regions: list[str]
    departements: list[tuple[str, int]]
    groupements: list[Groupement]
    communes: list[Commune]
    annee_cog: int | None


def territoires(marts: Marts) -> list[tuple[str, str]]:
    """(id, name) of every territory of the composition mart, by id."""
    comp = marts.frame("mart_ti_composition")
    pairs = comp[["id_ti", "lib_ti"]].drop_duplicates("id_ti").sort_values("id_ti")
    return [(str(i), str(n)) for i, n in pairs.itertuples(index=False)]


def _programme_groupements(marts: Marts, id_ti: str) -> list[Groupement]:
    """The programme's own list of the territory's groupements, with each one's population, from
    mart_ti_groupements; empty when that mart is not published or has no row for the territory."""
    grp = marts.frame("mart_ti_groupements")
    if grp is None or not {"siren_groupement", "lib_groupement"} <= set(grp.columns):
        return []
    rows = _territory_rows(marts, "mart_ti_groupements", id_ti)
    groupements = [
        Groupement(
            siren=_str(r["siren_groupement"]),
            libelle=_str(r["lib_groupement"]) or _str(r["siren_groupement"]) or "groupement non identifié",
            nature=_str(r.get("nature_juridique")),
            nb_communes=_annee_int(r.get("nb_communes")) or 0,
            population=_num(r.get("population_reference")),
        )
        for r in _mart_records(marts, "mart_ti_groupements", rows)
    ]
    groupements.sort(key=lambda g: (-(g.population or 0), -g.nb_communes, g.libelle))
    return groupements


def _composition_groupements(rows: pd.DataFrame) -> list[Groupement]:
    """The territory's groupements as its composition rows name them (no population)."""
    grp_col = _col(rows, "siren_groupement")
    groupements: list[Groupement] = []
    if grp_col:
        for siren, g in rows.groupby(grp_col, dropna=False, sort=False):
            groupements.append(
                Groupement(
                    siren=_str(siren),
                    libelle=_str(g.iloc[0].get("lib_groupement")) or _str(siren) or "groupement non identifié",
                    nature=_str(g.iloc[0].get("nature_juridique")),
                    nb_communes=int(g["code_commune"].nunique()),
                )
            )
        groupements.sort(key=lambda g: (-g.nb_communes, g.libelle))
    return groupements


def _territories_by_commune(comp: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Commune code -> the (id, name) of every territory it belongs to (built once per build)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for code, id_ti, lib_ti in zip(comp["code_commune"], comp["id_ti"], comp["lib_ti"]):
        out.setdefault(code, []).append((id_ti, lib_ti))
    return out


def identite(marts: Marts, id_ti: str) -> Identite:
    comp = marts.frame("mart_ti_composition")
    rows = _territory_rows(marts, "mart_ti_composition", id_ti)
    if rows.empty:
        raise KeyError(f"{id_ti} absent de mart_ti_composition")
    records = _mart_records(marts, "mart_ti_composition", rows)
    first = records[0]
    regions = _str(first.get("codes_regions")) or _str(first.get("code_region_reference")) or ""
    codes_regions = [r for r in re.split(r"[;,\s]+", regions) if r]

    # mart_ti_groupements, when published, is the programme's own list with each one's population;
    # otherwise the groupements named by the composition rows
    groupements = _programme_groupements(marts, id_ti) or _composition_groupements(rows)

    # a commune in several territories (nb_ti > 1, a missing nb_ti counting as 1): name the others
    # (the composition mart has one row per pair)
    partagees = {
        r["code_commune"]
        for r in records
        if (1 if _missing(r.get("nb_ti")) else r["nb_ti"]) > 1 and not _missing(r["code_commune"])
    }
    autres: dict[str, list[str]] = {}
    if partagees:
        by_commune = marts.derived("mart_ti_composition by code_commune", lambda: _territories_by_commune(comp))
        for code in partagees:
            others = [f"{i} {n}" for i, n in by_commune.get(code, []) if i != id_ti]
            if others:
                autres[str(code)] = sorted(others)

    communes = [
        Commune(
            code=str(r["code_commune"]),
            libelle=_str(r.get("libelle_commune")) or str(r["code_commune"]),
            departement=_str(r.get("code_departement")),
            groupement=_str(r.get("lib_groupement")),
            codes_liste=_str(r.get("codes_commune_liste")),
            autres_territoires=autres.get(str(r["code_commune"]), []),
        )
        for r in _mart_records(marts, "mart_ti_composition", rows.sort_values("code_commune"))
    ]
    # distinct communes by département, by département code (as groupby + nunique, missing left out)
    communes_by_departement: dict = {}
    if "code_departement" in first:
        for r in records:
            if not _missing(r["code_departement"]):
                codes = communes_by_departement.setdefault(r["code_departement"], set())
                if not _missing(r["code_commune"]):
                    codes.add(r["code_commune"])
    return Identite(
        id_ti=id_ti,
        lib_ti=str(first["lib_ti"]),
        code_region=_str(first.get("code_region_reference")),
        libelle_region=_str(first.get("libelle_region_reference")),
        codes_regions=codes_regions,
        departements=[(str(d), len(communes_by_departement[d])) for d in sorted(communes_by_departement)],
        groupements=groupements,
        communes=communes,
        annee_cog=_annee_int(first.get("annee_cog")),
    )


# --- indicators ----------------------------------------------------------------------------------


@dataclass
class LigneIndicateur:
    code: str
    libelle: str
    definition: str | None
    precautions: str | None
    unite: str | None
    ordre: int
    formule: str | None = None
    source: str | None = None
    annee: int | None = None
    millesime: int | None = None
    qualite: str | None = None
    nb_communes_renseignees: int | None = None
    nb_communes: int | None = None
    valeurs: dict[str, float | None] = field(default_factory=dict)
    theme: str | None = None
    type_calcul: str | None = None
    annee_base: int | None = None  # changes: the first year of the period
    couverture: float | None = None  # lauréat sums: share of lauréats with a reported amount
    detail: str | None = None  # top_secteurs_industriels: the A38 codes

    @property
    def disponible(self) -> bool:
        return self.annee is not None

    @property
    def signe(self) -> bool:
        """Changes are written with their sign (+1,2 %)."""
        return self.code.startswith("evol_") or (self.unite or "") == "taux"

    @property
    def decimales(self) -> int | None:
        """Mean annual rates are small: two decimals tell territories apart (+0,86 %)."""
        return 2 if self.type_calcul == "taux_annuel" else None

    @property
    def periode(self) -> str | None:
        """``2016–2022`` for a change, ``2022`` otherwise."""
        if self.annee is None:
            return None
        return f"{self.annee_base}–{self.annee}" if self.annee_base is not None else str(self.annee)


def _dim(marts: Marts) -> list[dict]:
    """The rows of ``dim_indicateur`` in the dictionary's order (read once per build)."""

    def sorted_records() -> list[dict]:
        dim = marts.frame("dim_indicateur").copy()
        if "ordre" not in dim.columns:
            dim["ordre"] = range(1, len(dim) + 1)
        return _records(dim.sort_values(["ordre", "code_indicateur"]))

    return marts.derived("dim_indicateur sorted", sorted_records)


def indicateurs(marts: Marts, id_ti: str) -> list[LigneIndicateur]:
    """Every indicator of ``dim_indicateur``, in its order, at the latest year the territory has it.

    An indicator without any row for the territory is kept (shown as not available): the dictionary,
    not the data, decides what a portrait lists.
    """
    ind_ti = _territory_rows(marts, "mart_ti_indicateurs", id_ti)
    # code -> its latest row and year: the last of its rows by year, as drop_duplicates(keep="last")
    latest = {r["code_indicateur"]: (r, annee) for r, annee in _annees(marts, ind_ti)}
    lignes = []
    for d in _dim(marts):
        code = str(d["code_indicateur"])
        ligne = LigneIndicateur(
            code=code,
            libelle=_str(d.get("libelle")) or code,
            definition=_str(d.get("definition")),
            precautions=_str(d.get("precautions")),
            unite=_str(d.get("unite")),
            ordre=int(d["ordre"]),
            source=_str(d.get("source")),
            theme=_str(d.get("theme")),
            type_calcul=_str(d.get("type_calcul")),
            formule=_str(d.get("formule")),
        )
        if code in latest:
            r, annee = latest[code]
            ligne.annee = _annee_int(annee)
            ligne.millesime = _annee_int(r.get("millesime"))
            ligne.source = _str(r.get("source")) or ligne.source
            ligne.unite = _str(r.get("unite")) or ligne.unite
            ligne.qualite = _str(r.get("qualite"))
            ligne.nb_communes_renseignees = _annee_int(r.get("nb_communes_renseignees"))
            ligne.nb_communes = _annee_int(r.get("nb_communes"))
            ligne.valeurs = {zone: _num(r[col]) if col in r else None for zone, col, _ in ZONES}
            ligne.annee_base = _annee_int(r.get("annee_base"))
            ligne.couverture = _num(r.get("couverture"))
            ligne.detail = _str(r.get("detail"))
        lignes.append(ligne)
    return lignes


def par_code(lignes: list[LigneIndicateur]) -> dict[str, LigneIndicateur]:
    return {l.code: l for l in lignes}


THEMES = {
    "territoire": "Territoire",
    "population": "Population",
    "emploi": "Emploi et activité",
    "industrie": "Industrie",
    "laureats": "Lauréats France Relance et fonds Territoires d'industrie",
}


def par_theme(lignes: list[LigneIndicateur]) -> list[tuple[str, list[LigneIndicateur]]]:
    """Indicators grouped by the dictionary's ``theme`` (by source when it has none), in its order."""
    groupes: dict[str, list[LigneIndicateur]] = {}
    for l in lignes:
        cle = THEMES.get(l.theme, (l.theme or "").capitalize()) if l.theme else (l.source or "Autres indicateurs")
        groupes.setdefault(cle, []).append(l)
    return list(groupes.items())


# --- industrial sectors --------------------------------------------------------------------------


@dataclass
class Secteur:
    code: str
    libelle: str
    postes: float | None
    etablissements: float | None
    part: float | None
    quotient: float | None
    rang: int | None
    secret: bool = False


@dataclass
class Secteurs:
    annee: int | None
    source: str | None
    millesime: int | None
    secteurs: list[Secteur]


def secteurs(marts: Marts, id_ti: str) -> Secteurs | NonDisponible:
    df = marts.frame("mart_ti_secteurs")
    if df is None:
        return NonDisponible("le mart mart_ti_secteurs n'est pas publié")
    c_code = _col(df, "activite_a38", "code_a38", "secteur_a38", "code_secteur")
    c_postes = _col(df, "postes", "postes_salaries", "effectifs", "emplois", "empl3112")
    if c_code is None or c_postes is None:
        return NonDisponible("mart_ti_secteurs n'a pas les colonnes attendues (code A38 et postes)")
    rows = _territory_rows(marts, "mart_ti_secteurs", id_ti)
    if rows.empty:
        return NonDisponible("aucun secteur industriel renseigné pour ce territoire")
    annee_col = _col(rows, "annee")
    annee = None
    if annee_col:
        annees = pd.to_numeric(rows[annee_col], errors="coerce")
        annee = _annee_int(annees.max())
        rows = rows[annees == annees.max()]
    c_lib = _col(rows, "libelle_a38", "libelle_secteur", "libelle")
    c_etab = _col(rows, "etablissements", "nb_etablissements", "unit_loc", "etab")
    c_part = _col(rows, "part_postes", "part", "part_postes_industrie")
    c_ql = _col(rows, "quotient_localisation", "indice_specificite", "ql", "specificite")
    c_rang = _col(rows, "rang", "rang_postes")
    records = _mart_records(marts, "mart_ti_secteurs", rows)
    liste = [
        Secteur(
            code=str(r[c_code]),
            libelle=(_str(r[c_lib]) if c_lib else None) or str(r[c_code]),
            postes=_num(r[c_postes]),
            etablissements=_num(r[c_etab]) if c_etab else None,
            part=_num(r[c_part]) if c_part else None,
            quotient=_num(r[c_ql]) if c_ql else None,
            rang=_annee_int(r[c_rang]) if c_rang else None,
            secret=bool(r["secret"]) if "secret" in rows.columns and not is_missing(r["secret"]) else False,
        )
        for r in records
    ]
    liste.sort(key=lambda s: (s.rang if s.rang is not None else 10**6, -(s.postes or 0), s.code))
    first = records[0]
    return Secteurs(
        annee=annee,
        # the mart has no source column: its figures are Flores' (mart description)
        source=(_str(first.get("source")) if "source" in rows else None) or "Insee, Flores",
        millesime=_annee_int(first.get("millesime")) if "millesime" in rows else None,
        secteurs=liste,
    )


# --- establishment sizes -------------------------------------------------------------------------

CODE_50_PLUS = "part_postes_ind_etab_50_plus"
CODE_250_PLUS = "part_postes_ind_etab_250_plus"


def seuil_taille(ligne: LigneIndicateur, defaut: int) -> int:
    """The size threshold an indicator really uses, read from its label ("... de 200 salariés ou
    plus"): Flores has no 250 band, so part_postes_ind_etab_250_plus counts 200 or more."""
    m = re.search(r"(\d+)\s+salariés\s+ou\s+plus", ligne.libelle)
    return int(m.group(1)) if m else defaut


@dataclass
class TaillesZone:
    zone: str
    parts: list[tuple[str, float]]  # (size band label, share of industrial posts), summing to 1


@dataclass
class Tailles:
    annee: int | None
    source: str | None
    millesime: int | None
    qualite: str | None
    zones: list[TaillesZone]


def tailles(lignes: list[LigneIndicateur]) -> Tailles | NonDisponible:
    """Industrial posts by establishment size, from the 50+ (and 200+/250+ when published) shares."""
    idx = par_code(lignes)
    l50 = idx.get(CODE_50_PLUS)
    if l50 is None or not l50.disponible:
        return NonDisponible(f"l'indicateur {CODE_50_PLUS} n'est pas disponible pour ce territoire")
    l_grand = idx.get(CODE_250_PLUS)
    if l_grand is not None and not (l_grand.disponible and l_grand.annee == l50.annee):
        l_grand = None
    s50 = seuil_taille(l50, 50)
    s_grand = seuil_taille(l_grand, 250) if l_grand else None
    zones = []
    for zone, _, _ in ZONES:
        p50 = l50.valeurs.get(zone)
        if p50 is None:
            continue
        p_grand = l_grand.valeurs.get(zone) if l_grand else None
        if p_grand is not None:
            parts = [
                (f"Moins de {s50} salariés", 1 - p50),
                (f"{s50} à {s_grand - 1} salariés", p50 - p_grand),
                (f"{s_grand} salariés ou plus", p_grand),
            ]
        else:
            parts = [(f"Moins de {s50} salariés", 1 - p50), (f"{s50} salariés ou plus", p50)]
        zones.append(TaillesZone(zone=zone, parts=[(n, max(0.0, min(1.0, p))) for n, p in parts]))
    qualites = {l.qualite for l in (l50, l_grand) if l is not None and l.qualite}
    qualite = "secret" if "secret" in qualites else ("partiel" if "partiel" in qualites else (qualites.pop() if qualites else None))
    return Tailles(annee=l50.annee, source=l50.source, millesime=l50.millesime, qualite=qualite, zones=zones)


# --- private industrial employment since 2006 ----------------------------------------------------

# A level series (salaried private industrial jobs, Urssaf) if the marts publish one; else the
# yearly changes chained into an index; else the latest changes over 1, 5 and 10 years.
CODES_SERIE_EMPLOI = ("emploi_ind_prive", "effectifs_ind_prive", "emploi_salarie_ind_prive", "effectifs_salaries_ind_prive")
CODE_EVOL_1A = "evol_emploi_ind_prive_1a"
CODES_EVOL_EMPLOI = (CODE_EVOL_1A, "evol_emploi_ind_prive_5a", "evol_emploi_ind_prive_10a")


@dataclass
class SerieEmploi:
    libelle: str
    source: str | None
    millesime: int | None
    base_annee: int
    indices: dict[str, list[tuple[int, float]]]  # zone -> [(year, index base 100 in base_annee)]
    niveaux: list[tuple[int, float]]  # the territory's headcount, when the mart gives it
    methode: str  # "niveaux" or "evolutions_chainees"


@dataclass
class EvolutionsEmploi:
    lignes: list[LigneIndicateur]


def _serie_niveaux(rows: list[tuple[dict, float]], libelle: str) -> SerieEmploi | None:
    points = {
        zone: {int(a): float(r[col]) for r, a in rows if not is_missing(r[col]) and not is_missing(a)}
        for zone, col, _ in ZONES
        if col in rows[0][0]
    }
    communs = set.intersection(*[set(p) for p in points.values() if p]) if any(points.values()) else set()
    base = min((a for a in communs if points["territoire"].get(a)), default=None)
    if base is None:
        return None
    indices = {z: [(a, 100 * v / p[base]) for a, v in sorted(p.items()) if a >= base] for z, p in points.items() if p.get(base)}
    last = rows[-1][0]
    return SerieEmploi(libelle, _str(last.get("source")), _annee_int(last.get("millesime")), base, indices,
                       sorted(points["territoire"].items()), "niveaux")


def _serie_chainee(rows: list[tuple[dict, float]]) -> SerieEmploi | None:
    """Index base 100 from the 1-year changes: I(y) = I(y-1) x (1 + evol(y)), for every zone.

    Exact for each zone, since each change is that zone's ratio of sums; the chain of a zone
    stops at its first missing year rather than jumping over a gap.
    """
    columns = rows[0][0].keys()
    rows = [(r, a) for r, a in rows if not _missing(a)]
    if "annee_base" in columns:
        # a 1-year change only; a missing or non-numeric annee_base never matches (as NaN == x)
        rows = [(r, a) for r, a in rows if _num(r["annee_base"]) == a - 1]
    if len(rows) < 2:
        return None
    annees = [int(a) for _, a in rows]
    base = annees[0] - 1
    indices: dict[str, list[tuple[int, float]]] = {}
    for zone, col, _ in ZONES:
        if col not in columns:
            continue
        serie, niveau, attendu = [(base, 100.0)], 100.0, base + 1
        for a, (r, _) in zip(annees, rows):
            v = r[col]
            if a != attendu or is_missing(v):
                break
            niveau *= 1 + float(v)
            serie.append((a, niveau))
            attendu += 1
        if len(serie) > 1:
            indices[zone] = serie
    if "territoire" not in indices:
        return None
    niveaux: list[tuple[int, float]] = []
    if {"numerateur", "denominateur"} <= set(columns):
        first = rows[0][0]
        if not is_missing(first["denominateur"]):
            niveaux.append((base, float(first["denominateur"])))
        niveaux += [(int(a), float(r["numerateur"])) for r, a in rows if not is_missing(r["numerateur"])]
    last = rows[-1][0]
    return SerieEmploi("Emploi salarié privé industriel", _str(last.get("source")), _annee_int(last.get("millesime")),
                       base, indices, niveaux, "evolutions_chainees")


def _employment_rows(marts: Marts, id_ti: str, code: str) -> pd.DataFrame | None:
    """The rows of mart_ti_indicateurs for one territory and one employment code, ``None`` if it
    has none: the rows of those few codes are split by territory and code once per build."""

    def split() -> dict[tuple, pd.DataFrame]:
        ind = marts.frame("mart_ti_indicateurs")
        rows = ind[ind["code_indicateur"].isin((*CODES_SERIE_EMPLOI, CODE_EVOL_1A))]
        return {k: g for k, g in rows.groupby(["id_ti", "code_indicateur"], sort=False)}

    return marts.derived("mart_ti_indicateurs employment rows by id_ti and code", split).get((id_ti, code))


def emploi_industriel(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> SerieEmploi | EvolutionsEmploi | NonDisponible:
    idx = par_code(lignes)
    for code in CODES_SERIE_EMPLOI:
        rows = _employment_rows(marts, id_ti, code)
        if rows is None:
            continue
        rows = _annees(marts, rows)
        if len({a for _, a in rows if not _missing(a)}) >= 3:
            serie = _serie_niveaux(rows, idx[code].libelle if code in idx else code)
            if serie:
                return serie
    rows = _employment_rows(marts, id_ti, CODE_EVOL_1A)
    if rows is not None and len(rows) >= 2:
        serie = _serie_chainee(_annees(marts, rows))
        if serie:
            return serie
    evols = [l for l in lignes if l.code in CODES_EVOL_EMPLOI and l.disponible]
    if evols:
        return EvolutionsEmploi(lignes=evols)
    return NonDisponible(
        "ni série annuelle de l'emploi salarié industriel privé (Urssaf) ni ses évolutions "
        f"({', '.join(CODES_EVOL_EMPLOI)}) dans les marts"
    )


# --- lauréats ------------------------------------------------------------------------------------

CODE_NB_LAUREATS = "nb_laureats_relance"
# The lauréat sources: (title, source as the dictionary writes it). The DGE file and the TI-fund
# extract overlap (a fund project is in both): the mart either merges them into projects counted
# once, or keeps one block per source; the portraits never add the two.
PROJETS_FUSIONNES = "relance_laureats+laureats_ti"
SOURCES_LAUREATS = {
    PROJETS_FUSIONNES: (
        "Projets lauréats (plan de relance et fonds Territoires d'industrie)",
        "DGE, Plan de relance - projets industriels ; ANCT/DGE, lauréats du fonds Territoires d'industrie",
    ),
    "relance_laureats": ("Plan de relance : lauréats des mesures industrielles", "DGE, Plan de relance - projets industriels"),
    "laureats_ti": ("Fonds d'accélération des investissements industriels dans les territoires", "ANCT/DGE, lauréats du fonds Territoires d'industrie"),
}
SOURCES_COURTES = {PROJETS_FUSIONNES: "plan de relance et fonds TI", "relance_laureats": "plan de relance", "laureats_ti": "fonds TI"}
AXES_LAUREATS = {"mesure": "par mesure", "filiere": "par filière"}
MONTANTS_LAUREATS = (
    ("investissement", "couverture_investissement", "Investissement", "EUR"),
    ("aide", "couverture_aide", "Aide accordée", "EUR"),
    ("emplois", "couverture_emplois", "Emplois annoncés", "nombre"),
)


@dataclass
class Repartition:
    axe: str
    titre: str  # "par mesure"
    modalites: list[tuple[str, float]]  # (label, number of lauréats), largest first


@dataclass
class Montant:
    libelle: str
    valeur: float | None
    unite: str  # "EUR" or "nombre"
    couverture: float | None  # share of lauréats carrying a value


@dataclass
class BlocLaureats:
    source_laureat: str
    titre: str
    source: str
    millesime: int | None
    total: int
    repartitions: list[Repartition]
    montants: list[Montant]


@dataclass
class LigneLaureat:
    entreprise: str
    source_laureat: str
    mesure: str | None
    filiere: str | None
    commune: str | None
    aide: float | None
    investissement: float | None
    emplois: float | None


@dataclass
class Laureats:
    total: float | None  # nb_laureats_relance of mart_ti_indicateurs
    annee: int | None
    source: str | None
    blocs: list[BlocLaureats] = field(default_factory=list)
    liste: list[LigneLaureat] | None = None
    notes: list[str] = field(default_factory=list)


def _nb_laureats(records: list[dict]) -> int | float:
    """The sum of ``nb_laureats``, missing counts left out as pandas' ``sum`` does (whole numbers,
    so the same total in any order)."""
    return sum(r["nb_laureats"] for r in records if not is_missing(r["nb_laureats"]))


def _bloc(records: list[dict], source_laureat: str, titre: str, source: str) -> BlocLaureats:
    """One source's block from its rows of mart_ti_laureats (as dicts: a handful of rows, for
    which pandas masks and groupbys cost far more than plain loops)."""
    ensemble = [r for r in records if r["axe"] == "ensemble"]
    # without an "ensemble" row, the rows of the first axe count every lauréat once
    first_axe = records[0]["axe"]
    total = int(_nb_laureats(ensemble or [r for r in records if r["axe"] == first_axe]))
    repartitions = []
    for axe, titre_axe in AXES_LAUREATS.items():
        v = [r for r in records if r["axe"] == axe]
        if not v:
            continue
        by_modality: dict = {}
        for r in v:
            if not _missing(r["modalite"]):
                n = r["nb_laureats"]
                by_modality[r["modalite"]] = by_modality.get(r["modalite"], 0) + (0 if is_missing(n) else n)
        # by modality (as groupby sorts them), then largest first, ties staying in that order (as a
        # stable descending sort_values)
        mods = sorted(sorted(by_modality.items(), key=lambda kv: kv[0]), key=lambda kv: kv[1], reverse=True)
        repartitions.append(Repartition(axe, titre_axe, [(str(k), float(n)) for k, n in mods if n > 0]))
    montants = []
    if ensemble:
        e = ensemble[0]
        for col, col_cov, libelle, unite in MONTANTS_LAUREATS:
            if col in e and not is_missing(e[col]):
                montants.append(Montant(libelle, float(e[col]), unite, _num(e.get(col_cov))))
    millesimes = [_num(r["millesime"]) for r in records] if "millesime" in records[0] else []
    millesime = _annee_int(max((m for m in millesimes if m is not None), default=None))
    return BlocLaureats(source_laureat, titre, source, millesime, total, repartitions, montants)


def _blocs_laureats(rows: pd.DataFrame) -> list[BlocLaureats]:
    """One block per lauréat source when the mart keeps them apart (never added together), else
    one block of merged projects (a project in both files counted once)."""
    if rows.empty:
        return []
    records = _records(rows)
    if "source_laureat" not in rows.columns:
        return [_bloc(records, PROJETS_FUSIONNES, *SOURCES_LAUREATS[PROJETS_FUSIONNES])]
    # sources in order of first appearance (as groupby(sort=False)), then in SOURCES_LAUREATS' order
    by_source: dict = {}
    for r in records:
        if not _missing(r["source_laureat"]):
            by_source.setdefault(r["source_laureat"], []).append(r)
    ordre = {k: i for i, k in enumerate(SOURCES_LAUREATS)}
    return [
        _bloc(g, str(k), *SOURCES_LAUREATS.get(str(k), (str(k), str(k))))
        for k, g in sorted(by_source.items(), key=lambda kv: ordre.get(kv[0], 99))
    ]


def _source_projet(r: dict) -> str:
    if "source_laureat" in r and _str(r["source_laureat"]):
        return str(r["source_laureat"])
    dans_relance = _str(r.get("id_relance")) is not None
    dans_ti = _str(r.get("id_projet_ti")) is not None
    return PROJETS_FUSIONNES if dans_relance and dans_ti else ("laureats_ti" if dans_ti else "relance_laureats")


def _ids_ti(ids) -> list:
    """The territories of one lauréat: ``ids_ti`` is a list, or a string of ids (older marts)."""
    if ids is None or isinstance(ids, float):
        return []
    if isinstance(ids, str):
        return re.split(r"[;,\s]+", ids)
    return list(ids)


def _laureats_by_territory(df: pd.DataFrame) -> dict[str, list[dict]]:
    """Territory id -> its lauréats (rows of mart_laureats as dicts, in the mart's order), built
    once per build: a lauréat whose ``ids_ti`` holds the id is listed once for that territory."""
    out: dict[str, list[dict]] = {}
    for r in _records(df):
        for id_ti in dict.fromkeys(_ids_ti(r["ids_ti"])):
            out.setdefault(id_ti, []).append(r)
    return out


def _liste_laureats(marts: Marts, id_ti: str) -> list[LigneLaureat]:
    df = marts.frame("mart_laureats")
    rows = marts.derived("mart_laureats by id_ti", lambda: _laureats_by_territory(df)).get(id_ti, [])
    out = [
        LigneLaureat(
            entreprise=_str(r.get("entreprise")) or "entreprise non nommée",
            source_laureat=_source_projet(r),
            mesure=_str(r.get("mesure_light")) or _str(r.get("mesure")),
            filiere=_str(r.get("filiere")),
            commune=_str(r.get("libelle_commune")) or _str(r.get("nom_commune")),
            aide=_num(r.get("montant_aide")),
            investissement=_num(r.get("montant_investissement")),
            emplois=_num(r.get("emplois")),
        )
        for r in rows
    ]
    return sorted(out, key=lambda l: l.entreprise)


def laureats(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> Laureats | NonDisponible:
    ligne = par_code(lignes).get(CODE_NB_LAUREATS)
    dispo = ligne is not None and ligne.disponible
    out = Laureats(
        total=ligne.valeurs.get("territoire") if dispo else None,
        annee=ligne.annee if dispo else None,
        source=ligne.source if ligne is not None else None,
    )
    df = marts.frame("mart_ti_laureats")
    if df is not None and {"axe", "modalite", "nb_laureats"} <= set(df.columns):
        out.blocs = _blocs_laureats(_territory_rows(marts, "mart_ti_laureats", id_ti))
    elif df is not None:
        out.notes.append("mart_ti_laureats n'a pas les colonnes attendues (axe, modalite, nb_laureats)")
    else:
        out.notes.append("répartition par mesure et par filière, montants et emplois : le mart mart_ti_laureats n'est pas publié")
    liste = marts.frame("mart_laureats")
    if liste is not None and "ids_ti" in liste.columns:
        out.liste = _liste_laureats(marts, id_ti)
    if out.total is None and not out.blocs:
        return NonDisponible("ni le mart mart_ti_laureats ni l'indicateur nb_laureats_relance ne sont publiés")
    return out


# --- index ---------------------------------------------------------------------------------------


@dataclass
class EntreeIndex:
    id_ti: str
    lib_ti: str
    region: str | None
    departements: list[str]
    nb_communes: int
    population: float | None
    annee_population: int | None
    communes: list[str]


def entrees_index(marts: Marts) -> list[EntreeIndex]:
    ind = marts.frame("mart_ti_indicateurs")
    # each territory's latest population: the last of its rows by year, as drop_duplicates(keep="last")
    latest_pop = {r["id_ti"]: (r, annee) for r, annee in _annees(marts, ind[ind["code_indicateur"] == "population"])}
    by_territory = _split_by_territory(marts, "mart_ti_composition")
    out = []
    for id_ti in sorted(by_territory):
        records = _mart_records(marts, "mart_ti_composition", by_territory[id_ti])
        first = records[0]
        p, annee = latest_pop.get(id_ti, (None, None))
        out.append(
            EntreeIndex(
                id_ti=str(id_ti),
                lib_ti=str(first["lib_ti"]),
                region=_str(first.get("libelle_region_reference")),
                departements=sorted({str(r.get("code_departement")) for r in records if not _missing(r.get("code_departement"))}),
                nb_communes=len({r["code_commune"] for r in records if not _missing(r["code_commune"])}),
                population=_num(p["valeur"]) if p is not None else None,
                annee_population=_annee_int(annee) if p is not None else None,
                communes=sorted({str(r.get("libelle_commune")) for r in records if not _missing(r.get("libelle_commune"))}),
            )
        )
    return out
