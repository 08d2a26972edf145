"""The sample's raw files read with plain pandas, for tests that recompute the marts' figures independently.

What belongs here: small readers of data/sample (no ti_pipeline reader, no SQL model) and the sums a
territory's figures are made of: its communes from the TI list (COG 2023 codes), moved to COG 2025
with the passage table, Paris/Lyon/Marseille arrondissements mapped to their commune with the COG's
ARM rows. A test that compares a mart to these sums checks the pipeline against a second,
independent computation from the same files.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path

import pandas as pd

from ti_pipeline.config import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "sample"
INDUSTRIE_A38 = ("BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "DZ", "EZ")


def zip_csv(path: Path, member_suffix: str, **kwargs) -> pd.DataFrame:
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.lower().endswith(member_suffix.lower()))
        data = z.read(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)


@functools.cache
def ti_communes() -> pd.DataFrame:
    """(insee_com, id_ti): one row per commune (COG 2023) and territory."""
    ti = pd.read_csv(SAMPLE / "ti/2024/liste-ti-com2023-20240704.csv", dtype=str)
    ti["id_ti"] = ti["id_ti"].str.split(" ; ")
    return ti.explode("id_ti")[["insee_com", "id_ti"]]


@functools.cache
def cog() -> pd.DataFrame:
    return zip_csv(SAMPLE / "cog/2025/cog_ensemble_2025_csv.zip", "v_commune_2025.csv")


@functools.cache
def passage() -> pd.DataFrame:
    with zipfile.ZipFile(SAMPLE / "cog_passage/2025/table_passage_annuelle_2025.zip") as z:
        data = z.read(next(n for n in z.namelist() if n.lower().endswith(".xlsx")))
    return pd.read_excel(io.BytesIO(data), sheet_name="COM", skiprows=5, dtype=str)


def to_2025(codes: pd.Series, cog_year: int) -> pd.Series:
    """Commune of COG 2025 of each code (commune or arrondissement) of COG ``cog_year``."""
    c = cog()
    parent = dict(zip(c.loc[c["TYPECOM"] == "ARM", "COM"], c.loc[c["TYPECOM"] == "ARM", "COMPARENT"]))
    p = passage()
    moved = dict(zip(p[f"CODGEO_{cog_year}"], p["CODGEO_2025"]))
    return codes.map(lambda x: parent.get(x, moved.get(x, x)))


def members_2025(id_ti: str) -> set[str]:
    ti = ti_communes()
    return set(to_2025(ti.loc[ti["id_ti"] == id_ti, "insee_com"], 2023))


def rp(kind: str, millesime: int) -> pd.DataFrame:
    """An RP base communale with ``commune`` (COG 2025) next to its codes; numbers as floats."""
    stem = {"rp_population": "base-cc-evol-struct-pop", "rp_emploi": "base-cc-emploi-pop-active"}[kind]
    df = zip_csv(SAMPLE / f"{kind}/{millesime}/{stem}-{millesime}_csv.zip", ".csv", sep=";")
    numbers = [c for c in df.columns if c not in ("CODGEO", "LIBGEO")]
    df[numbers] = df[numbers].apply(pd.to_numeric)
    df["commune"] = to_2025(df["CODGEO"], 2023 if millesime == 2021 else 2024)
    return df


def rp_sum(id_ti: str, kind: str, millesime: int, column: str) -> float:
    df = rp(kind, millesime)
    return float(df.loc[df["commune"].isin(members_2025(id_ti)), column].sum())


@functools.cache
def flores(millesime: int = 2024) -> pd.DataFrame:
    """Flores commune rows (``GEO_OBJECT`` COM) of a vintage, ``v`` the value (NaN when secret),
    ``commune`` the commune of COG 2025 (the vintage's codes are those of its COG year)."""
    df = zip_csv(SAMPLE / f"flores/{millesime}/DS_FLORES_A38_{millesime}_CSV_FR.zip", "_data.csv", sep=";")
    df = df[df["GEO_OBJECT"] == "COM"].copy()
    df["v"] = pd.to_numeric(df["OBS_VALUE"].replace("", None))
    df["secret"] = df["OBS_VALUE"] == ""
    df["commune"] = to_2025(df["GEO"], FLORES_COG[millesime])
    return df


# COG year of each Flores vintage's codes (the catalog's, repeated here: these helpers read files only)
FLORES_COG = {2024: 2025, 2023: 2024, 2022: 2023}


def flores_cells(id_ti: str | None, year: int, measure: str = "EMPL3112", millesime: int = 2024) -> pd.DataFrame:
    df = flores(millesime)
    df = df[(df["TIME_PERIOD"] == str(year)) & (df["FLORES_MEASURE"] == measure)]
    return df if id_ti is None else df[df["commune"].isin(members_2025(id_ti))]


def flores_industrie(id_ti: str | None, year: int, measure: str = "EMPL3112", millesime: int = 2024) -> float:
    """Industrial posts (or establishments): the published margins NUMBER_EMPL _T of A38 BZ..EZ."""
    df = flores_cells(id_ti, year, measure, millesime)
    return float(df.loc[(df["NUMBER_EMPL"] == "_T") & df["ACTIVITY"].isin(INDUSTRIE_A38), "v"].sum())


@functools.cache
def urssaf() -> pd.DataFrame:
    path = next(SAMPLE.glob("urssaf/*/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv"))
    df = pd.read_csv(path, sep=";", dtype={"code_commune": str, "code_ape": str}, encoding="utf-8-sig")
    df["commune"] = to_2025(df["code_commune"], 2025)
    df["industrie"] = df["code_ape"].str[:2].astype(int).between(5, 39)
    return df


def urssaf_industrie(id_ti: str) -> pd.DataFrame:
    u = urssaf()
    return u[u["industrie"] & u["commune"].isin(members_2025(id_ti))]


@functools.cache
def communes_json() -> list[dict]:
    return json.loads((SAMPLE / "decoupage_administratif/2025/communes.json").read_text(encoding="utf-8"))
