"""Reading a mart's rows for one territory, and its cells, for every section of the portraits.

What belongs here: the comparators of ``mart_ti_indicateurs`` (``ZONES``), ``NonDisponible`` (why a
section has nothing to show), cell readers that turn a missing value into ``None`` (``num``,
``text``, ``as_int``), and the per-build splits of a mart by territory. What does not: anything
about one section (the other modules of this package) or about HTML (``render``).

A build renders every territory from the same marts, so each mart is split by territory once
(``territory_rows``) and converted to dicts once (``mart_records``), both kept by ``Marts.derived``;
cells are read from those dicts, not from ``iterrows``/``loc`` Series. Filtering whole frames and
boxing cells again for each of ~200 pages was most of a national build's time. Sorting and
de-duplicating stay pandas operations, so rows come out in exactly the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class NonDisponible:
    """Why a section has nothing to show (French, for the page)."""

    raison: str


def num(x) -> float | None:
    return None if is_missing(x) else float(x)


def is_na(x) -> bool:
    """None, NaN or pd.NA: a missing cell, which pandas' groupby leaves out."""
    return x is None or (not isinstance(x, str) and pd.isna(x))


def text(x) -> str | None:
    if is_na(x):
        return None
    s = str(x).strip()
    return s or None


def first_column(df: pd.DataFrame, *noms: str) -> str | None:
    """The first of the accepted spellings of a column that the frame has."""
    return next((n for n in noms if n in df.columns), None)


def as_int(x) -> int | None:
    v = num(x)
    return None if v is None else int(v)


def frame_records(df: pd.DataFrame) -> list[dict]:
    """The rows of ``df`` as dicts, the values ``to_dict("records")`` gives (NaN where missing).

    Each column is converted once with ``to_numpy`` instead of boxing every cell: several times
    faster on the marts' Arrow-backed string columns.
    """
    columns = list(df.columns)
    values = [df[c].to_numpy(dtype=object) for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def territory_rows(marts: Marts, name: str, id_ti: str) -> pd.DataFrame | None:
    """The rows of mart ``name`` for one territory, ``None`` when the mart is not published.

    The same rows, in the same order and with the same index, as ``df[df["id_ti"] == id_ti]``, but
    the mart is split with one groupby per build instead of one scan of the whole frame per page.
    """
    df = marts.frame(name)
    if df is None:
        return None
    return split_by_territory(marts, name).get(id_ti, df.iloc[0:0])


def split_by_territory(marts: Marts, name: str) -> dict[str, pd.DataFrame]:
    """Territory id -> its rows of mart ``name`` (one groupby, once per build)."""
    df = marts.frame(name)
    return marts.derived(f"{name} by id_ti", lambda: {k: g for k, g in df.groupby("id_ti", sort=False)})


def mart_records(marts: Marts, name: str, rows: pd.DataFrame | pd.Series) -> list[dict]:
    """``frame_records`` of some rows of mart ``name`` (a territory's, sorted or filtered: anything
    indexed by the mart's own index), in their order. The mart is converted once per build and
    the rows are picked by index, instead of converting small frames page after page."""
    df = marts.frame(name)
    all_records = marts.derived(f"{name} records", lambda: frame_records(df))
    return [all_records[i] for i in df.index.get_indexer(rows.index)]


def rows_by_year(marts: Marts, rows: pd.DataFrame) -> list[tuple[dict, float]]:
    """Rows of mart_ti_indicateurs sorted by year (pandas' sort, missing years last), each as
    (row as a dict, numeric year): the same order as ``assign(_annee=...).sort_values("_annee")``,
    ties and all, since both sort the same values with the same algorithm."""
    annees = pd.to_numeric(rows["annee"], errors="coerce").sort_values()
    return list(zip(mart_records(marts, "mart_ti_indicateurs", annees), annees.tolist()))
