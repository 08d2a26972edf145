"""Tests of the sample generator (ti_pipeline.sample) and of the committed data/sample/.

- determinism: same seed -> identical bytes (zip timestamps, xlsx properties fixed);
- the committed data/sample/ is byte-identical to a fresh generation (the generator is the source of truth);
- every file has the catalog's exact columns for its release;
- the deliberate quirks listed in data/sample/README.md are present;
- a small fraction of national generates quickly with the expected row counts.

The files are read here with plain pandas/zipfile/openpyxl, independently of ti_pipeline.sources.readers,
so that a reader bug and a generator bug cannot hide each other. No network.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from ti_pipeline.sample import NATIONAL, generate, resolve_scale
from ti_pipeline.sample.codes import luhn_complete, luhn_valid, siren_from_payload, siret_from
from ti_pipeline.sample.geographie import MERGED_A, MERGED_B, SHARED
from ti_pipeline.sources import catalog as cat

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "sample"
PLM = {"75056", "69123", "13055"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate(out, scale="sample", seed=42)
    return out


# ------------------------------------------------------------------------------------------------
# Reading helpers (independent of the pipeline's readers)
# ------------------------------------------------------------------------------------------------
def _raw(root: Path, source: cat.Source, release: cat.Release) -> bytes:
    path = cat.sample_path(root, source, release)
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if re.search(release.member, n)]
            assert len(names) == 1, f"{path}: members {z.namelist()} vs {release.member}"
            return z.read(names[0])
    return path.read_bytes()


def read(root: Path, name: str, millesime: int | None = None, sheet: str | None = None) -> pd.DataFrame:
    source = cat.get_source(name)
    release = source.releases[0] if millesime is None else source.release(millesime)
    if source.fmt == "parquet":
        return pq.read_table(cat.sample_path(root, source, release)).to_pandas()
    if source.fmt == "json":
        return pd.DataFrame(json.loads(cat.sample_path(root, source, release).read_text(encoding="utf-8")))
    if source.fmt == "geojson":  # a gzipped FeatureCollection: properties, and the geometry as text
        doc = json.loads(gzip.decompress(cat.sample_path(root, source, release).read_bytes()))
        return pd.DataFrame([{**f["properties"], "geometry": json.dumps(f["geometry"])} for f in doc["features"]])
    data = _raw(root, source, release)
    if source.fmt_of(release) in ("xlsx", "xls"):  # xls: the census bases of RP 2011 and 2016
        return pd.read_excel(io.BytesIO(data), sheet_name=sheet or release.sheet, skiprows=source.skiprows_of(release),
                             dtype=str, keep_default_na=False, engine="calamine" if source.fmt_of(release) == "xls" else None)
    encoding = "latin-1" if (name, release.millesime) == ("rp_population", 2021) else "utf-8-sig"
    text = data.decode(encoding)
    sep = ";" if text.split("\n", 1)[0].count(";") else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def releases():
    return [pytest.param(s, r, id=f"{s.name}-{r.millesime}") for s in cat.SOURCES for r in s.releases]


# ------------------------------------------------------------------------------------------------
# Determinism and the committed sample
# ------------------------------------------------------------------------------------------------
def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".manifest.json")
    }


def test_same_seed_same_bytes(sample, tmp_path):
    generate(tmp_path, scale="sample", seed=42)
    first, second = _files(sample), _files(tmp_path)
    assert first.keys() == second.keys()
    differing = [k for k in first if first[k] != second[k]]
    assert not differing, f"not reproducible: {differing}"


def test_other_seed_other_values(sample, tmp_path):
    generate(tmp_path, scale="sample", seed=7)
    first, second = _files(sample), _files(tmp_path)
    assert first.keys() == second.keys()
    assert first["urssaf/2025/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv"] != \
        second["urssaf/2025/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv"]


def test_committed_sample_is_a_fresh_generation(sample):
    committed, fresh = _files(COMMITTED), _files(sample)
    hint = "data/sample/ drifted from the generator: run `python -m ti_pipeline.sample` and commit the result"
    assert committed.keys() == fresh.keys(), hint
    differing = [k for k in fresh if committed[k] != fresh[k]]
    assert not differing, f"{hint} (differing: {differing})"


def test_zip_members_and_xlsx_properties_are_fixed(sample):
    for path in sample.rglob("*.zip"):
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                assert info.date_time == (2025, 1, 1, 0, 0, 0), (path, info.filename)
                if info.filename.endswith(".xlsx"):
                    wb = openpyxl.load_workbook(io.BytesIO(z.read(info)), read_only=True)
                    assert wb.properties.created.year == 2025 and wb.properties.modified.year == 2025


def test_sample_is_small(sample):
    assert sum(len(b) for b in _files(sample).values()) < 3 * 1024**2


# ------------------------------------------------------------------------------------------------
# Columns: the catalog is the contract
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source,release", releases())
def test_columns_follow_the_catalog(sample, source, release):
    df = read(sample, source.name, release.millesime)
    columns = list(df.columns)
    fields = source.fields_for(release.millesime)
    for f in fields:
        if f.name_is_regex:
            assert any(re.fullmatch(f.name, c) for c in columns), f"no column of family {f.name}"
        elif f.required:
            assert f.name in columns, f"missing {f.name}"

    def declared(c):
        return any(re.fullmatch(f.name, c) if f.name_is_regex else f.name == c for f in fields)

    known = lambda c: any(re.fullmatch(p, c) for p in source.ignored_columns)  # noqa: E731
    assert [c for c in columns if not declared(c) and not known(c)] == []
    if not source.ignored_columns:
        # Named columns come in the catalog's order (families such as CODGEO_YYYY/LIBGEO_YYYY may interleave).
        literal = [f.name for f in fields if not f.name_is_regex]
        assert [c for c in columns if c in literal] == [n for n in literal if n in columns]
    assert len(df) > 0


@pytest.mark.parametrize("source,release", releases())
def test_values_follow_the_catalog_rules(sample, source, release):
    df = read(sample, source.name, release.millesime)
    for f in source.fields_for(release.millesime):
        cols = [c for c in df.columns if re.fullmatch(f.name, c)] if f.name_is_regex else [f.name] * (f.name in df)
        for col in cols:
            values = df[col]
            # the publisher's "not published" codes (Filosofi's 's') are empty cells to the pipeline
            present = values[values.notna() & (values.astype(str) != "") & ~values.astype(str).isin(f.not_published)]
            if not f.nullable:
                assert len(present) == len(values), f"{col}: empty values"
            if f.pattern:
                bad = present[~present.astype(str).str.match(f.pattern)]
                # The DGE file's département codes are float-formatted on purpose; code columns are fixed
                # by the reader, so only check patterns on text columns that are not such codes.
                assert bad.empty, f"{col}: {bad.head().tolist()}"
            if f.isin:
                assert set(present.astype(str)) <= set(f.isin), f"{col}: {set(present) - set(f.isin)}"
            if f.dtype in ("int", "float") and len(present):
                nums = pd.to_numeric(present)
                if f.ge is not None:
                    assert (nums >= f.ge).all(), col
                if f.le is not None:
                    assert (nums <= f.le).all(), col


# ------------------------------------------------------------------------------------------------
# Quirks: territories and geography
# ------------------------------------------------------------------------------------------------
def test_ti_lists(sample):
    com = read(sample, "ti_communes")
    grp = read(sample, "ti_groupements")
    ti = read(sample, "ti_territoires")
    raw = cat.sample_path(sample, cat.TI_COMMUNES, cat.TI_COMMUNES.releases[0]).read_text(encoding="utf-8")
    assert raw.splitlines()[1].startswith('"'), "strings are double-quoted"
    shared = com.loc[com["insee_com"] == SHARED].iloc[0]
    assert shared["id_ti"] == "ti-8402 ; ti-8413"
    assert shared["lib_ti"] == "Bassin de Bourg-en-Bresse ; Plastics Vallée – Oyonnax"
    assert {MERGED_A, MERGED_B} <= set(com["insee_com"]), "TI list is in COG 2023: both merged communes"
    assert {"69123", "13055"} <= set(com["insee_com"]) and "75056" not in set(com["insee_com"])
    assert com["insee_com"].str.startswith("2A").any() and com["insee_com"].str.startswith("2B").any()
    assert com["insee_com"].str.startswith("971").any()
    ids = set(ti["id_ti"])
    assert len(ids) == 10 and all(re.fullmatch(r"ti-\d{4}", i) for i in ids)
    assert {i[3:5] for i in ids} >= {"84", "93", "94", "01"}
    # Groupements: EPCI rows with 1-3 EPCI per territory, COM rows carrying the commune's SIREN; one
    # territory (ti-9305) made of COM groupements only.
    epci_rows = grp[grp["nature_juridique"] != "COM"]
    assert epci_rows.groupby("id_ti").size().between(1, 3).all()
    assert {"CC", "CA", "MET69", "COM"} <= set(grp["nature_juridique"])
    com_rows = grp[grp["nature_juridique"] == "COM"]
    assert set(grp.loc[grp["id_ti"] == "ti-9305", "nature_juridique"]) == {"COM"}
    communes = read(sample, "communes_siren")
    actual = communes[communes["type"] == "commune-actuelle"]
    siren_of = dict(zip(actual["code"], actual["siren"]))
    shared_row = com_rows[com_rows["id_ti"] == "ti-8413"].iloc[0]
    assert shared_row["siren_groupement"] == siren_of[SHARED] != SHARED
    assert set(com_rows["siren_groupement"]) <= set(siren_of.values())
    assert all(luhn_valid(s) for s in grp["siren_groupement"])


def test_sample_size_and_communes_outside_territories(sample):
    com = read(sample, "ti_communes")
    cog = read(sample, "cog_communes")
    n_com_2025 = (cog["TYPECOM"] == "COM").sum()
    assert 300 <= n_com_2025 <= 500, "small enough for a fast test suite"
    outside = set(cog.loc[cog["TYPECOM"] == "COM", "COM"]) - set(com["insee_com"])
    assert len(outside) >= 40 and {"75056", "29083"} <= outside
    # outside communes in several regions, for the region comparators
    deps = read(sample, "epci_communes").set_index("CODGEO").loc[sorted(outside), "REG"]
    assert deps.nunique() >= 5


def test_cog(sample):
    cog = read(sample, "cog_communes")
    com = cog[cog["TYPECOM"] == "COM"]
    assert MERGED_A in set(com["COM"]) and MERGED_B not in set(com["COM"])
    comd = cog[cog["TYPECOM"] == "COMD"].set_index("COM")
    assert comd.loc[MERGED_B, "COMPARENT"] == MERGED_A
    # real communes nouvelles keep communes déléguées, some with the commune's own code
    assert len(set(comd.index) & set(com["COM"])) >= 3
    arm = cog[cog["TYPECOM"] == "ARM"]
    for parent, prefix, n in (("75056", "751", 20), ("69123", "6938", 9), ("13055", "132", 16)):
        rows = arm[arm["COMPARENT"] == parent]
        assert len(rows) == n and rows["COM"].str.startswith(prefix).all()
    assert PLM <= set(com["COM"])
    regions = read(sample, "cog_regions")
    assert len(regions) == 18
    with zipfile.ZipFile(cat.sample_path(sample, cat.COG_COMMUNES, cat.COG_COMMUNES.releases[0])) as z:
        assert "v_departement_2025.csv" in z.namelist()


def test_epci_file(sample):
    release = cat.EPCI.releases[0]
    data = _raw(sample, cat.EPCI, release)
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert wb.sheetnames == ["EPCI", "Composition_communale"]
    for name in wb.sheetnames:
        rows = list(wb[name].iter_rows(values_only=True))
        assert "ntercommunalités au 1er janvier 2025" in rows[0][0]
        assert rows[1][0].startswith("Source")
        assert rows[5][0] in ("EPCI", "CODGEO"), "header on row 6 (5 title rows)"
    epci = read(sample, "epci")
    comp = read(sample, "epci_communes")
    assert (epci.set_index("EPCI").loc["ZZZZZZZZZ", "NATURE_EPCI"]) == "ZZ"
    assert comp.loc[comp["EPCI"] == "ZZZZZZZZZ", "CODGEO"].tolist() == ["29083"]
    assert MERGED_B not in set(comp["CODGEO"])
    # NB_COM matches the composition sheet.
    assert epci.set_index("EPCI")["NB_COM"].astype(int).to_dict() == comp.groupby("EPCI").size().to_dict()
    # Consistent with the TI groupements: communes of the TI EPCI are the TI communes (COG 2025).
    grp = read(sample, "ti_groupements")
    ti_com = read(sample, "ti_communes")
    for tid, rows in grp.groupby("id_ti"):
        sirens = set(rows.loc[rows["nature_juridique"] != "COM", "siren_groupement"])
        from_epci = set(comp.loc[comp["EPCI"].isin(sirens), "CODGEO"])
        listed = set(ti_com.loc[ti_com["id_ti"].str.contains(tid), "insee_com"]) - {MERGED_B}
        assert from_epci <= listed, tid


def test_passage_table_has_the_merger(sample):
    df = read(sample, "cog_passage")
    assert list(df.columns[:3]) == ["NIVGEO", "CODGEO_2003", "LIBGEO_2003"] and df.columns[-1] == "LIBGEO_2025"
    assert len(df.columns) == 47
    rows = df[df["CODGEO_2025"] == MERGED_A]
    assert sorted(rows["CODGEO_2023"]) == [MERGED_A, MERGED_B]
    assert sorted(rows["CODGEO_2024"]) == [MERGED_A, MERGED_A], "merged on 1/1/2024"
    assert set(rows["LIBGEO_2023"]) == {"Oullins", "Pierre-Bénite"}
    assert set(rows["LIBGEO_2024"]) == {"Oullins-Pierre-Bénite"}
    assert (df["CODGEO_2023"] != df["CODGEO_2025"]).sum() == 1
    grigny = df[df["CODGEO_2025"] == "69096"].iloc[0]  # renamed in COG 2025, same code
    assert (grigny["LIBGEO_2024"], grigny["LIBGEO_2025"]) == ("Grigny", "Grigny-sur-Rhône")


def test_communes_json(sample):
    df = read(sample, "communes_siren")
    assert set(df["type"]) == {"commune-actuelle", "arrondissement-municipal", "commune-deleguee", "commune-associee"}
    actual = df[df["type"] == "commune-actuelle"]
    assert actual["code"].is_unique and MERGED_B not in set(actual["code"])
    # the package's keys, no EPCI; communes of overseas collectivities without SIREN or population (real)
    assert {"departement", "region", "typeLiaison", "zone", "arrondissement"} <= set(df.columns)
    assert not {"codeDepartement", "codeRegion", "codeEpci"} & set(df.columns)
    assert set(actual.loc[actual["siren"].isna(), "code"]) == {"97501", "98411"}
    assert actual.loc[actual["population"].isna(), "code"].tolist() == ["98411"]
    assert all(luhn_valid(s) for s in actual["siren"].dropna())
    assert all(isinstance(c, list) and c for c in actual["codesPostaux"].dropna())
    # codes shared by a commune and its commune déléguée (real communes nouvelles)
    shared = set(df.loc[df["code"].duplicated(), "code"])
    assert len(shared) >= 3 and MERGED_A in set(df.loc[df["type"] == "commune-deleguee", "code"]) and MERGED_A in shared
    # the legal population of the découpage (real): Bourg-en-Bresse, 42,372 inhabitants in 5.3.0
    assert actual.set_index("code").loc["01053", "population"] == 42372
    # one object per line, as the npm package writes it
    lines = cat.sample_path(sample, cat.COMMUNES_SIREN, cat.COMMUNES_SIREN.releases[0]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and lines[1].startswith('{"code":') and len(lines) == len(df) + 2
    deleguee = df[df["type"] == "commune-deleguee"].set_index("code")
    assert deleguee.loc[MERGED_B, "chefLieu"] == MERGED_A


# ------------------------------------------------------------------------------------------------
# Quirks: census
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,millesime", [("rp_population", 2021), ("rp_population", 2022),
                                            ("rp_emploi", 2021), ("rp_emploi", 2022)])
def test_rp_geography_and_encoding(sample, name, millesime):
    source = cat.get_source(name)
    release = source.release(millesime)
    member = release.file_name.replace("_csv.zip", ".CSV")
    with zipfile.ZipFile(cat.sample_path(sample, source, release)) as z:
        assert z.namelist() == [member, "meta_" + member]
        meta = z.read("meta_" + member)
    data = _raw(sample, source, release)
    if (name, millesime) == ("rp_population", 2021):
        # latin-1: the data member is codes and numbers; the metadata's accents show the encoding
        with pytest.raises(UnicodeDecodeError):
            meta.decode("utf-8")
        assert "géographique" in meta.decode("latin-1")
    else:
        meta.decode("utf-8")
    data.decode("utf-8")
    df = read(sample, name, millesime)
    assert df.columns[0] == "CODGEO"
    codes = set(df["CODGEO"])
    # RP 2021 is in COG 2023 (before the merger of 1/1/2024), RP 2022 in COG 2024 (after it)
    assert MERGED_A in codes and (MERGED_B in codes) == (millesime == 2021)
    assert not (codes & PLM)
    assert {"75101", "69381", "13216"} <= codes
    numbers = df.drop(columns=[c for c in ("CODGEO", "LIBGEO") if c in df]).astype(float)
    assert ((numbers % 1) != 0).any().any(), "some weighted estimates have decimals"
    assert ((numbers % 1) == 0).all(axis=1).mean() > 0.8, "mostly integers"


def test_rp_vintage_columns(sample):
    pop21, pop22 = read(sample, "rp_population", 2021), read(sample, "rp_population", 2022)
    assert {"P21_POP7589", "P21_POP90P", "P15_POP"} <= set(pop21) and "P21_POP75P" not in pop21
    assert {"P22_POP7589", "P22_POP90P", "P16_POP"} <= set(pop22) and "P22_POP75P" not in pop22
    emp21, emp22 = read(sample, "rp_emploi", 2021), read(sample, "rp_emploi", 2022)
    assert "C21_ACTOCC1564_CS6" in emp21 and "C22_ACTOCC1564_CS6" not in emp22
    assert "C22_ACTOCC1564_STAT_GSEC16" in emp22


@pytest.mark.parametrize("millesime", [2021, 2022])
def test_rp_internal_consistency(sample, millesime):
    y, h = f"{millesime % 100}", f"{(millesime - 6) % 100}"
    e = read(sample, "rp_emploi", millesime).set_index("CODGEO").astype(float)
    p = read(sample, "rp_population", millesime).set_index("CODGEO").astype(float)
    cs6 = f"C{y}_ACTOCC1564_CS6" if millesime == 2021 else f"C{y}_ACTOCC1564_STAT_GSEC16"
    pairs = [(f"P{y}_ACT1564", f"P{y}_POP1564"), (f"P{y}_CHOM1564", f"P{y}_ACT1564"),
             (f"P{y}_ACTOCC1564", f"P{y}_ACT1564"), (f"C{y}_EMPLT_INDUS", f"C{y}_EMPLT"),
             (f"C{y}_INDUSLT_F", f"C{y}_EMPLT_INDUS"), (f"C{y}_INDUSLT_SAL", f"C{y}_EMPLT_INDUS"),
             (f"P{y}_EMPLT_SAL", f"P{y}_EMPLT"), (cs6, f"C{y}_ACTOCC1564"), (f"P{y}_ACTOCC1564", f"P{y}_ACTOCC")]
    for small, big in pairs:
        assert (e[small] <= e[big] + 1e-9).all(), f"{small} <= {big}"
    assert (p[f"P{y}_POP1564"] <= p[f"P{y}_POP"]).all()
    assert np.allclose(e[f"P{y}_POP1564"], p.loc[e.index, f"P{y}_POP1564"])
    assert f"P{h}_EMPLT" in e and f"P{h}_POP" in p


HAND = ("97101", "97103", "97120")  # ti-0101 (CA CAP Excellence), the README's hand-checked territory


def test_rp_hand_values(sample):
    """The hand-checked territory's census units are whole numbers, and the README quotes their totals
    (summed here from the files)."""
    text = (sample / "README.md").read_text(encoding="utf-8")
    for millesime in (2021, 2022):
        e = read(sample, "rp_emploi", millesime).set_index("CODGEO").loc[list(HAND)]
        p = read(sample, "rp_population", millesime).set_index("CODGEO").loc[list(HAND)]
        assert not e.map(lambda x: "." in x).any().any() and not p.map(lambda x: "." in x).any().any()
        y = millesime % 100
        for column in (f"P{y}_POP1564", f"P{y}_ACT1564", f"P{y}_CHOM1564", f"C{y}_EMPLT_INDUS", f"P{y}_EMPLT"):
            assert f"**{e[column].astype(int).sum()}**" in text, (millesime, column)
        assert f"**{p[f'P{y}_POP'].astype(int).sum()}**" in text


def test_census_population_near_the_legal_population(sample):
    """Census populations are invented but anchored on the real legal populations of the découpage."""
    legal = read(sample, "communes_siren")
    legal = legal[legal["type"] == "commune-actuelle"].set_index("code")["population"]
    p22 = read(sample, "rp_population", 2022)
    p22["commune"] = p22["CODGEO"].map(lambda c: {"751": "75056", "693": "69123", "132": "13055"}.get(c[:3], c))
    pop = p22.assign(v=p22["P22_POP"].astype(float)).groupby("commune")["v"].sum()
    ratio = pop / legal.loc[pop.index].astype(float)
    assert ratio.between(0.97, 1.03).all(), ratio[~ratio.between(0.97, 1.03)]


# ------------------------------------------------------------------------------------------------
# Quirks: Flores and Urssaf
# ------------------------------------------------------------------------------------------------
def test_flores_layout(sample):
    data = _raw(sample, cat.FLORES_A38, cat.FLORES_A38.releases[0]).decode("utf-8")
    header, first = data.splitlines()[:2]
    assert header == '"GEO";"GEO_OBJECT";"ACTIVITY";"NUMBER_EMPL";"LEGAL_FORM_WITH_PUBLIC";"FLORES_MEASURE";' \
                     '"OBS_STATUS";"TIME_PERIOD";"OBS_VALUE"'
    assert all(v.startswith('"') and v.endswith('"') for v in first.split(";"))
    with zipfile.ZipFile(cat.sample_path(sample, cat.FLORES_A38, cat.FLORES_A38.releases[0])) as z:
        assert "DS_FLORES_A38_2024_metadata.csv" in z.namelist()
    df = read(sample, "flores_a38")
    assert set(df["GEO_OBJECT"]) == {"COM", "ARM", "DEP", "REG", "ZE2020", "FRANCE"}
    assert set(df["TIME_PERIOD"]) == {"2023", "2024"}
    assert set(df["FLORES_MEASURE"]) == {"UNIT_LOC", "EMPL3112"}
    assert set(df["LEGAL_FORM_WITH_PUBLIC"]) == {"1T9X7"}
    assert set(df["OBS_STATUS"]) == {"A", "K", "W"}
    assert set(df["NUMBER_EMPL"]) == set(cat.FLORES_BANDS)
    com = df[df["GEO_OBJECT"] == "COM"]
    assert PLM <= set(com["GEO"]) and MERGED_B not in set(com["GEO"])
    arm = set(df.loc[df["GEO_OBJECT"] == "ARM", "GEO"])
    assert {"75101", "69387", "13216"} <= arm
    industrial = {"BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "DZ", "EZ"}
    assert industrial & set(df["ACTIVITY"]) and {"_T", "GZ", "QA"} <= set(df["ACTIVITY"])


def test_flores_totals_and_secret(sample):
    df = read(sample, "flores_a38")
    secret = df[df["OBS_STATUS"] == "K"]
    assert len(secret) > 0 and (secret["OBS_VALUE"] == "").all()
    assert ((secret["ACTIVITY"] != "_T") & (secret["NUMBER_EMPL"] != "_T")).all()
    assert (df.loc[df["OBS_STATUS"] != "K", "OBS_VALUE"] != "").all()
    # _T equals the sum of the detail cells, secret ones included (read from the hand values below).
    pub = df[df["OBS_STATUS"] != "K"].copy()
    pub["v"] = pub["OBS_VALUE"].astype(int)
    key = ["GEO", "GEO_OBJECT", "FLORES_MEASURE", "TIME_PERIOD"]
    tot = pub[(pub["ACTIVITY"] == "_T") & (pub["NUMBER_EMPL"] == "_T")].set_index(key)["v"]
    by_act = pub[(pub["ACTIVITY"] != "_T") & (pub["NUMBER_EMPL"] == "_T")].groupby(key)["v"].sum()
    by_band = pub[(pub["ACTIVITY"] == "_T") & (pub["NUMBER_EMPL"] != "_T")].groupby(key)["v"].sum()
    assert (tot.loc[by_act.index] == by_act).all()
    assert (tot.loc[by_band.index] == by_band).all()
    detail = pub[(pub["ACTIVITY"] != "_T") & (pub["NUMBER_EMPL"] != "_T")].groupby(key)["v"].sum()
    has_secret = set(map(tuple, secret[key].drop_duplicates().to_numpy()))
    under = 0
    for k, v in detail.items():
        if k in has_secret:
            assert v <= tot.loc[k]
            under += v < tot.loc[k]
        else:
            assert v == tot.loc[k]
    assert under > 0, "summing published details under-estimates where cells are secret"
    # Paris as a commune equals the sum of its arrondissements.
    t = tot.reset_index()
    paris = t[(t["GEO"] == "75056") & (t["GEO_OBJECT"] == "COM")].set_index(["FLORES_MEASURE", "TIME_PERIOD"])["v"]
    arr = t[t["GEO"].str.startswith("751") & (t["GEO_OBJECT"] == "ARM")].groupby(["FLORES_MEASURE", "TIME_PERIOD"])["v"].sum()
    assert (paris.sort_index() == arr.sort_index()).all()


def test_flores_hand_values(sample):
    df = read(sample, "flores_a38")
    sel = df[(df["GEO_OBJECT"] == "COM") & (df["NUMBER_EMPL"] == "_T") & (df["FLORES_MEASURE"] == "EMPL3112")
             & (df["TIME_PERIOD"] == "2024")]
    industrial = {"BZ", "CA", "CB", "CC", "CD", "CE", "CF", "CG", "CH", "CI", "CJ", "CK", "CL", "CM", "DZ", "EZ"}
    hand = sel[sel["GEO"].isin(HAND) & sel["ACTIVITY"].isin(industrial)]
    total = hand["OBS_VALUE"].astype(int).sum()
    assert total > 0
    assert f"industrial posts (A38 BZ..EZ, NUMBER_EMPL `_T`) 2024 = **{total}**" in \
        (sample / "README.md").read_text(encoding="utf-8")


def test_urssaf(sample):
    path = cat.sample_path(sample, cat.URSSAF_APE, cat.URSSAF_APE.releases[0])
    header = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.startswith("\ufeffregion;ancienne_region;departement;zone_d_emploi;epci;commune;intitule_commune;")
    assert ";code_commune;code_ape;effectifs_salaries_2006;" in header
    df = read(sample, "urssaf_ape")
    years = [c for c in df.columns if c.startswith("effectifs_salaries_")]
    assert years[0] == "effectifs_salaries_2006" and years[-1] == "effectifs_salaries_2025"
    assert path.parent.name == "2025", "the rolling file's folder is its latest year"
    assert df["code_ape"].str.fullmatch(r"\d{4}[A-Z]").all()
    assert (df["intitule_commune"] == df["code_commune"] + " " + df["intitule_commune"].str.split(" ", n=1).str[1]).all()
    assert df["grand_secteur_d_activite"].str.match(r"GS\d ").all() and (df["grand_secteur_d_activite"] == "GS1 Industrie").any()
    assert df["secteur_na88"].str.match(r"\d{2} \S").all()
    codes = set(df["code_commune"])
    assert not (codes & PLM) and MERGED_B not in codes and {"69381", "75101"} & codes
    assert (df[years] == "").any().any(), "some cells are empty (secret or no employer)"


# ------------------------------------------------------------------------------------------------
# Quirks: lauréats and Sirene
# ------------------------------------------------------------------------------------------------
def test_sirene(sample):
    path = cat.sample_path(sample, cat.SIRENE_ETABLISSEMENTS, cat.SIRENE_ETABLISSEMENTS.releases[0])
    schema = pq.read_schema(path)
    assert str(schema.field("etablissementSiege").type) == "bool"
    assert str(schema.field("dateCreationEtablissement").type) == "date32[day]"
    for name in ("siren", "siret", "nic", "codeCommuneEtablissement", "statutDiffusionEtablissement",
                 "nomenclatureActivitePrincipaleEtablissement", "anneeEffectifsEtablissement"):
        assert str(schema.field(name).type) == "string", name
    df = read(sample, "sirene_etablissements")
    assert df["siret"].is_unique
    assert (df["siren"] + df["nic"] == df["siret"]).all()
    assert df["siren"].map(luhn_valid).all() and df["siret"].map(luhn_valid).all()
    assert df["activitePrincipaleEtablissement"].str.fullmatch(r"\d{2}\.\d{2}[A-Z]").all()
    codes = set(df["codeCommuneEtablissement"])
    assert not (codes & PLM) and MERGED_B not in codes and {"69387", "75108"} <= codes
    assert set(df["etatAdministratifEtablissement"]) == {"A", "F"}
    assert df.groupby("siren")["etablissementSiege"].sum().eq(1).all(), "one head office per SIREN"


def test_relance_laureats_can_be_located(sample):
    raw = cat.sample_path(sample, cat.RELANCE_LAUREATS, cat.RELANCE_LAUREATS.releases[0]).read_text(encoding="utf-8")
    assert raw.split("\n", 1)[0] == ";".join(f.name for f in cat.RELANCE_LAUREATS.fields)
    df = read(sample, "relance_laureats")
    sirene = read(sample, "sirene_etablissements")
    communes = read(sample, "communes_siren")
    # the DGE file writes commune names in upper case
    cp_nom = {(cp, n.upper()) for cps, n, t in zip(communes["codesPostaux"], communes["nom"], communes["type"])
              if t == "commune-actuelle" and isinstance(cps, list) for cp in cps}
    ids = df["siren"]
    assert (ids.str.len() == 14).any() and (ids.str.len() == 9).any() and (ids == "").any()
    invalid = [i for i in ids if i and not luhn_valid(i)]
    assert invalid == ["123456789"]
    sirets, sieges = set(sirene["siret"]), set(sirene.loc[sirene["etablissementSiege"], "siren"])
    how = []
    for r in df.itertuples():
        if len(r.siren) == 14 and r.siren in sirets:
            how.append("siret")
        elif len(r.siren) == 9 and r.siren in sieges:
            how.append("siren")
        elif (r.code_postal, r.nom_commune) in cp_nom:
            how.append("cp_nom")
        else:
            how.append("none")
    assert how.count("siret") > how.count("siren") > 0 and how.count("cp_nom") >= 1 and how.count("none") == 1
    located = sirene.set_index("siret")["codeCommuneEtablissement"]
    code = located.loc[df.loc[df["entreprise"] == "Chimie Vallée du Rhône", "siren"].iloc[0]]
    assert code == "69387", "a secondary establishment: its head office is elsewhere"
    assert {"1.0", "971.0", "75.0"} <= set(df["code_departement"])
    assert df["description_projet"].str.contains("&amp;").any()
    gps = df["coordonnees_gps"]
    assert (gps == "").any() and gps.str.fullmatch(r"-?\d+\.\d+, -?\d+\.\d+").sum() >= len(df) - 3
    assert (~gps.str.fullmatch(r"(-?\d+\.\d+, -?\d+\.\d+)?")).any(), "one malformed coordinate"
    assert {"Projets territoriaux", "Relocalisation", "Efficacité énergétique", "Automobile", "Aéronautique"} == \
        set(df["mesure_light"])
    ti_com = set(read(sample, "ti_communes")["insee_com"])
    outside = [c for c in located.loc[[i for i in ids if i in sirets]] if c not in ti_com and c[:5] not in ti_com]
    assert outside, "some lauréats sit outside every territory"


def test_laureats_ti(sample):
    df = read(sample, "laureats_ti")
    assert list(df.columns) == [f.name for f in cat.LAUREATS_TI.fields]
    sirene = read(sample, "sirene_etablissements")
    sirets = df.loc[df["siret"].str.len() == 14, "siret"]
    assert len(sirets) and sirets.isin(set(sirene["siret"])).all()
    for col in ("montant_aide", "montant_investissement", "emplois"):
        assert (df[col] == "").any() and (df[col] != "").mean() > 0.6, col


def test_readme_documents_the_quirks(sample):
    text = (sample / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in text.lower()
    for needle in ("ti-8402 ; ti-8413", MERGED_A, MERGED_B, "ZZZZZZZZZ", "latin-1", "123456789", "secret",
                   "skiprows=5", "Paris", "2A", "971", "@etalab/decoupage-administratif 5.3.0", "**Invented**",
                   "**Real — the geography**"):
        assert needle in text, needle


# ------------------------------------------------------------------------------------------------
# Identifiers and scales
# ------------------------------------------------------------------------------------------------
def test_luhn_helpers():
    sirens = siren_from_payload(np.arange(30_000_000, 30_000_500))
    assert all(luhn_valid(str(s)) for s in sirens)
    sirets = siret_from(sirens, np.arange(1, 501))
    assert all(luhn_valid(f"{s:014d}") for s in sirets)
    assert (sirets // 100_000 == sirens).all()
    assert luhn_complete(7992739871, 11) == 79927398713  # the textbook Luhn example
    assert not luhn_valid("123456789")


def test_scales():
    assert resolve_scale("sample").name == "sample"
    assert resolve_scale("national") is NATIONAL
    tenth = resolve_scale("0.1")
    assert tenth.sirene == NATIONAL.sirene // 10 and tenth.urssaf == NATIONAL.urssaf // 10
    assert NATIONAL.communes > 34_000 and NATIONAL.territoires == 183 and NATIONAL.groupements == 630
    with pytest.raises(ValueError):
        resolve_scale("huge")


def test_fractional_scale_is_fast_and_proportional(tmp_path):
    t = time.perf_counter()
    summary = generate(tmp_path, scale=0.01, seed=42)
    assert time.perf_counter() - t < 60
    rows = summary["rows"]
    scale = resolve_scale(0.01)
    assert rows["sirene_etablissements"] == scale.sirene == 400_000
    assert rows["urssaf_ape"] == scale.urssaf == 12_300
    assert rows["relance_laureats"] == scale.relance
    cog = read(tmp_path, "cog_communes")
    n_com = int((cog["TYPECOM"] == "COM").sum())
    # the real core (372 communes of COG 2025) floors small fractions
    assert n_com == max(scale.communes, 372)
    # Census: one row per commune of COG 2023 (merged commune included), PLM by arrondissements.
    assert rows["rp_emploi_2021"] == n_com + 1 - 3 + 45
    assert rows["flores_a38"] > 10 * n_com
    # The real core is still there.
    ti = read(tmp_path, "ti_communes")
    assert ti.set_index("insee_com").loc[SHARED, "id_ti"] == "ti-8402 ; ti-8413"
    # Census files as wide as the real ones; the columns the catalog declares read and validate
    # as in the sample, the filler ones are read and dropped.
    from ti_pipeline.sample.recensement import FULL_WIDTH
    from ti_pipeline.sources.readers import read_release
    from ti_pipeline.validation import validate

    for source in (cat.RP_POPULATION, cat.RP_EMPLOI):
        for release in source.releases:
            path = cat.sample_path(tmp_path, source, release)
            wide = read_release(source, release, path)
            if source.fmt_of(release) == "xls":  # not padded (256 columns at most): read as in the sample
                result = validate(source, release.millesime, wide.frame, file_name=path.name)
                assert result.rows_rejected == 0 and result.added_columns == []
                continue
            assert len(wide.info["all_columns"]) == FULL_WIDTH[source.name], (source.name, release.millesime)
            result = validate(source, release.millesime, wide.frame, file_name=path.name, all_columns=wide.info["all_columns"])
            assert result.rows_rejected == 0 and result.rows_valid == len(wide.frame)
            declared = set(result.valid.columns)
            assert len(result.ignored_columns) == FULL_WIDTH[source.name] - len(declared)  # LIBGEO too
            assert result.added_columns == []


def test_national_geography_counts_and_codes():
    """The national world (built without writing files): real-sized counts, codes that never collide."""
    from ti_pipeline.sample.geographie import build

    geo = build(NATIONAL, seed=42)
    com25 = geo.communes_2025()
    assert len(com25) == NATIONAL.communes
    assert len(geo.territoires) == NATIONAL.territoires
    n_grp = sum(len(g) for g in geo.territoires["groupements"])
    assert abs(n_grp - NATIONAL.groupements) / NATIONAL.groupements < 0.05
    assert geo.communes["code"].is_unique and geo.territoires["id_ti"].is_unique
    assert geo.territoires["id_ti"].str.fullmatch(r"ti-\d{4}").all()
    assert not set(geo.communes["code"]) & set(geo.arrondissements["code"]), "a commune code is an ARM code"
    assert geo.units(2025)["code"].is_unique
    assert geo.communes["code"].str.fullmatch(cat.COMMUNE_CODE).all()
    share_in_ti = geo.communes["in_ti"].mean()
    assert 0.35 < share_in_ti < 0.65
    assert all(luhn_valid(s) for s in geo.communes["siren"].head(2000))
