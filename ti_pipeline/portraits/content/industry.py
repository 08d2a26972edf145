"""The industry sections of a portrait: industrial sectors (``mart_ti_secteurs``), industrial posts
by establishment size, and private industrial employment since 2006 (a level series, or the yearly
changes chained into an index, or the latest changes), from ``mart_ti_indicateurs``.

Not here: the indicator lines themselves (``indicators``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ti_pipeline.portraits.content.indicators import LigneIndicateur, par_code
from ti_pipeline.portraits.content.rows import (
    ZONES,
    NonDisponible,
    as_int,
    first_column,
    is_na,
    mart_records,
    num,
    rows_by_year,
    territory_rows,
    text,
)
from ti_pipeline.portraits.formats import is_missing
from ti_pipeline.portraits.marts import Marts

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
    c_code = first_column(df, "activite_a38", "code_a38", "secteur_a38", "code_secteur")
    c_postes = first_column(df, "postes", "postes_salaries", "effectifs", "emplois", "empl3112")
    if c_code is None or c_postes is None:
        return NonDisponible("mart_ti_secteurs n'a pas les colonnes attendues (code A38 et postes)")
    rows = territory_rows(marts, "mart_ti_secteurs", id_ti)
    if rows.empty:
        return NonDisponible("aucun secteur industriel renseigné pour ce territoire")
    annee_col = first_column(rows, "annee")
    annee = None
    if annee_col:
        annees = pd.to_numeric(rows[annee_col], errors="coerce")
        annee = as_int(annees.max())
        rows = rows[annees == annees.max()]
    c_lib = first_column(rows, "libelle_a38", "libelle_secteur", "libelle")
    c_etab = first_column(rows, "etablissements", "nb_etablissements", "unit_loc", "etab")
    c_part = first_column(rows, "part_postes", "part", "part_postes_industrie")
    c_ql = first_column(rows, "quotient_localisation", "indice_specificite", "ql", "specificite")
    c_rang = first_column(rows, "rang", "rang_postes")
    records = mart_records(marts, "mart_ti_secteurs", rows)
    liste = [
        Secteur(
            code=str(r[c_code]),
            libelle=(text(r[c_lib]) if c_lib else None) or str(r[c_code]),
            postes=num(r[c_postes]),
            etablissements=num(r[c_etab]) if c_etab else None,
            part=num(r[c_part]) if c_part else None,
            quotient=num(r[c_ql]) if c_ql else None,
            rang=as_int(r[c_rang]) if c_rang else None,
            secret=bool(r["secret"]) if "secret" in rows.columns and not is_missing(r["secret"]) else False,
        )
        for r in records
    ]
    liste.sort(key=lambda s: (s.rang if s.rang is not None else 10**6, -(s.postes or 0), s.code))
    first = records[0]
    return Secteurs(
        annee=annee,
        # the mart has no source column: its figures are Flores' (mart description)
        source=(text(first.get("source")) if "source" in rows else None) or "Insee, Flores",
        millesime=as_int(first.get("millesime")) if "millesime" in rows else None,
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


def serie_niveaux(rows: list[tuple[dict, float]], libelle: str) -> SerieEmploi | None:
    """A level series of every zone as an index base 100 in the first year all zones have (the
    territory's levels kept beside); also the population's long series (``content.population``)."""
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
    return SerieEmploi(libelle, text(last.get("source")), as_int(last.get("millesime")), base, indices,
                       sorted(points["territoire"].items()), "niveaux")


def _serie_chainee(rows: list[tuple[dict, float]]) -> SerieEmploi | None:
    """Index base 100 from the 1-year changes: I(y) = I(y-1) x (1 + evol(y)), for every zone.

    Exact for each zone, since each change is that zone's ratio of sums; the chain of a zone
    stops at its first missing year rather than jumping over a gap.
    """
    columns = rows[0][0].keys()
    rows = [(r, a) for r, a in rows if not is_na(a)]
    if "annee_base" in columns:
        # a 1-year change only; a missing or non-numeric annee_base never matches (as NaN == x)
        rows = [(r, a) for r, a in rows if num(r["annee_base"]) == a - 1]
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
    return SerieEmploi("Emploi salarié privé industriel", text(last.get("source")), as_int(last.get("millesime")),
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
        rows = rows_by_year(marts, rows)
        if len({a for _, a in rows if not is_na(a)}) >= 3:
            serie = serie_niveaux(rows, idx[code].libelle if code in idx else code)
            if serie:
                return serie
    rows = _employment_rows(marts, id_ti, CODE_EVOL_1A)
    if rows is not None and len(rows) >= 2:
        serie = _serie_chainee(rows_by_year(marts, rows))
        if serie:
            return serie
    evols = [l for l in lignes if l.code in CODES_EVOL_EMPLOI and l.disponible]
    if evols:
        return EvolutionsEmploi(lignes=evols)
    return NonDisponible(
        "ni série annuelle de l'emploi salarié industriel privé (Urssaf) ni ses évolutions "
        f"({', '.join(CODES_EVOL_EMPLOI)}) dans les marts"
    )
