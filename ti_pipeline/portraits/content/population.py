"""The population at every census since 1968 (Insee's census historical series, today's geography):
the long series of the population theme, as an index base 100 in 1968 for every zone and the
territory's levels, read from ``mart_ti_indicateurs`` (indicator ``population_historique``).
"""

from __future__ import annotations

import pandas as pd

from ti_pipeline.portraits.content.indicators import LigneIndicateur, par_code
from ti_pipeline.portraits.content.industry import SerieEmploi, serie_niveaux
from ti_pipeline.portraits.content.rows import NonDisponible, rows_by_year
from ti_pipeline.portraits.marts import Marts

CODE_POPULATION_HISTORIQUE = "population_historique"


def _rows(marts: Marts, id_ti: str) -> pd.DataFrame | None:
    def split() -> dict[str, pd.DataFrame]:
        ind = marts.frame("mart_ti_indicateurs")
        rows = ind[ind["code_indicateur"] == CODE_POPULATION_HISTORIQUE]
        return {k: g for k, g in rows.groupby("id_ti", sort=False)}

    return marts.derived("mart_ti_indicateurs population history by id_ti", split).get(id_ti)


def population_longue(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> SerieEmploi | NonDisponible:
    rows = _rows(marts, id_ti)
    if rows is not None:
        rows = rows_by_year(marts, rows)
        if len({a for _, a in rows if not pd.isna(a)}) >= 3:
            idx = par_code(lignes)
            libelle = idx[CODE_POPULATION_HISTORIQUE].libelle if CODE_POPULATION_HISTORIQUE in idx else "Population"
            serie = serie_niveaux(rows, libelle)
            if serie:
                return serie
    return NonDisponible(f"pas de série historique de la population ({CODE_POPULATION_HISTORIQUE}) dans les marts")
