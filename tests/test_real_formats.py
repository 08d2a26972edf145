"""Every source read in its publisher's real format (issue 21, acceptance 1).

For each source of the catalog (and each release of the census bases) a small file in the real
layout (names of the file and of its zip member, sheets and title rows, separator, encoding, byte
order mark, quoting, header in the order the evidence shows, value formats) goes through the real
reader (``read_release``) and the real validation (``validate``): no schema drift, every row valid,
no column reported as added by the publisher (each column of the real header is declared or known
to the catalog as ignored).

Where they come from (``tests/fixtures/real/README.md``): ``communes.json`` is a real excerpt of
``@etalab/decoupage-administratif`` 5.3.0 (Licence Ouverte); the other files are hand-written in the
real layout from the evidence in ``ti_pipeline/sources/catalog/`` (``evidence`` / ``unverified``),
with real codes and names of communes and EPCI (from that package) and invented figures. Text
fixtures are committed under ``tests/fixtures/real/``; zips, workbooks and the Parquet file are
built here from them or from the rows below.

Each family also has one negative test: the format assumed before the evidence was gathered (or a
known variant of the real file) fails the same way the pipeline would fail on it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ti_pipeline.sources import catalog
from ti_pipeline.sources.readers import iter_parquet_batches, read_release
from ti_pipeline.sources.vintage import resolve_release
from ti_pipeline.validation import SchemaDriftError, validate

FIXTURES = Path(__file__).parent / "fixtures" / "real"


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------
def read_and_validate(source, release, path, millesime=None):
    read = read_release(source, release, path)
    result = validate(
        source,
        release.millesime if millesime is None else millesime,
        read.frame,
        file_name=release.file_name,
        all_columns=read.info.get("all_columns"),
    )
    return read, result


def assert_all_valid(result, rows: int) -> None:
    assert result.rows_rejected == 0, f"rejects:\n{result.rejects.to_string()}"
    assert result.rows_in == rows
    assert result.rows_valid == rows
    assert result.added_columns == [], f"undeclared columns: {result.added_columns}"


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip with its members at the root, in the order given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def xlsx_bytes(tmp_path: Path, sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = tmp_path / "workbook.xlsx"
    wb.save(out)
    return out.read_bytes()


def only_release(source):
    (release,) = source.releases
    return release


# Every (source, millésime) this module reads in the real format; test_every_source_is_covered
# checks it against the catalog, so that a new source or release cannot go untested.
COVERED = {
    ("ti_communes", 2024), ("ti_groupements", 2024), ("ti_territoires", 2024),
    ("relance_laureats", 2022), ("laureats_ti", 2022),
    ("cog_communes", 2025), ("cog_regions", 2025),
    ("epci", 2025), ("epci_communes", 2025), ("cog_passage", 2025), ("communes_siren", 2025),
    ("communes_contours", 2025),
    ("rp_population", 2021), ("rp_population", 2022), ("rp_emploi", 2021), ("rp_emploi", 2022),
    ("rp_serie_historique", 2022),
    ("flores_a38", 2024), ("flores_a38", 2023), ("flores_a38", 2022), ("urssaf_ape", 2025), ("sirene_etablissements", 2026),
    ("filosofi", 2021), ("filosofi", 2020),  # tests/test_history_income.py
    *(("flores_a17_td", m) for m in range(2017, 2022)),  # tests/test_flores_td.py
    ("rp_emploi", 2020), ("rp_emploi", 2019), ("rp_emploi", 2016), ("rp_emploi", 2011),  # tests/test_census_history.py
}


def test_every_source_is_covered():
    in_catalog = {(s.name, r.millesime) for s in catalog.SOURCES for r in s.releases}
    assert in_catalog == COVERED
    # + the communes' contours, the census historical series and the Flores tables 2017-2021 (issue 24)
    assert len(catalog.SOURCES) == 20


# ------------------------------------------------------------------------------------------------
# 1. Territoires d'industrie (ANCT): three comma-separated UTF-8 files
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, rows",
    [(catalog.TI_COMMUNES, 4), (catalog.TI_GROUPEMENTS, 6), (catalog.TI_TERRITOIRES, 5)],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_ti_files(source, rows):
    release = only_release(source)
    path = FIXTURES / "ti" / release.file_name  # liste-ti-com2023-20240704.csv ...
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == rows + 1
    assert raw.splitlines()[0].count(b",") >= 1 and b";" not in raw.splitlines()[0]

    read, result = read_and_validate(source, release, path)

    assert read.info["separator"] == "," and read.info["encoding"] == "utf-8" and "bom" not in read.info
    assert_all_valid(result, rows)
    assert result.ignored_columns == []
    labels = set(result.valid["lib_ti"])
    assert "Gueugnon, Digoin, Bourbon-Lancy" in labels  # a quoted label holding a comma
    assert "Pays de Gex – Genevois – Terre Valserhône" in labels
    if source is catalog.TI_COMMUNES:
        assert list(read.frame.columns) == ["insee_com", "lib_com", "id_ti", "lib_ti"]
        assert list(result.valid["insee_com"][:2]) == ["01010", "01053"]  # leading zeros kept
    if source is catalog.TI_GROUPEMENTS:
        assert "CC Entre Arroux, Loire et Somme" in set(result.valid["lib_groupement"])
        assert set(result.valid["nature_juridique"]) == {"CA", "CC", "COM", "MET69"}


def test_ti_groupements_earlier_names_are_drift(tmp_path):
    """Negative: an earlier vintage's names (siren_epci / lib_epci, commented-out renames in the
    ANCT R script) stop the source, naming the missing column and its probable new name."""
    source, release = catalog.TI_GROUPEMENTS, only_release(catalog.TI_GROUPEMENTS)
    text = (FIXTURES / "ti" / release.file_name).read_text(encoding="utf-8")
    path = tmp_path / release.file_name
    path.write_text(text.replace("siren_groupement", "siren_epci").replace("lib_groupement", "lib_epci"), encoding="utf-8")

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(source, release, path)
    assert "siren_groupement" in err.value.missing
    assert err.value.renamed.get("siren_groupement") == "siren_epci"


# ------------------------------------------------------------------------------------------------
# 2. Lauréats: plan-de-relance.csv (DGE) and the programme extract (synthetic-only source)
# ------------------------------------------------------------------------------------------------
RELANCE_HEADER = [
    "entreprise", "type_entreprise", "siren", "volet_relance", "mesure", "nom_departement", "nom_commune",
    "code_postal", "coordonnees_gps", "description_projet", "mesure_light", "mise_a_jour", "filiere",
    "tonnes_equivalent_co2_pour_les_projets_decarbonation", "code_departement", "nom_region",
]


def test_plan_de_relance():
    source, release = catalog.RELANCE_LAUREATS, only_release(catalog.RELANCE_LAUREATS)
    path = FIXTURES / "relance" / release.file_name

    read, result = read_and_validate(source, release, path)

    assert list(read.frame.columns) == RELANCE_HEADER  # code_departement 15th, after the CO2 column
    assert read.info["separator"] == ";"
    assert_all_valid(result, 4)
    valid = result.valid
    assert list(valid["code_departement"]) == ["1", "971", "75", "59"]  # 1.0, 971.0 ... undone
    assert read.info["codes_fixed"] == {"code_departement": 4}
    assert valid["description_projet"][0] == "Nouvelle ligne d'usinage &amp; de traitement de surface; phase 2"
    assert set(valid["mesure_light"]) == {
        "Projets territoriaux", "Efficacité énergétique", "Relocalisation", "Automobile"
    }
    assert set(valid["type_entreprise"]) == {"TPE / PME", "GE", "ETI"}
    assert valid["siren"].isna().sum() == 1
    assert valid["tonnes_equivalent_co2_pour_les_projets_decarbonation"].notna().sum() == 1
    assert str(valid["mise_a_jour"].dtype).startswith("datetime64")


def test_laureats_ti_extract():
    source, release = catalog.LAUREATS_TI, only_release(catalog.LAUREATS_TI)
    path = FIXTURES / "laureats_ti" / release.file_name

    _, result = read_and_validate(source, release, path)

    assert_all_valid(result, 3)
    assert list(result.valid["annee"]) == [2021, 2022, 2022]


def test_plan_de_relance_day_first_date_is_a_reject(tmp_path):
    """Negative: a day-first mise_a_jour (08/04/2022), not the ISO form seen, is a reject (rule type)."""
    source, release = catalog.RELANCE_LAUREATS, only_release(catalog.RELANCE_LAUREATS)
    text = (FIXTURES / "relance" / release.file_name).read_text(encoding="utf-8")
    path = tmp_path / release.file_name
    path.write_text(text.replace(";2022-04-08;", ";08/04/2022;"), encoding="utf-8")

    _, result = read_and_validate(source, release, path)

    assert result.rows_rejected == 1
    assert result.failure_counts == {("type", "mise_a_jour"): 1}


# ------------------------------------------------------------------------------------------------
# 3. COG 2025: cog_ensemble_2025_csv.zip, members at the zip's root, comma, UTF-8
# ------------------------------------------------------------------------------------------------
COG_MEMBERS = [  # the archive's members (a shell import script of the 2025 zip lists 15; these are 5 of them)
    "v_commune_2025.csv", "v_commune_comer_2025.csv", "v_commune_depuis_1943.csv",
    "v_departement_2025.csv", "v_region_2025.csv",
]


def cog_zip(tmp_path: Path, replace: dict[str, bytes] | None = None) -> Path:
    members = {name: (FIXTURES / "cog" / name).read_bytes() for name in COG_MEMBERS}
    members.update(replace or {})
    return write_zip(tmp_path / "cog_ensemble_2025_csv.zip", members)


@pytest.mark.parametrize("packaging", ["zip", "standalone"])
def test_cog_communes(tmp_path, packaging):
    source, release = catalog.COG_COMMUNES, only_release(catalog.COG_COMMUNES)
    if packaging == "zip":
        path = cog_zip(tmp_path)
    else:  # Insee also publishes each member on its own (…/fichier/8377162/v_commune_2025.csv)
        path = shutil.copy(FIXTURES / "cog" / "v_commune_2025.csv", tmp_path / "v_commune_2025.csv")

    read, result = read_and_validate(source, release, path)

    assert read.info.get("member") == ("v_commune_2025.csv" if packaging == "zip" else None)
    assert_all_valid(result, 9)
    assert set(result.valid["TYPECOM"]) == {"COM", "COMD", "COMA", "ARM"}
    assert list(result.valid["COM"][:3]) == ["01001", "01015", "01015"]  # commune and its commune déléguée
    assert result.valid.loc[result.valid["TYPECOM"] == "COMD", "REG"].isna().all()


def test_cog_regions(tmp_path):
    source, release = catalog.COG_REGIONS, only_release(catalog.COG_REGIONS)

    read, result = read_and_validate(source, release, cog_zip(tmp_path))

    assert read.info["member"] == "v_region_2025.csv"
    assert_all_valid(result, 5)
    assert list(result.valid["REG"]) == ["01", "11", "84", "93", "94"]
    assert list(result.valid["CHEFLIEU"])[-1] == "2A004"


def test_cog_suffixed_names_are_drift(tmp_path):
    """Negative: the suffixed names of one R package's own joined tables (TNCC_COM, NCC_COM...),
    not the raw file's, stop the source and name the declared column."""
    text = (FIXTURES / "cog" / "v_commune_2025.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    suffixed = ",".join(c if c in ("TYPECOM", "COM", "REG", "DEP", "CTCD", "ARR", "CAN", "COMPARENT") else f"{c}_COM"
                        for c in header.split(","))
    path = cog_zip(tmp_path, {"v_commune_2025.csv": f"{suffixed}\n{rest}".encode()})

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(catalog.COG_COMMUNES, only_release(catalog.COG_COMMUNES), path)
    assert "TNCC" in err.value.missing
    assert err.value.renamed.get("TNCC") == "TNCC_COM"


# ------------------------------------------------------------------------------------------------
# 4. EPCI: epci_au_01-01-2025.zip -> EPCI_au_01-01-2025.xlsx, sheets EPCI and
#    Composition_communale, 5 title rows (row 5: the long labels), header on row 6
# ------------------------------------------------------------------------------------------------
EPCI_TITLE = [
    ["Intercommunalités au 1er janvier 2025 : EPCI à fiscalité propre"],
    ["Source : Insee, Code officiel géographique au 1er janvier 2025"],
    [],
    [],
]
EPCI_ROWS = [  # real SIREN, names and member counts (découpage-administratif 5.3.0 epci.json)
    ["200054781", "Métropole du Grand Paris", "ME", 130],
    ["200071751", "CA du Bassin de Bourg-en-Bresse", "CA", 74],
    ["240100891", "CC Terre Valserhône (CCTV)", "CC", 12],
    ["242010056", "CA du Pays Ajaccien", "CA", 10],
    ["ZZZZZZZZZ", "Sans objet", "ZZ", 4],  # the pseudo-EPCI of the communes without one, last
]
COMPOSITION_ROWS = [
    ["01033", "Valserhône", "240100891", "CC Terre Valserhône (CCTV)", "01", "84"],
    ["01053", "Bourg-en-Bresse", "200071751", "CA du Bassin de Bourg-en-Bresse", "01", "84"],
    ["2A004", "Ajaccio", "242010056", "CA du Pays Ajaccien", "2A", "94"],
    ["75056", "Paris", "200054781", "Métropole du Grand Paris", "75", "11"],
    ["85113", "L'Île-d'Yeu", "ZZZZZZZZZ", "Sans objet", "85", "52"],
]
METLYON = ["200046977", "Métropole de Lyon", "METLYON", 58]


def epci_zip(tmp_path: Path, epci_rows=EPCI_ROWS, title=EPCI_TITLE) -> Path:
    sheets = {
        "EPCI": [
            *title,
            ["EPCI - Métropole", "Libellé de l'EPCI / Métropole", "Nature d'EPCI", "Nombre communes"],
            ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"],
            *epci_rows,
        ],
        "Composition_communale": [
            *title,
            ["Code géographique", "Libellé géographique", "EPCI - Métropole", "Libellé de l'EPCI / Métropole",
             "Département", "Région"],
            ["CODGEO", "LIBGEO", "EPCI", "LIBEPCI", "DEP", "REG"],
            *COMPOSITION_ROWS,
        ],
        "Variables": [["Variable", "Libellé"], ["EPCI", "EPCI - Métropole"]],
        "Documentation": [["Intercommunalités au 1er janvier 2025"]],
    }
    return write_zip(tmp_path / "epci_au_01-01-2025.zip", {"EPCI_au_01-01-2025.xlsx": xlsx_bytes(tmp_path, sheets)})


@pytest.mark.parametrize(
    "source, rows", [(catalog.EPCI, 5), (catalog.EPCI_COMMUNES, 5)], ids=lambda v: getattr(v, "name", str(v))
)
def test_epci_workbook(tmp_path, source, rows):
    release = only_release(source)

    read, result = read_and_validate(source, release, epci_zip(tmp_path))

    assert read.info["member"] == "EPCI_au_01-01-2025.xlsx"  # upper case, in a lower-case zip
    assert read.info["sheet"] == release.sheet and read.info["skiprows"] == 5
    assert_all_valid(result, rows)
    assert result.valid["EPCI"].iloc[-1] == "ZZZZZZZZZ"
    if source is catalog.EPCI:
        assert list(result.valid["NB_COM"]) == [130, 74, 12, 10, 4]
    else:
        assert list(result.valid["DEP"]) == ["01", "01", "2A", "75", "85"]


def test_epci_metropole_de_lyon_as_insee_codes_it(tmp_path):
    """Insee's EPCI file gives the Métropole de Lyon the nature METLYON (2023 file: a repository's
    notes on Intercommunalite_Metropole_au_01-01-2023.zip, and a Ruby importer mapping it to ME)."""
    rows = [METLYON, *EPCI_ROWS]

    _, result = read_and_validate(catalog.EPCI, only_release(catalog.EPCI), epci_zip(tmp_path, epci_rows=rows))

    assert_all_valid(result, len(rows))


def test_epci_header_on_row_5_is_drift(tmp_path):
    """Negative: four title rows (as one reader's comment says) instead of five: the first data row
    is taken for the header and the declared columns are missing."""
    path = epci_zip(tmp_path, title=EPCI_TITLE[:3])

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(catalog.EPCI, only_release(catalog.EPCI), path)
    assert {"EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"} <= set(err.value.missing)


# ------------------------------------------------------------------------------------------------
# 5. Table de passage annuelle: sheet COM, 5 title rows, NIVGEO then CODGEO_2003, LIBGEO_2003 ...
#    CODGEO_2025, LIBGEO_2025 (47 columns)
# ------------------------------------------------------------------------------------------------
PASSAGE_YEARS = range(2003, 2026)


def _passage_row(history: list[tuple[int, str, str]]) -> list:
    """One row from (first year, code, name) steps of a commune's history."""
    row = ["COM"]
    for year in PASSAGE_YEARS:
        _, code, name = [h for h in history if h[0] <= year][-1]
        row += [code, name]
    return row


PASSAGE_ROWS = [
    _passage_row([(2003, "01015", "Arbignieu"), (2016, "01015", "Arboys en Bugey")]),
    _passage_row([(2003, "01340", "Saint-Bois"), (2016, "01015", "Arboys en Bugey")]),
    _passage_row([(2003, "01033", "Bellegarde-sur-Valserine"), (2019, "01033", "Valserhône")]),
    _passage_row([(2003, "01091", "Châtillon-en-Michaille"), (2019, "01033", "Valserhône")]),
    _passage_row([(2003, "01205", "Lancrans"), (2019, "01033", "Valserhône")]),
    _passage_row([(2003, "01053", "Bourg-en-Bresse")]),
    _passage_row([(2003, "2A004", "Ajaccio")]),
]


def passage_header(with_nivgeo: bool = True) -> list[str]:
    pairs = [name for y in PASSAGE_YEARS for name in (f"CODGEO_{y}", f"LIBGEO_{y}")]
    return (["NIVGEO"] if with_nivgeo else []) + pairs


def passage_workbook(tmp_path: Path, with_nivgeo: bool = True) -> bytes:
    header = passage_header(with_nivgeo)
    rows = PASSAGE_ROWS if with_nivgeo else [r[1:] for r in PASSAGE_ROWS]
    labels = (["Niveau géographique"] if with_nivgeo else []) + [
        label for y in PASSAGE_YEARS for label in (f"Code géographique {y}", f"Libellé géographique {y}")
    ]
    return xlsx_bytes(tmp_path, {"COM": [
        ["Table de passage annuelle des codes communes depuis 2003, géographie au 1er janvier 2025"],
        ["Source : Insee, Code officiel géographique"],
        [],
        [],
        labels,
        header,
        *rows,
    ]})


@pytest.mark.parametrize("archive", ["table_passage_annuelle_2025.zip", "table_passage_geo2003_geo2025.zip"])
def test_cog_passage(tmp_path, archive):
    source, release = catalog.COG_PASSAGE, only_release(catalog.COG_PASSAGE)
    members = {"table_passage_annuelle_2025.xlsx": passage_workbook(tmp_path)}
    if archive != release.file_name:  # DoReMIFaSol: the same workbook beside the 2003->2025 table
        other = xlsx_bytes(tmp_path, {"Table de passage": [["CODGEO_2003"]]})
        members = {"table_passage_geo2003_geo2025.xlsx": other, **members}
    path = write_zip(tmp_path / archive, members)

    read, result = read_and_validate(source, release, path)

    assert read.info["member"] == "table_passage_annuelle_2025.xlsx" and read.info["sheet"] == "COM"
    assert len(read.frame.columns) == 47 and read.frame.columns[0] == "NIVGEO"
    assert_all_valid(result, len(PASSAGE_ROWS))
    assert list(result.valid["CODGEO_2025"]) == ["01015", "01015", "01033", "01033", "01033", "01053", "2A004"]
    assert list(result.valid["CODGEO_2015"][:2]) == ["01015", "01340"]


def test_cog_passage_without_nivgeo_is_drift(tmp_path):
    """Negative: the 46-column sheet assumed before (no NIVGEO) stops the source, naming NIVGEO."""
    path = write_zip(tmp_path / "table_passage_annuelle_2025.zip",
                     {"table_passage_annuelle_2025.xlsx": passage_workbook(tmp_path, with_nivgeo=False)})

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(catalog.COG_PASSAGE, only_release(catalog.COG_PASSAGE), path)
    assert err.value.missing == ["NIVGEO"]


# ------------------------------------------------------------------------------------------------
# 6. communes.json of @etalab/decoupage-administratif 5.3.0: a real excerpt
# ------------------------------------------------------------------------------------------------
def test_communes_json_real_excerpt():
    source, release = catalog.COMMUNES_SIREN, only_release(catalog.COMMUNES_SIREN)
    path = FIXTURES / "decoupage_administratif" / release.file_name
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[\n{") and text.endswith("}\n]\n")  # one object per line, as the package writes it

    read, result = read_and_validate(source, release, path)

    assert_all_valid(result, 12)
    assert set(result.ignored_columns) == set(source.ignored_columns)  # every key of the package is known
    valid = result.valid
    assert (valid["code"] == "01015").sum() == 2  # commune-actuelle and commune-deleguee
    assert set(valid["type"]) == {"commune-actuelle", "commune-deleguee", "commune-associee", "arrondissement-municipal"}
    assert valid["siren"].isna().sum() == 6  # deleguee, associee, arrondissement, 3 communes of zone com
    assert valid["population"].isna().sum() == 4  # deleguee, associee, 98411, 98901
    assert valid.loc[valid["code"] == "69123", "codesPostaux"].item()[-1] == "69009"


def test_communes_json_old_keys_are_drift(tmp_path):
    """Negative: the keys assumed before (codeDepartement, codeRegion) stop the source, naming departement."""
    source, release = catalog.COMMUNES_SIREN, only_release(catalog.COMMUNES_SIREN)
    text = (FIXTURES / "decoupage_administratif" / release.file_name).read_text(encoding="utf-8")
    path = tmp_path / release.file_name
    old_keys = text.replace('"departement":', '"codeDepartement":').replace('"region":', '"codeRegion":')
    path.write_text(old_keys, encoding="utf-8")

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(source, release, path)
    assert "departement" in err.value.missing and "region" in err.value.missing
    assert "'departement'" in str(err.value)


def test_communes_contours_geojson_gz():
    """Etalab's communes-100m.geojson.gz layout: gzipped FeatureCollection, four properties, the
    geometry kept as GeoJSON text for ti_pipeline.geo."""
    source, release = catalog.COMMUNES_CONTOURS, only_release(catalog.COMMUNES_CONTOURS)
    path = FIXTURES / "contours" / release.file_name
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # a gzip, whatever its name says

    read, result = read_and_validate(source, release, path)

    assert read.info["gzip"] is True and read.info["features"] == 3
    assert_all_valid(result, 3)
    valid = result.valid.set_index("code")
    assert valid.loc["2A004", "nom"] == "Ajaccio" and valid.loc["97120", "region"] == "01"
    assert all(json.loads(g)["type"] in ("Polygon", "MultiPolygon") for g in valid["geometry"])


def test_communes_contours_without_code_is_drift(tmp_path):
    """Negative: a file whose features lost their ``code`` property stops the source, naming it."""
    import gzip

    source, release = catalog.COMMUNES_CONTOURS, only_release(catalog.COMMUNES_CONTOURS)
    doc = json.loads(gzip.decompress((FIXTURES / "contours" / release.file_name).read_bytes()))
    for f in doc["features"]:
        f["properties"]["insee"] = f["properties"].pop("code")
    path = tmp_path / release.file_name
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(source, release, path)
    assert "code" in err.value.missing


# ------------------------------------------------------------------------------------------------
# 7. Census bases communales: base-cc-…-YYYY_csv.zip holding base-cc-…-YYYY.CSV and a meta_ member,
#    ';', RP 2021 évolution-structure in latin-1; wide files of which a few columns are declared
# ------------------------------------------------------------------------------------------------
RP_COMMUNES = ["01001", "01053", "2A004", "13201", "97105"]
RP_NAMES = {"01001": "L'Abergement-Clémenciat", "01053": "Bourg-en-Bresse", "2A004": "Ajaccio",
            "13201": "Marseille 1er Arrondissement", "97105": "Basse-Terre"}
AGES = ["0014", "1529", "3044", "4559", "6074", "7589", "90P"]


def rp_population_header(m: int, history: tuple[int, ...]) -> list[str]:
    p = f"P{m % 100:02d}"
    cols = ["CODGEO", f"{p}_POP", *[f"{p}_POP{a}" for a in AGES]]
    cols += [f"{p}_POP1564", f"{p}_POP01P", *[f"{p}_POP01P_IRAN{i}" for i in range(1, 8)]]
    for h in history:  # the history years: same families, fewer of them
        cols += [f"P{h % 100:02d}_POP", *[f"P{h % 100:02d}_POP{a}" for a in AGES]]
    return cols


def rp_emploi_header(m: int, history: tuple[int, ...]) -> list[str]:
    p, c = f"P{m % 100:02d}", f"C{m % 100:02d}"
    cols = ["CODGEO", f"{p}_POP1564", f"{p}_POP1524", f"{p}_POP2554", f"{p}_POP5564", f"{p}_ACT1564", f"{p}_ACTOCC1564",
            f"{p}_CHOM1564", f"{p}_INACT1564", f"{p}_ETUD1564", f"{p}_RETR1564", f"{p}_AINACT1564", f"{c}_ACT1564"]
    if m <= 2021:  # PCS 2003
        groups = [f"CS{i}" for i in range(1, 7)]
    else:  # PCS 2020: STAT_GSEC11..16 (GSEC16 = ouvriers)
        groups = [f"STAT_GSEC{i}" for i in range(11, 17)]
    cols += [f"{c}_ACT1564_{g}" for g in groups]
    if m > 2021:
        cols.append(f"{c}_ACT1564_STAT_GSEC16_26")
    cols += [f"{c}_ACTOCC1564", *[f"{c}_ACTOCC1564_{g}" for g in groups]]
    cols += [f"{p}_EMPLT", f"{p}_ACTOCC", f"{p}_ACT15P", f"{p}_EMPLT_SAL", f"{p}_EMPLT_FSAL", f"{p}_EMPLT_SALTP",
             f"{p}_EMPLT_NSAL", f"{p}_EMPLT_FNSAL", f"{p}_EMPLT_NSALTP", f"{c}_EMPLT"]
    if m <= 2021:
        cols += [f"{c}_EMPLT_CS{i}" for i in range(1, 7)]
    sectors = ["AGRI", "INDUS", "CONST", "CTS", "APESAS"]
    cols += [f"{c}_EMPLT_{s}" for s in sectors]
    cols += [f"{c}_EMPLT_F", *[f"{c}_{s}LT_F" for s in sectors], f"{c}_EMPLT_SAL", *[f"{c}_{s}LT_SAL" for s in sectors]]
    for h in history:
        ph, ch = f"P{h % 100:02d}", f"C{h % 100:02d}"
        cols += [f"{ph}_POP1564", f"{ph}_ACT1564", f"{ph}_ACTOCC1564", f"{ph}_CHOM1564", f"{ph}_EMPLT", f"{ch}_EMPLT"]
    return cols


RP_CASES = {  # (source, millésime): (header, encoding)
    ("rp_population", 2021): (rp_population_header(2021, (2015,)), "latin-1"),
    ("rp_population", 2022): (rp_population_header(2022, (2016, 2011)), "utf-8"),
    ("rp_emploi", 2021): (rp_emploi_header(2021, (2015,)), "utf-8"),
    ("rp_emploi", 2022): (rp_emploi_header(2022, (2016, 2011)), "utf-8"),
}


def rp_value(code_index: int, col_index: int) -> str:
    """Invented figures, as Insee writes them: integers bare, weighted estimates with a '.' decimal."""
    x = (code_index + 1) * 1000 + col_index * 37.12345
    return str(int(x)) if col_index % 3 == 0 else f"{x:.5f}".rstrip("0").rstrip(".")


def rp_zip(tmp_path: Path, source, millesime: int, header: list[str], encoding: str) -> Path:
    release = source.release(millesime)
    member = release.file_name.removesuffix("_csv.zip") + ".CSV"
    lines = [";".join(header)]
    for i, code in enumerate(RP_COMMUNES):
        values = {"CODGEO": code, "LIBGEO": RP_NAMES[code]}
        lines.append(";".join(values.get(c) or rp_value(i, j) for j, c in enumerate(header)))
    data = ("\n".join(lines) + "\n").encode(encoding)
    labels = {"CODGEO": "Code du département suivi du numéro de commune", "LIBGEO": "Libellé de la commune"}
    meta = "COD_VAR;LIB_VAR\n" + "".join(
        f"{c};{labels.get(c, f'Variable {c} (âge, activité, catégorie socioprofessionnelle)')}\n" for c in header
    )
    return write_zip(tmp_path / release.file_name, {member: data, f"meta_{member}": meta.encode(encoding)})


@pytest.mark.parametrize("name, millesime", list(RP_CASES), ids=[f"{n}-{m}" for n, m in RP_CASES])
def test_census_base(tmp_path, name, millesime):
    source = catalog.get_source(name)
    header, encoding = RP_CASES[(name, millesime)]
    path = rp_zip(tmp_path, source, millesime, header, encoding)
    release = source.release(millesime)

    read, result = read_and_validate(source, release, path)

    assert read.info["member"].endswith(f"-{millesime}.CSV") and not read.info["member"].startswith("meta_")
    assert read.info["separator"] == ";"
    assert read.info["all_columns"] == header  # the projection read the declared columns only
    assert len(read.frame.columns) < len(header)
    assert_all_valid(result, len(RP_COMMUNES))
    declared = {c for c in header if c not in result.ignored_columns}
    assert set(result.valid.columns) == declared
    assert len(result.ignored_columns) >= 15  # undeclared census variables, known to the catalog
    assert list(result.valid["CODGEO"]) == RP_COMMUNES
    optional_absent = set(result.absent_optional_columns)
    yy = f"{millesime % 100:02d}"
    if name == "rp_population":
        assert optional_absent == {f"P{yy}_POP75P"}  # RP 2021 already has POP7589 / POP90P
    else:
        assert optional_absent == ({f"C{yy}_ACTOCC1564_STAT_GSEC16"} if millesime == 2021 else {f"C{yy}_ACTOCC1564_CS6"})


def test_census_2021_latin1_label_column(tmp_path):
    """Should the CSV carry its labels (the xlsx edition does; not seen in the CSV), latin-1 bytes
    are read through the reader's fallback and LIBGEO is known, not reported as added."""
    source = catalog.RP_POPULATION
    header = rp_population_header(2021, (2015,))
    header = [header[0], "LIBGEO", *header[1:]]
    path = rp_zip(tmp_path, source, 2021, header, "latin-1")
    with zipfile.ZipFile(path) as zf:
        assert b";L'Abergement-Cl\xe9menciat;" in zf.read("base-cc-evol-struct-pop-2021.CSV")

    read, result = read_and_validate(source, source.release(2021), path)

    assert read.info["encoding"] == "latin-1"
    assert_all_valid(result, len(RP_COMMUNES))
    assert "LIBGEO" in result.ignored_columns


def test_census_2022_history_year_2015_is_drift(tmp_path):
    """Negative: RP 2022's history columns are P16_ (and P11_), not P15_: a file with P15_POP stops
    the source, naming P16_POP."""
    source = catalog.RP_POPULATION
    header = [c.replace("P16_", "P15_") for c in rp_population_header(2022, (2016, 2011))]
    path = rp_zip(tmp_path, source, 2022, header, "utf-8")

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(source, source.release(2022), path)
    assert err.value.missing == ["P16_POP"]


# ------------------------------------------------------------------------------------------------
# 8. Flores A38 2024: DS_FLORES_A38_2024_CSV_FR.zip, '_data.csv' and '_metadata.csv', ';', quoted
# ------------------------------------------------------------------------------------------------
def flores_zip(tmp_path: Path, data: bytes | None = None) -> Path:
    folder = FIXTURES / "flores"
    return write_zip(tmp_path / "DS_FLORES_A38_2024_CSV_FR.zip", {
        "DS_FLORES_A38_2024_data.csv": data if data is not None else (folder / "DS_FLORES_A38_2024_data.csv").read_bytes(),
        "DS_FLORES_A38_2024_metadata.csv": (folder / "DS_FLORES_A38_2024_metadata.csv").read_bytes(),
    })


def test_flores_a38(tmp_path):
    source, release = catalog.FLORES_A38, catalog.FLORES_A38.release(2024)

    read, result = read_and_validate(source, release, flores_zip(tmp_path))

    assert read.info["member"] == "DS_FLORES_A38_2024_data.csv" and read.info["separator"] == ";"
    assert list(read.frame.columns) == [
        "GEO", "GEO_OBJECT", "ACTIVITY", "NUMBER_EMPL", "LEGAL_FORM_WITH_PUBLIC", "FLORES_MEASURE", "OBS_STATUS",
        "TIME_PERIOD", "OBS_VALUE",
    ]
    assert_all_valid(result, 11)
    valid = result.valid
    assert set(valid["OBS_STATUS"]) == {"A", "K", "W"}
    assert set(valid["LEGAL_FORM_WITH_PUBLIC"]) == {"1T9X7"}
    assert set(valid["GEO_OBJECT"]) == {"COM", "ZE2020", "DEP", "FRANCE"}
    secret = valid["OBS_STATUS"] == "K"
    assert valid.loc[secret, "OBS_VALUE"].isna().all() and valid.loc[~secret, "OBS_VALUE"].notna().all()
    assert valid.loc[valid["GEO"] == "F", "OBS_VALUE"].item() == 26604745


def test_flores_status_c_is_a_reject(tmp_path):
    """Negative: the status assumed before (C, confidential) is not one of Flores' codes: a reject (rule isin)."""
    text = (FIXTURES / "flores" / "DS_FLORES_A38_2024_data.csv").read_text(encoding="utf-8")
    old = '"01053";"COM";"CH";"E10T19";"1T9X7";"EMPL3112";"K";"2024";""'
    assert old in text
    data = text.replace(old, old.replace('"K"', '"C"')).encode("utf-8")

    _, result = read_and_validate(catalog.FLORES_A38, catalog.FLORES_A38.release(2024), flores_zip(tmp_path, data))

    assert result.rows_rejected == 1
    assert result.rejects["_rule"].tolist() == ["isin"] and result.rejects["_column"].tolist() == ["OBS_STATUS"]


@pytest.mark.parametrize("millesime, member", [(2022, "DS_FLORES_A38_data.csv"), (2023, "DS_FLORES_A38_2023_data.csv")])
def test_flores_a38_older_vintages(tmp_path, millesime, member):
    """The older vintages: the same layout, two years each (the vintage's and the one before); the
    2022 zip names its members without the year, 2023's with it (catalog evidence, unverified for A38).
    Commune codes are those of the vintage's COG (69152 Pierre-Bénite, merged into 69149 in 2024)."""
    source, release = catalog.FLORES_A38, catalog.FLORES_A38.release(millesime)
    folder = FIXTURES / "flores" / "2022"
    data = (folder / "DS_FLORES_A38_data.csv").read_text(encoding="utf-8")
    if millesime == 2023:
        data = data.replace('"2022";', '"2023";').replace('"2021";', '"2022";')
    path = write_zip(tmp_path / release.file_name, {
        member: data.encode("utf-8"),
        member.replace("_data.csv", "_metadata.csv"): (folder / "DS_FLORES_A38_metadata.csv").read_bytes(),
    })

    read, result = read_and_validate(source, release, path)

    assert read.info["member"] == member
    assert_all_valid(result, 8)
    assert sorted(result.valid["TIME_PERIOD"].unique()) == [millesime - 1, millesime]
    assert result.valid.loc[result.valid["GEO"] == "69152", "OBS_VALUE"].dropna().tolist() == [1204]


def test_flores_a38_2022_member_is_not_the_metadata(tmp_path):
    """Negative: a 2022 zip without its data member is refused, the metadata member is never read as data."""
    release = catalog.FLORES_A38.release(2022)
    folder = FIXTURES / "flores" / "2022"
    path = write_zip(tmp_path / release.file_name, {
        "DS_FLORES_A38_metadata.csv": (folder / "DS_FLORES_A38_metadata.csv").read_bytes(),
    })
    with pytest.raises(Exception, match=r"no member match"):
        read_and_validate(catalog.FLORES_A38, release, path)


# ------------------------------------------------------------------------------------------------
# Census historical series 2022: base-cc-serie-historique-2022_csv.zip, ';', population of every
# census year (P22 ... P06, D99 ... D68), with births, deaths and dwellings read past
# ------------------------------------------------------------------------------------------------
def test_rp_serie_historique(tmp_path):
    source, release = catalog.RP_SERIE_HISTORIQUE, only_release(catalog.RP_SERIE_HISTORIQUE)
    data = (FIXTURES / "rp_serie_historique" / "base-cc-serie-historique-2022.CSV").read_bytes()
    path = write_zip(tmp_path / release.file_name, {
        "meta_base-cc-serie-historique-2022.CSV": b"COD_VAR;LIB_VAR\nP22_POP;Population en 2022\n",
        "base-cc-serie-historique-2022.CSV": data,
    })

    read, result = read_and_validate(source, release, path)

    assert read.info["member"] == "base-cc-serie-historique-2022.CSV" and read.info["separator"] == ";"
    assert_all_valid(result, 4)
    v = result.valid.set_index("CODGEO")
    assert v.loc["01053", "D68_POP"] == 40407 and v.loc["01015", "P22_POP"] == pytest.approx(688.57891)
    assert "NAIS1622" not in result.valid.columns and "P22_LOG" not in result.valid.columns


def test_rp_serie_historique_without_2006_is_refused(tmp_path):
    """Negative: a series without the 2006 census (P06_POP) misses a declared column: the file is refused."""
    source, release = catalog.RP_SERIE_HISTORIQUE, only_release(catalog.RP_SERIE_HISTORIQUE)
    text = (FIXTURES / "rp_serie_historique" / "base-cc-serie-historique-2022.CSV").read_text(encoding="utf-8")
    text = text.replace(";P06_POP;", ";P07_POP;")
    path = write_zip(tmp_path / release.file_name, {"base-cc-serie-historique-2022.CSV": text.encode("utf-8")})
    with pytest.raises(Exception, match=r"P06_POP"):
        read_and_validate(source, release, path)


# ------------------------------------------------------------------------------------------------
# 9. Urssaf commune x APE, "-last" export: one rolling CSV, BOM, ';', 19 dimensions then
#    effectifs_salaries_2006..2025 and nombre_d_etablissements_2006..2025
# ------------------------------------------------------------------------------------------------
URSSAF_DIMENSIONS = [
    "region", "ancienne_region", "departement", "zone_d_emploi", "epci", "commune", "intitule_commune",
    "grand_secteur_d_activite", "secteur_na17", "secteur_na38", "secteur_na88", "ape",
    "code_region", "code_ancienne_region", "code_departement", "code_zone_d_emploi", "code_epci", "code_commune", "code_ape",
]


def test_urssaf_rolling_export():
    source, release = catalog.URSSAF_APE, only_release(catalog.URSSAF_APE)
    path = FIXTURES / "urssaf" / release.file_name
    assert path.read_bytes().startswith(b"\xef\xbb\xbfregion;")

    resolved = resolve_release(source, release, path)
    assert (resolved.millesime, resolved.cog_year) == (2025, 2026)

    read, result = read_and_validate(source, resolved, path)

    years = range(2006, 2026)
    header = URSSAF_DIMENSIONS + [f"effectifs_salaries_{y}" for y in years] + [f"nombre_d_etablissements_{y}" for y in years]
    assert read.info["bom"] and read.info["separator"] == ";"
    assert read.info["all_columns"] == header  # the byte order mark is not part of the first name
    assert_all_valid(result, 4)
    assert set(result.ignored_columns) == set(source.ignored_columns)  # the 13 other dimensions
    valid = result.valid
    assert list(valid["code_commune"]) == ["01053", "75101", "2A004", "01015"]  # Paris by arrondissement
    assert list(valid["code_ape"]) == ["2562B", "6201Z", "4120A", "7820Z"]
    assert valid["effectifs_salaries_2006"].isna().sum() == 2 and valid["effectifs_salaries_2025"].isna().sum() == 1


def test_urssaf_dotted_ape_is_a_reject(tmp_path):
    """Negative: an APE code written with a dot (62.01Z, one planning note's claim) is a reject (rule pattern)."""
    source, release = catalog.URSSAF_APE, only_release(catalog.URSSAF_APE)
    text = (FIXTURES / "urssaf" / release.file_name).read_text(encoding="utf-8")
    path = tmp_path / release.file_name
    path.write_text(text.replace(";75101;6201Z;", ";75101;62.01Z;"), encoding="utf-8")

    _, result = read_and_validate(source, resolve_release(source, release, path), path)

    assert result.rows_rejected == 1
    assert result.failure_counts == {("pattern", "code_ape"): 1}


# ------------------------------------------------------------------------------------------------
# 10. Sirene StockEtablissement_utf8.parquet (data.gouv.fr's DuckDB conversion): 54 columns, typed
# ------------------------------------------------------------------------------------------------
SIRENE_TYPES = {  # in file order; every other column is VARCHAR
    "dateCreationEtablissement": pa.date32(),
    "anneeEffectifsEtablissement": pa.int64(),
    "dateDernierTraitementEtablissement": pa.timestamp("us"),
    "etablissementSiege": pa.bool_(),
    "nombrePeriodesEtablissement": pa.int64(),
    "dateDebut": pa.date32(),
}
SIRENE_COLUMNS = [
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement", "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement", "dateDernierTraitementEtablissement",
    "etablissementSiege", "nombrePeriodesEtablissement", "complementAdresseEtablissement", "numeroVoieEtablissement",
    "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement", "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
    "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement", "numeroVoie2Etablissement", "indiceRepetition2Etablissement", "typeVoie2Etablissement",
    "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement", "codeCommune2Etablissement",
    "codeCedex2Etablissement", "libelleCedex2Etablissement", "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement", "dateDebut", "etatAdministratifEtablissement", "enseigne1Etablissement",
    "enseigne2Etablissement", "enseigne3Etablissement", "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement", "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
]


def _sirene_row(siren, nic, **values) -> dict:
    row = dict.fromkeys(SIRENE_COLUMNS)
    row.update(siren=siren, nic=nic, siret=siren + nic, statutDiffusionEtablissement="O", nombrePeriodesEtablissement=1,
               dateDernierTraitementEtablissement=dt.datetime(2025, 11, 3, 9, 41, 12), etatAdministratifEtablissement="A")
    row.update(values)
    return row


SIRENE_ROWS = [
    # a company's head office, employer, NAF rév. 2 and NAF 2025 codes
    _sirene_row("812345676", "00017", dateCreationEtablissement=dt.date(2015, 6, 1), trancheEffectifsEtablissement="12",
                anneeEffectifsEtablissement=2023, etablissementSiege=True, numeroVoieEtablissement="12",
                typeVoieEtablissement="RUE", libelleVoieEtablissement="DES CRAYES", codePostalEtablissement="01000",
                libelleCommuneEtablissement="BOURG-EN-BRESSE", codeCommuneEtablissement="01053",
                coordonneeLambertAbscisseEtablissement="872105.4", coordonneeLambertOrdonneeEtablissement="6570612.9",
                dateDebut=dt.date(2015, 6, 1), activitePrincipaleEtablissement="25.62B",
                nomenclatureActivitePrincipaleEtablissement="NAFRev2", caractereEmployeurEtablissement="O",
                activitePrincipaleNAF25Etablissement="2562Y"),
    # La Poste: a SIRET valid by its digit sum, not by Luhn
    _sirene_row("356000000", "49837", dateCreationEtablissement=dt.date(1991, 1, 1), trancheEffectifsEtablissement="11",
                anneeEffectifsEtablissement=2023, etablissementSiege=False, codePostalEtablissement="75001",
                libelleCommuneEtablissement="PARIS 1", codeCommuneEtablissement="75101", dateDebut=dt.date(2008, 1, 1),
                activitePrincipaleEtablissement="53.10Z", nomenclatureActivitePrincipaleEtablissement="NAFRev2",
                caractereEmployeurEtablissement="O", activitePrincipaleNAF25Etablissement="5310Y",
                nombrePeriodesEtablissement=3),
    # a closed establishment under the nomenclature of its time, no creation date, partially diffused
    _sirene_row("812345684", "00011", statutDiffusionEtablissement="P", etablissementSiege=True,
                numeroVoieEtablissement="[ND]", libelleVoieEtablissement="[ND]", codePostalEtablissement="20000",
                libelleCommuneEtablissement="AJACCIO", codeCommuneEtablissement="2A004", dateDebut=dt.date(2004, 12, 31),
                etatAdministratifEtablissement="F", activitePrincipaleEtablissement="28.5D",
                nomenclatureActivitePrincipaleEtablissement="NAFRev1", caractereEmployeurEtablissement="N",
                trancheEffectifsEtablissement="NN", nombrePeriodesEtablissement=2),
    # an establishment abroad: no commune code, a country
    _sirene_row("812345692", "00014", dateCreationEtablissement=dt.date(1987, 3, 16), etablissementSiege=False,
                libelleCommuneEtrangerEtablissement="BRUXELLES", codePaysEtrangerEtablissement="99131",
                libellePaysEtrangerEtablissement="BELGIQUE", dateDebut=dt.date(1987, 3, 16),
                activitePrincipaleEtablissement="51.1A", nomenclatureActivitePrincipaleEtablissement="NAF1993",
                etatAdministratifEtablissement="F"),
]


def sirene_parquet(path: Path, rows=SIRENE_ROWS, types=SIRENE_TYPES) -> Path:
    schema = pa.schema([pa.field(c, types.get(c, pa.string())) for c in SIRENE_COLUMNS])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, compression="zstd")
    return path


def test_sirene_stock_parquet(tmp_path):
    source, release = catalog.SIRENE_ETABLISSEMENTS, only_release(catalog.SIRENE_ETABLISSEMENTS)
    path = sirene_parquet(tmp_path / release.file_name)
    assert len(SIRENE_COLUMNS) == 54

    read, result = read_and_validate(source, release, path)

    assert read.info["all_columns"] == SIRENE_COLUMNS
    assert len(read.frame.columns) == len(source.fields)  # the declared columns only (projection)
    assert_all_valid(result, len(SIRENE_ROWS))
    assert set(result.ignored_columns) == set(source.ignored_columns)
    valid = result.valid
    assert str(valid["etablissementSiege"].dtype) == "boolean"
    assert str(valid["dateCreationEtablissement"].dtype).startswith("datetime64")
    assert valid["dateCreationEtablissement"].isna().sum() == 1
    assert list(valid["siret"][:2]) == ["81234567600017", "35600000049837"]

    # the pipeline's path: only the lauréats' companies, read by DuckDB with projection and filter
    batches = list(iter_parquet_batches(source, release, path, batch_rows=2, sirens=["356000000", "812345692"]))
    frames = [b.frame for b in batches]
    assert [len(f) for f in frames] == [2]
    filtered = validate(source, release.millesime, frames[0], file_name=release.file_name,
                        all_columns=batches[0].info.get("all_columns"))
    assert_all_valid(filtered, 2)


def test_sirene_integer_nic_is_drift(tmp_path):
    """Negative: the stocks of July 2025 - February 2026 stored nic as BIGINT (leading zeros lost):
    type drift naming nic."""
    source, release = catalog.SIRENE_ETABLISSEMENTS, only_release(catalog.SIRENE_ETABLISSEMENTS)
    rows = [{**r, "nic": int(r["nic"])} for r in SIRENE_ROWS]
    path = sirene_parquet(tmp_path / release.file_name, rows, {**SIRENE_TYPES, "nic": pa.int64()})

    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(source, release, path)
    assert list(err.value.dtype_problems) == ["nic"]
    assert "int64" in err.value.dtype_problems["nic"]


def test_fixture_readme_lists_every_fixture():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and path.name != "README.md":
            assert path.name in readme, f"{path.relative_to(FIXTURES)} is not described in tests/fixtures/real/README.md"
    json.loads((FIXTURES / "decoupage_administratif" / "communes.json").read_text(encoding="utf-8"))
