"""The rows of the index page: one per territory, with the figures its portrait shows first.

Every figure is read from a mart, as the portrait reads it: the population and the number of
communes are the territory's latest ``population`` and ``nb_communes`` indicators of
``mart_ti_indicateurs`` (``nb_communes`` counts the communes of ``mart_ti_composition``, in the
target COG: the same set). The name, the reference région, the départements and the commune names
(for the search) are those ``mart_ti_composition`` lists for the territory. Nothing is summed or
counted here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ti_pipeline.portraits.content.rows import as_int, is_na, mart_records, num, rows_by_year, split_by_territory, text
from ti_pipeline.portraits.marts import Marts


@dataclass
class EntreeIndex:
    id_ti: str
    lib_ti: str
    region: str | None
    departements: list[str]
    nb_communes: int | None
    population: float | None
    annee_population: int | None
    communes: list[str]


def _latest(marts: Marts, code: str) -> dict[str, tuple[dict, float]]:
    """Territory id -> its latest row of indicator ``code`` and that row's year (the last of its rows
    by year, as ``drop_duplicates(keep="last")``)."""
    ind = marts.frame("mart_ti_indicateurs")
    return {r["id_ti"]: (r, annee) for r, annee in rows_by_year(marts, ind[ind["code_indicateur"] == code])}


def entrees_index(marts: Marts) -> list[EntreeIndex]:
    population = _latest(marts, "population")
    nb_communes = _latest(marts, "nb_communes")
    by_territory = split_by_territory(marts, "mart_ti_composition")
    out = []
    for id_ti in sorted(by_territory):
        records = mart_records(marts, "mart_ti_composition", by_territory[id_ti])
        first = records[0]
        p, annee = population.get(id_ti, (None, None))
        n, _ = nb_communes.get(id_ti, (None, None))
        out.append(
            EntreeIndex(
                id_ti=str(id_ti),
                lib_ti=str(first["lib_ti"]),
                region=text(first.get("libelle_region_reference")),
                departements=sorted({str(r.get("code_departement")) for r in records if not is_na(r.get("code_departement"))}),
                nb_communes=as_int(n["valeur"]) if n is not None else None,
                population=num(p["valeur"]) if p is not None else None,
                annee_population=as_int(annee) if p is not None else None,
                communes=sorted({str(r.get("libelle_commune")) for r in records if not is_na(r.get("libelle_commune"))}),
            )
        )
    return out
