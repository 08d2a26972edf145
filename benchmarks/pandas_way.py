"""The usual way: the core aggregates in pandas, as an analyst would write them.

    python -m benchmarks.pandas_way --sample-dir benchmarks/data/scale-1.0 --out /tmp/pandas.parquet

Whole files read with ``pd.read_csv`` (codes as text), the passage table with ``pd.read_excel``,
Sirene with ``pd.read_parquet`` on the two columns needed, then merges and group-bys. No
validation, no orchestration. Same definitions as the floor (``aggregates``), same numbers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import aggregates
from benchmarks.inputs import cog_year, member_name, millesime, newest_file
from ti_pipeline.config import get_industry_scope
from ti_pipeline.sources.catalog import TARGET_COG_YEAR, get_source


def read_csv(sample_dir: Path, source: str, **kwargs) -> pd.DataFrame:
    path, pattern = newest_file(sample_dir, source)
    # the analyst looked at the files: the ANCT lists and the COG use ',', Insee and Urssaf ';'
    sep = "," if source in ("ti_communes", "ti_territoires", "cog_communes") else ";"
    if pattern is None:
        return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_values=[""], **kwargs)
    with zipfile.ZipFile(path) as zf, zf.open(member_name(path, pattern)) as f:
        return pd.read_csv(f, sep=sep, dtype=str, keep_default_na=False, na_values=[""], **kwargs)


def passage(sample_dir: Path) -> pd.DataFrame:
    """(annee_cog, code_source, code_commune, poids): passage table + arrondissements, splits by population."""
    path, pattern = newest_file(sample_dir, "cog_passage")
    source = get_source("cog_passage")
    with zipfile.ZipFile(path) as zf, zf.open(member_name(path, pattern)) as f:
        table = pd.read_excel(f, sheet_name=source.releases[0].sheet, skiprows=source.skiprows, dtype=str)
    target = f"CODGEO_{TARGET_COG_YEAR}"
    years = sorted(int(c[-4:]) for c in table.columns if c.startswith("CODGEO_"))
    links = pd.concat(
        [table[[f"CODGEO_{y}", target]].set_axis(["code_source", "code_commune"], axis=1).assign(annee_cog=y) for y in years]
    )
    cog = read_csv(sample_dir, "cog_communes")
    arm = cog[cog["TYPECOM"] == "ARM"][["COM", "COMPARENT"]].set_axis(["code_source", "code_commune"], axis=1)
    links = pd.concat([links, pd.concat([arm.assign(annee_cog=y) for y in years])])
    links = links.dropna().drop_duplicates()
    communes = pd.read_json(newest_file(sample_dir, "communes_siren")[0], dtype={"code": str})
    pop = communes[communes["type"] == "commune-actuelle"].set_index("code")["population"]
    links["population"] = links["code_commune"].map(pop).fillna(0)
    grouped = links.groupby(["annee_cog", "code_source"])
    links["n"] = grouped["code_commune"].transform("count")
    links["total"] = grouped["population"].transform("sum")
    links["poids"] = np.where(
        links["n"] == 1, 1.0, np.where(links["total"] > 0, links["population"] / links["total"].where(links["total"] > 0, 1), 1.0 / links["n"])
    )
    return links[["annee_cog", "code_source", "code_commune", "poids"]]


def move(frame: pd.DataFrame, links: pd.DataFrame, source: str) -> pd.DataFrame:
    """``frame`` (code, valeur) onto the target COG: codes the passage table does not list stay."""
    year = min(cog_year(source), TARGET_COG_YEAR)
    moved = frame.merge(links[links["annee_cog"] == year], how="left", left_on="code", right_on="code_source")
    moved["code_commune"] = moved["code_commune"].fillna(moved["code"])
    moved["valeur"] = moved["valeur"] * moved["poids"].fillna(1.0)
    return moved.groupby("code_commune", as_index=False)["valeur"].sum()


def compute(sample_dir: Path) -> pd.DataFrame:
    sample_dir = Path(sample_dir)
    links = passage(sample_dir)
    cog = read_csv(sample_dir, "cog_communes")
    communes_cibles = set(cog.loc[cog["TYPECOM"] == "COM", "COM"])

    # territory membership in the target COG
    ti = read_csv(sample_dir, "ti_communes")
    ti["id_ti"] = ti["id_ti"].str.split(" ; ")
    ti = ti.explode("id_ti")
    ti["id_ti"] = ti["id_ti"].str.strip()
    ti = ti.rename(columns={"insee_com": "code"})[["code", "id_ti"]].assign(valeur=0.0)
    ti_year = min(cog_year("ti_communes"), TARGET_COG_YEAR)
    members = ti.merge(links[links["annee_cog"] == ti_year], how="left", left_on="code", right_on="code_source")
    members["code_commune"] = members["code_commune"].fillna(members["code"])
    members = members[members["code_commune"].isin(communes_cibles)][["id_ti", "code_commune"]].drop_duplicates()

    values = {}
    yy = f"{millesime('rp_population') % 100:02d}"
    pop = read_csv(sample_dir, "rp_population")
    values["population"] = move(pd.DataFrame({"code": pop["CODGEO"], "valeur": pop[f"P{yy}_POP"].astype(float)}), links, "rp_population")
    emploi = read_csv(sample_dir, "rp_emploi")
    for column, name in ((f"C{yy}_EMPLT_INDUS", "emplois_industrie_rp"), (f"C{yy}_EMPLT", "emplois_rp")):
        values[name] = move(pd.DataFrame({"code": emploi["CODGEO"], "valeur": emploi[column].astype(float)}), links, "rp_emploi")

    sections, (first, last) = (["C"], (10, 33)) if get_industry_scope() == "C" else (["B", "C", "D", "E"], (5, 39))
    flores = read_csv(sample_dir, "flores_a38")
    flores = flores[
        (flores["GEO_OBJECT"] == "COM")
        & (flores["LEGAL_FORM_WITH_PUBLIC"] == "1T9X7")
        & (flores["FLORES_MEASURE"] == "EMPL3112")
        & (flores["NUMBER_EMPL"] == "_T")
        & flores["ACTIVITY"].str[0].isin(sections)
        & (flores["TIME_PERIOD"] == str(millesime("flores_a38")))
    ]
    values["postes_industrie_flores"] = move(
        pd.DataFrame({"code": flores["GEO"], "valeur": flores["OBS_VALUE"].astype(float)}), links, "flores_a38"
    )

    urssaf = read_csv(sample_dir, "urssaf_ape")
    urssaf = urssaf[urssaf["code_ape"].str[:2].astype(int).between(first, last)]
    values["effectifs_industrie_urssaf"] = move(
        pd.DataFrame({"code": urssaf["code_commune"], "valeur": urssaf[f"effectifs_salaries_{millesime('urssaf_ape')}"].astype(float)}),
        links,
        "urssaf_ape",
    )

    laureats = read_csv(sample_dir, "relance_laureats")
    laureats["id_laureat"] = np.arange(len(laureats))
    laureats["siret"] = laureats["siren"].fillna("").str.replace(r"[^0-9]", "", regex=True)
    laureats = laureats[laureats["siret"].str.len() == 14]
    sirene = pd.read_parquet(newest_file(sample_dir, "sirene_etablissements")[0], columns=["siret", "codeCommuneEtablissement"])
    placed = laureats.merge(sirene.dropna(subset=["codeCommuneEtablissement"]), on="siret").drop_duplicates("id_laureat")
    year = min(cog_year("sirene_etablissements"), TARGET_COG_YEAR)
    placed = placed.merge(links[links["annee_cog"] == year], how="left", left_on="codeCommuneEtablissement", right_on="code_source")
    placed["code_commune"] = placed["code_commune"].fillna(placed["codeCommuneEtablissement"])
    placed["poids"] = placed["poids"].fillna(1.0)
    placed = placed.sort_values("poids", ascending=False).drop_duplicates("id_laureat")
    values["nb_laureats_siret"] = placed.groupby("code_commune", as_index=False).size().rename(columns={"size": "valeur"})

    territoires = read_csv(sample_dir, "ti_territoires")[["id_ti"]].drop_duplicates()
    out = territoires
    for name in aggregates.COLUMNS:
        per_ti = members.merge(values[name], on="code_commune").groupby("id_ti", as_index=False)["valeur"].sum()
        out = out.merge(per_ti.rename(columns={"valeur": name}), on="id_ti", how="left")
    return aggregates.normalise(out)


def main(argv: list[str] | None = None) -> int:
    return aggregates.peer_main(compute, "pandas", __doc__.split("\n\n")[0], argv)


if __name__ == "__main__":
    raise SystemExit(main())
