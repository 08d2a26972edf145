"""The indicators of a portrait: every indicator of ``dim_indicateur``, in its order, at the latest
year ``mart_ti_indicateurs`` has it for the territory, with its four comparators.

``LigneIndicateur`` is what the other sections build on (key figures, sizes, employment, lauréats).
Not here: series over years (``industry``), the lauréat tables (``laureates``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ti_pipeline.portraits.content.rows import ZONES, as_int, frame_records, num, rows_by_year, territory_rows, text
from ti_pipeline.portraits.marts import Marts

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
        return frame_records(dim.sort_values(["ordre", "code_indicateur"]))

    return marts.derived("dim_indicateur sorted", sorted_records)


def indicateurs(marts: Marts, id_ti: str) -> list[LigneIndicateur]:
    """Every indicator of ``dim_indicateur``, in its order, at the latest year the territory has it.

    An indicator without any row for the territory is kept (shown as not available): the dictionary,
    not the data, decides what a portrait lists.
    """
    ind_ti = territory_rows(marts, "mart_ti_indicateurs", id_ti)
    # code -> its latest row and year: the last of its rows by year, as drop_duplicates(keep="last")
    latest = {r["code_indicateur"]: (r, annee) for r, annee in rows_by_year(marts, ind_ti)}
    lignes = []
    for d in _dim(marts):
        code = str(d["code_indicateur"])
        ligne = LigneIndicateur(
            code=code,
            libelle=text(d.get("libelle")) or code,
            definition=text(d.get("definition")),
            precautions=text(d.get("precautions")),
            unite=text(d.get("unite")),
            ordre=int(d["ordre"]),
            source=text(d.get("source")),
            theme=text(d.get("theme")),
            type_calcul=text(d.get("type_calcul")),
            formule=text(d.get("formule")),
        )
        if code in latest:
            r, annee = latest[code]
            ligne.annee = as_int(annee)
            ligne.millesime = as_int(r.get("millesime"))
            ligne.source = text(r.get("source")) or ligne.source
            ligne.unite = text(r.get("unite")) or ligne.unite
            ligne.qualite = text(r.get("qualite"))
            ligne.nb_communes_renseignees = as_int(r.get("nb_communes_renseignees"))
            ligne.nb_communes = as_int(r.get("nb_communes"))
            ligne.valeurs = {zone: num(r[col]) if col in r else None for zone, col, _ in ZONES}
            ligne.annee_base = as_int(r.get("annee_base"))
            ligne.couverture = num(r.get("couverture"))
            ligne.detail = text(r.get("detail"))
        lignes.append(ligne)
    return lignes


def definitions(marts: Marts) -> list[LigneIndicateur]:
    """Every indicator of ``dim_indicateur`` with its definition, without any territory's values:
    the glossary page (one for all portraits)."""
    return indicateurs(marts, "\0aucun territoire")


def par_code(lignes: list[LigneIndicateur]) -> dict[str, LigneIndicateur]:
    return {l.code: l for l in lignes}


THEMES = {
    "territoire": "Territoire",
    "population": "Population",
    "emploi": "Emploi et activité",
    "revenus": "Revenus et pauvreté",
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
