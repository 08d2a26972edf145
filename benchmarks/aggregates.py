"""The core aggregates the three ways must agree on, and how the pipeline's marts give them.

One row per territory of the ANCT list (``id_ti``), sums over its communes in the target COG (a
commune in two territories counts in both; a territory without any row sums to 0):

- ``population``: census population (newest RP, ``P22_POP``);
- ``emplois_industrie_rp`` / ``emplois_rp``: jobs in industry / all jobs at place of work (newest
  RP, complementary exploitation): the industrial share of jobs is their ratio;
- ``postes_industrie_flores``: Flores salaried posts at 31/12 in industry (A38 margins, all sizes),
  newest year;
- ``effectifs_industrie_urssaf``: Urssaf private salaried headcount in industry, newest year;
- ``nb_laureats_siret``: France Relance lauréats (DGE file) placed by their SIRET in Sirene.

In the marts: ``mart_ti_indicateurs`` (numerators and denominators of ``population``,
``part_emploi_industriel``, ``postes_salaries_industrie``, ``evol_emploi_ind_prive_1a`` at their
newest year) and ``mart_laureats`` (DGE rows located by ``siret``, over their ``ids_ti``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

COLUMNS = [
    "population",
    "emplois_industrie_rp",
    "emplois_rp",
    "postes_industrie_flores",
    "effectifs_industrie_urssaf",
    "nb_laureats_siret",
]

# Sums of floats in a different order differ in the last bits: "identical" is within this.
RTOL = 1e-9


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """``id_ti`` + ``COLUMNS`` as float64, sorted by territory, nulls as 0."""
    out = frame[["id_ti", *COLUMNS]].copy()
    out["id_ti"] = out["id_ti"].astype(str)
    for c in COLUMNS:
        out[c] = pd.to_numeric(out[c]).astype("float64").fillna(0.0)
    return out.sort_values("id_ti").reset_index(drop=True)


def from_marts(marts_dir: Path) -> pd.DataFrame:
    """The core aggregates as the pipeline published them."""
    import duckdb

    marts = Path(marts_dir)
    ind = f"read_parquet('{marts}/mart_ti_indicateurs/**/*.parquet', hive_partitioning = true)"
    laureats = f"read_parquet('{marts}/mart_laureats/*.parquet')"
    territoires = f"read_parquet('{marts}/mart_ti_composition/*.parquet')"
    sql = f"""
    with newest as (
        select * from {ind}
        qualify annee = max(annee) over (partition by code_indicateur)
    ),
    laureats as (
        select id_ti, count(*) as n
        from (
            select unnest(ids_ti) as id_ti
            from {laureats}
            where id_relance is not null and source_localisation = 'relance_laureats' and methode_localisation = 'siret'
        )
        group by all
    )
    select
        t.id_ti,
        max(n.numerateur) filter (where n.code_indicateur = 'population') as population,
        max(n.numerateur) filter (where n.code_indicateur = 'part_emploi_industriel') as emplois_industrie_rp,
        max(n.denominateur) filter (where n.code_indicateur = 'part_emploi_industriel') as emplois_rp,
        max(n.numerateur) filter (where n.code_indicateur = 'postes_salaries_industrie') as postes_industrie_flores,
        max(n.numerateur) filter (where n.code_indicateur = 'evol_emploi_ind_prive_1a') as effectifs_industrie_urssaf,
        any_value(l.n) as nb_laureats_siret
    from (select distinct id_ti from {territoires}) t
    left join newest n using (id_ti)
    left join laureats l using (id_ti)
    group by all
    """
    return normalise(duckdb.sql(sql).df())


def compare(a: pd.DataFrame, b: pd.DataFrame) -> dict:
    """``{"identical": bool, "territories": (n_a, n_b), "max_rel_diff": {column: x}, "examples": [...]}``."""
    a, b = normalise(a), normalise(b)
    merged = a.merge(b, on="id_ti", how="outer", suffixes=("_a", "_b"), indicator=True)
    only = merged[merged["_merge"] != "both"]["id_ti"].tolist()
    merged = merged[merged["_merge"] == "both"]
    report: dict = {"territories": [len(a), len(b)], "only_in_one": only[:10], "max_rel_diff": {}, "examples": []}
    ok = not only
    for c in COLUMNS:
        x, y = merged[f"{c}_a"].to_numpy(), merged[f"{c}_b"].to_numpy()
        rel = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), 1.0)
        report["max_rel_diff"][c] = float(rel.max()) if len(rel) else 0.0
        bad = rel > RTOL
        if bad.any():
            ok = False
            for i in np.flatnonzero(bad)[:3]:
                report["examples"].append({"id_ti": merged["id_ti"].iloc[i], "column": c, "a": float(x[i]), "b": float(y[i])})
    report["identical"] = ok
    return report


def peer_main(compute: Callable[[Path], pd.DataFrame], label: str, description: str, argv: list[str] | None = None) -> int:
    """The command line of a peer script (``floor``, ``pandas_way``): compute the aggregates of a
    sample folder, optionally write them to Parquet, print the time."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sample-dir", required=True, type=Path)
    parser.add_argument("--out", type=Path, help="write the aggregates here (Parquet)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    frame = compute(args.sample_dir)
    if args.out:
        frame.to_parquet(args.out, index=False)
    print(f"{label}: {len(frame)} territories in {time.perf_counter() - started:.1f} s")
    return 0
