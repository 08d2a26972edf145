"""The lauréats section of a portrait: France Relance and TI-fund lauréats of the territory, by
measure and by sector with their amounts (``mart_ti_laureats``), and the list of projects
(``mart_laureats``).

Not here: the count of lauréats as an indicator (``indicators``: ``nb_laureats_relance``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ti_pipeline.portraits.content.indicators import LigneIndicateur, par_code
from ti_pipeline.portraits.content.rows import NonDisponible, as_int, frame_records, is_na, num, territory_rows, text
from ti_pipeline.portraits.formats import is_missing
from ti_pipeline.portraits.marts import Marts

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
            if not is_na(r["modalite"]):
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
                montants.append(Montant(libelle, float(e[col]), unite, num(e.get(col_cov))))
    millesimes = [num(r["millesime"]) for r in records] if "millesime" in records[0] else []
    millesime = as_int(max((m for m in millesimes if m is not None), default=None))
    return BlocLaureats(source_laureat, titre, source, millesime, total, repartitions, montants)


def _blocs_laureats(rows: pd.DataFrame) -> list[BlocLaureats]:
    """One block per lauréat source when the mart keeps them apart (never added together), else
    one block of merged projects (a project in both files counted once)."""
    if rows.empty:
        return []
    records = frame_records(rows)
    if "source_laureat" not in rows.columns:
        return [_bloc(records, PROJETS_FUSIONNES, *SOURCES_LAUREATS[PROJETS_FUSIONNES])]
    # sources in order of first appearance (as groupby(sort=False)), then in SOURCES_LAUREATS' order
    by_source: dict = {}
    for r in records:
        if not is_na(r["source_laureat"]):
            by_source.setdefault(r["source_laureat"], []).append(r)
    ordre = {k: i for i, k in enumerate(SOURCES_LAUREATS)}
    return [
        _bloc(g, str(k), *SOURCES_LAUREATS.get(str(k), (str(k), str(k))))
        for k, g in sorted(by_source.items(), key=lambda kv: ordre.get(kv[0], 99))
    ]


def _source_projet(r: dict) -> str:
    if "source_laureat" in r and text(r["source_laureat"]):
        return str(r["source_laureat"])
    dans_relance = text(r.get("id_relance")) is not None
    dans_ti = text(r.get("id_projet_ti")) is not None
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
    for r in frame_records(df):
        for id_ti in dict.fromkeys(_ids_ti(r["ids_ti"])):
            out.setdefault(id_ti, []).append(r)
    return out


def _liste_laureats(marts: Marts, id_ti: str) -> list[LigneLaureat]:
    df = marts.frame("mart_laureats")
    rows = marts.derived("mart_laureats by id_ti", lambda: _laureats_by_territory(df)).get(id_ti, [])
    out = [
        LigneLaureat(
            entreprise=text(r.get("entreprise")) or "entreprise non nommée",
            source_laureat=_source_projet(r),
            mesure=text(r.get("mesure_light")) or text(r.get("mesure")),
            filiere=text(r.get("filiere")),
            commune=text(r.get("libelle_commune")) or text(r.get("nom_commune")),
            aide=num(r.get("montant_aide")),
            investissement=num(r.get("montant_investissement")),
            emplois=num(r.get("emplois")),
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
        out.blocs = _blocs_laureats(territory_rows(marts, "mart_ti_laureats", id_ti))
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
