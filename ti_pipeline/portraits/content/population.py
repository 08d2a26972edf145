"""The census long series of the portraits, read from ``mart_ti_indicateurs``, as an index base 100
in the first year for every zone and the territory's levels: the population at every census since
1968 (Insee's census historical series, today's geography; indicator ``population_historique``)
and the jobs at place of work at every census base read, each year from its own vintage moved onto
today's geography (indicator ``emplois_lt``, RP 2011 -> latest).
"""

from __future__ import annotations

import pandas as pd

from ti_pipeline.portraits.content.indicators import LigneIndicateur, par_code
from ti_pipeline.portraits.content.industry import SerieEmploi, serie_niveaux
from ti_pipeline.portraits.content.rows import NonDisponible, rows_by_year
from ti_pipeline.portraits.marts import Marts

CODE_POPULATION_HISTORIQUE = "population_historique"
CODE_EMPLOIS_LT = "emplois_lt"


def _rows(marts: Marts, id_ti: str, code: str) -> pd.DataFrame | None:
    def split() -> dict[str, pd.DataFrame]:
        ind = marts.frame("mart_ti_indicateurs")
        rows = ind[ind["code_indicateur"] == code]
        return {k: g for k, g in rows.groupby("id_ti", sort=False)}

    return marts.derived(f"mart_ti_indicateurs {code} by id_ti", split).get(id_ti)


def _serie_longue(marts: Marts, id_ti: str, lignes: list[LigneIndicateur], code: str, defaut: str) -> SerieEmploi | None:
    """The series of ``code`` when the marts give it in at least 3 years, else None."""
    rows = _rows(marts, id_ti, code)
    if rows is None:
        return None
    rows = rows_by_year(marts, rows)
    if len({a for _, a in rows if not pd.isna(a)}) < 3:
        return None
    idx = par_code(lignes)
    return serie_niveaux(rows, idx[code].libelle if code in idx else defaut) or None


def population_longue(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> SerieEmploi | NonDisponible:
    serie = _serie_longue(marts, id_ti, lignes, CODE_POPULATION_HISTORIQUE, "Population")
    return serie or NonDisponible(f"pas de série historique de la population ({CODE_POPULATION_HISTORIQUE}) dans les marts")


def emplois_longue(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> SerieEmploi | NonDisponible:
    serie = _serie_longue(marts, id_ti, lignes, CODE_EMPLOIS_LT, "Emplois au lieu de travail")
    return serie or NonDisponible(f"moins de trois recensements des emplois au lieu de travail ({CODE_EMPLOIS_LT}) dans les marts")
