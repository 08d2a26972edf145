"""Readers on small files written in tmp_path: each real format and each quirk of SOURCES.md."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ti_pipeline.config import PROJECT_ROOT
from ti_pipeline.sources import catalog, readers
from ti_pipeline.sources.catalog import Release, get_source, sample_path
from ti_pipeline.sources.readers import (
    SourceFormatError,
    UnsafeArchiveError,
    cell_text,
    read_release,
    sniff_separator,
)

COG = catalog.COG_COMMUNES
COG_RELEASE = COG.releases[0]
RELANCE = catalog.RELANCE_LAUREATS
RELANCE_RELEASE = RELANCE.releases[0]
TI_COM = catalog.TI_COMMUNES
TI_COM_RELEASE = TI_COM.releases[0]

COG_HEADER = "TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT"
COG_ROWS = [
    "COM,01001,84,01,01D,012,5,ABERGEMENT CLEMENCIAT,Abergement-Clémenciat,L'Abergement-Clémenciat,0108,",
    "ARM,75101,11,75,75C,751,0,PARIS 1ER,Paris 1er,Paris 1er Arrondissement,,75056",
]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _cog_csv() -> bytes:
    return ("\n".join([COG_HEADER, *COG_ROWS]) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------------
def test_csv_in_zip_member_chosen_by_pattern_codes_keep_leading_zeros(tmp_path):
    z = _zip(
        tmp_path / COG_RELEASE.file_name,
        {
            "v_region_2025.csv": b"REG,LIBELLE\n84,Auvergne\n",
            "cog/v_commune_2025.csv": _cog_csv(),
            "v_commune_depuis_1943.csv": b"COM\n01001\n",
        },
    )
    result = read_release(COG, COG_RELEASE, z)
    df = result.frame
    assert result.info["member"] == "cog/v_commune_2025.csv"
    assert result.info["separator"] == ","
    assert result.info["encoding"] == "utf-8"
    assert "fallback" not in result.info
    assert result.info["rows"] == 2
    assert df["COM"].tolist() == ["01001", "75101"]
    assert df["REG"].iloc[0] == "84" and df["DEP"].iloc[0] == "01"
    assert pd.isna(df["COMPARENT"].iloc[0])  # empty cell -> missing, not ""
    assert df["COMPARENT"].iloc[1] == "75056"
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)


def test_zip_without_matching_member_lists_members(tmp_path):
    z = _zip(tmp_path / COG_RELEASE.file_name, {"v_region_2025.csv": b"REG\n84\n", "lisezmoi.txt": b"x"})
    with pytest.raises(SourceFormatError) as err:
        read_release(COG, COG_RELEASE, z)
    msg = str(err.value)
    assert "cog_communes" in msg and COG_RELEASE.file_name in msg
    assert "no member" in msg and "v_region_2025.csv" in msg and "lisezmoi.txt" in msg


def test_zip_with_several_matching_members_is_an_error(tmp_path):
    z = _zip(tmp_path / COG_RELEASE.file_name, {"a/v_commune_2025.csv": _cog_csv(), "b/v_commune_2025.csv": _cog_csv()})
    with pytest.raises(SourceFormatError, match="2 members"):
        read_release(COG, COG_RELEASE, z)


def test_zip_member_with_path_traversal_is_refused(tmp_path):
    z = _zip(tmp_path / COG_RELEASE.file_name, {"../../v_commune_2025.csv": _cog_csv()})
    with pytest.raises(UnsafeArchiveError, match="unsafe path"):
        read_release(COG, COG_RELEASE, z)
    assert not (tmp_path.parent / "v_commune_2025.csv").exists()


def test_zip_bomb_is_refused(tmp_path, monkeypatch):
    from ti_pipeline.sources import readers

    # 5 MB of one repeated byte compresses ~1000:1: far above a real CSV's ratio.
    z = _zip(tmp_path / COG_RELEASE.file_name, {"v_commune_2025.csv": b"0" * (5 * 1024 * 1024)})
    with pytest.raises(UnsafeArchiveError, match="zip bomb"):
        read_release(COG, COG_RELEASE, z)
    # The size limit holds even when the ratio does not trip.
    monkeypatch.setattr(readers.archives, "MAX_MEMBER_BYTES", 1000)
    z2 = _zip(tmp_path / "other.zip", {"v_commune_2025.csv": _cog_csv() * 20})
    with pytest.raises(UnsafeArchiveError, match="limit"):
        read_release(COG, COG_RELEASE, z2)


def test_zip_whose_member_lies_about_its_size_is_refused(tmp_path):
    z = _zip(tmp_path / COG_RELEASE.file_name, {"v_commune_2025.csv": _cog_csv()})
    # Rewrite the central directory so the member declares fewer bytes than it holds.
    data = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.infolist()[0]
    real = info.file_size.to_bytes(4, "little")
    cd = data.rfind(b"PK\x01\x02")
    pos = data.index(real, cd + 24)
    data[pos : pos + 4] = (10).to_bytes(4, "little")
    z.write_bytes(bytes(data))
    with pytest.raises(SourceFormatError):
        read_release(COG, COG_RELEASE, z)


def test_semicolon_and_comma_are_sniffed(tmp_path):
    rows = [
        # the real column order: code_departement after the CO2 column
        ["Acme", "TPE / PME", "123456789", "Indépendance / Compétitivité", "Relocalisation", "AIN", "OYONNAX", "01100",
         "46.25, 5.65", "Moules, outillage; presses", "Relocalisation", "2022-04-08", "Plasturgie", "", "1.0",
         "AUVERGNE-RHONE-ALPES"],
    ]
    header = [f.name for f in RELANCE.fields]
    semi = tmp_path / "semi.csv"
    # Free text with commas in a ';' file (quoted, as the DGE file does).
    semi.write_text(
        ";".join(header) + "\n" + ";".join(f'"{v}"' if (";" in v or "," in v) else v for v in rows[0]) + "\n",
        encoding="utf-8",
    )
    r = read_release(RELANCE, RELANCE_RELEASE, semi)
    assert r.info["separator"] == ";"
    assert r.frame["description_projet"].iloc[0] == "Moules, outillage; presses"
    assert r.frame["coordonnees_gps"].iloc[0] == "46.25, 5.65"

    comma = tmp_path / "comma.csv"
    comma.write_text("insee_com,lib_com,id_ti,lib_ti\n01001,L'Abergement,ti-8402,Bourg\n", encoding="utf-8")
    assert read_release(TI_COM, TI_COM_RELEASE, comma).info["separator"] == ","

    tab = tmp_path / "tab.csv"
    tab.write_text("insee_com\tlib_com\tid_ti\tlib_ti\n01001\tA, B\tti-8402\tBourg\n", encoding="utf-8")
    assert read_release(TI_COM, TI_COM_RELEASE, tab).info["separator"] == "\t"


def test_sniffer_ignores_stray_commas_in_unquoted_text():
    sample = "a;b;c\n1;x, y;3\n2;z;4\n"
    assert sniff_separator(sample) == ";"
    assert sniff_separator("a,b\n1,2\n3,") == ","


def test_utf8_bom_and_latin1_fallback_are_recorded(tmp_path):
    text = "insee_com;lib_com;id_ti;lib_ti\n01001;L'Abergement-Clémenciat;ti-8402;Bassin de Bourg-en-Bresse\n"
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    r = read_release(TI_COM, TI_COM_RELEASE, bom)
    assert list(r.frame.columns) == ["insee_com", "lib_com", "id_ti", "lib_ti"]  # no BOM glued to the name
    assert r.info["encoding"] == "utf-8" and r.info.get("bom") is True

    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.encode("latin-1"))
    r = read_release(TI_COM, TI_COM_RELEASE, latin)
    assert r.info["encoding"] == "latin-1" and r.info["fallback"] == "latin-1"
    assert r.frame["lib_com"].iloc[0] == "L'Abergement-Clémenciat"


def test_latin1_byte_beyond_the_sniffed_head_still_falls_back(tmp_path):
    line = "01001;Commune;ti-8402;Territoire\n"
    body = "insee_com;lib_com;id_ti;lib_ti\n" + line * 5000 + "01002;Châtillon;ti-8402;Territoire\n"
    p = tmp_path / "late.csv"
    p.write_bytes(body.encode("latin-1"))
    r = read_release(TI_COM, TI_COM_RELEASE, p)
    assert r.info["fallback"] == "latin-1"
    assert r.frame["lib_com"].iloc[-1] == "Châtillon"


def test_excel_wrappers_and_float_codes_are_normalised_only_in_code_columns(tmp_path):
    header = [f.name for f in RELANCE.fields]
    base = dict.fromkeys(header, "")
    rows = []
    for dep, cp, siren, co2 in [("971.0", '="01100"', "123456789", "12.0"), ("1.0", "97110", '="12345678900012"', ""), ("2A", "20000", "", "3.5")]:
        rows.append({**base, "code_departement": dep, "code_postal": cp, "siren": siren,
                     "tonnes_equivalent_co2_pour_les_projets_decarbonation": co2, "entreprise": "Acme 1.0"})
    p = tmp_path / "relance.csv"
    pd.DataFrame(rows).to_csv(p, sep=";", index=False)
    r = read_release(RELANCE, RELANCE_RELEASE, p)
    df = r.frame
    assert df["code_departement"].tolist() == ["971", "1", "2A"]
    assert df["code_postal"].tolist() == ["01100", "97110", "20000"]
    assert df["siren"].tolist()[:2] == ["123456789", "12345678900012"]
    # Not a code column: untouched (typing floats is the validation layer's business).
    assert df["tonnes_equivalent_co2_pour_les_projets_decarbonation"].iloc[0] == "12.0"
    assert df["entreprise"].iloc[0] == "Acme 1.0"
    assert r.info["codes_fixed"] == {"code_departement": 2, "code_postal": 1, "siren": 1}
    assert r.info["codes_fixed_total"] == 4


def test_regex_named_code_fields_match_several_columns(tmp_path):
    src = catalog.COG_PASSAGE
    rel = src.releases[0]
    p = _xlsx(
        tmp_path / "passage.xlsx",
        "COM",
        title_rows=5,
        header=["CODGEO_2024", "LIBGEO_2024", "CODGEO_2025", "LIBGEO_2025"],
        rows=[[1001, "A", "01001", "A"], [2.0, "B", '="02002"', "B"]],
    )
    r = read_release(src, replace(rel, member=None), p)
    assert r.frame["CODGEO_2024"].tolist() == ["1001", "2"]
    assert r.frame["CODGEO_2025"].tolist() == ["01001", "02002"]
    assert r.info["codes_fixed"] == {"CODGEO_2025": 1}


def test_html_page_instead_of_csv_names_source_file_and_title(tmp_path):
    p = tmp_path / TI_COM_RELEASE.file_name
    p.write_text(
        "<!DOCTYPE html>\n<html><head><title>Page introuvable - data.gouv.fr</title></head><body>404</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError) as err:
        read_release(TI_COM, TI_COM_RELEASE, p)
    msg = str(err.value)
    assert "ti_communes" in msg and TI_COM_RELEASE.file_name in msg
    assert "HTML page" in msg and "Page introuvable - data.gouv.fr" in msg and "instead of CSV" in msg


def test_empty_file_and_json_error_body_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceFormatError, match="empty file"):
        read_release(TI_COM, TI_COM_RELEASE, empty)
    err_body = tmp_path / "err.csv"
    err_body.write_text('{"message": "Resource not found", "status": 404}')
    with pytest.raises(SourceFormatError, match="JSON object .*Resource not found.* instead of CSV"):
        read_release(TI_COM, TI_COM_RELEASE, err_body)


def test_html_page_served_instead_of_a_zip(tmp_path):
    p = tmp_path / COG_RELEASE.file_name
    p.write_text("<html><head><title>Erreur 500</title></head></html>")
    with pytest.raises(SourceFormatError, match=r"HTML page \(title: 'Erreur 500'\) instead of a zip archive"):
        read_release(COG, COG_RELEASE, p)


# ------------------------------------------------------------------------------------------------
# xlsx
# ------------------------------------------------------------------------------------------------
def _xlsx(path: Path, sheet: str, title_rows: int, header: list, rows: list[list], other_sheet: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Lisez-moi" if other_sheet else sheet
    if other_sheet:
        ws.append(["Ce fichier contient..."])
        ws = wb.create_sheet(sheet)
    for i in range(title_rows):
        ws.append([f"Titre {i}"] if i % 2 == 0 else [])
    ws.append(header)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a text cell holding ="...", not a formula
    wb.save(path)
    return path


EPCI = catalog.EPCI
EPCI_RELEASE = EPCI.releases[0]


def _epci_zip(tmp_path: Path, rows=None, title_rows=5, break_styles=False) -> Path:
    rows = rows or [
        [200000172, "CC Bresse", "CC", 12],
        ["200069193", "CA Bourg", "CA", 74.0],
        ["ZZZZZZZZZ", "Sans EPCI", "ZZ", 4],
        [None, None, None, None],
    ]
    xlsx = _xlsx(tmp_path / "epci_au_01-01-2025.xlsx", "EPCI", title_rows, ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"], rows)
    data = xlsx.read_bytes()
    if break_styles:
        out = tmp_path / "broken.xlsx"
        with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                content = src.read(item.filename)
                if item.filename == "xl/styles.xml":
                    content = (
                        b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<fonts count="1"><font><sz val="abc"/></font></fonts></styleSheet>'
                    )
                dst.writestr(item, content)
        data = out.read_bytes()
    return _zip(tmp_path / EPCI_RELEASE.file_name, {"epci_au_01-01-2025.xlsx": data})


def test_xlsx_sheet_title_rows_and_numbers_as_text(tmp_path):
    r = read_release(EPCI, EPCI_RELEASE, _epci_zip(tmp_path))
    df = r.frame
    assert r.info["sheet"] == "EPCI" and r.info["skiprows"] == 5
    assert r.info["member"] == "epci_au_01-01-2025.xlsx"
    assert list(df.columns) == ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"]
    assert df["EPCI"].tolist() == ["200000172", "200069193", "ZZZZZZZZZ"]  # blank row dropped
    assert df["NB_COM"].tolist() == ["12", "74", "4"]  # 74.0 stored as float -> "74"
    assert all(pd.api.types.is_string_dtype(df[c]) for c in df.columns)


def test_xlsx_served_without_its_zip_is_read_as_is(tmp_path):
    xlsx = _xlsx(tmp_path / "epci.xlsx", "EPCI", 5, ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"], [["200000172", "CC", "CC", 3]])
    r = read_release(EPCI, EPCI_RELEASE, xlsx)
    assert r.info["unzipped_workbook"] is True and r.frame["NB_COM"].tolist() == ["3"]


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path):
    rel = replace(EPCI_RELEASE, sheet="Composition_communale")
    with pytest.raises(SourceFormatError, match=r"no sheet 'Composition_communale'.*'Lisez-moi', 'EPCI'"):
        read_release(EPCI, rel, _epci_zip(tmp_path))


def test_xlsx_with_a_broken_stylesheet_is_read_without_it(tmp_path, monkeypatch):
    # calamine (the fast reader) does not need the stylesheet; openpyxl, the fallback, strips it
    r = read_release(EPCI, EPCI_RELEASE, _epci_zip(tmp_path, break_styles=True))
    assert r.info["xlsx_reader"] == "calamine"
    assert r.frame["EPCI"].tolist()[0] == "200000172"
    monkeypatch.setattr(readers.xlsx, "_calamine_rows", lambda *a: None)
    (tmp_path / "again").mkdir()
    r = read_release(EPCI, EPCI_RELEASE, _epci_zip(tmp_path / "again", break_styles=True))
    assert r.info["xlsx_reader"] == "openpyxl" and "styles_stripped" in r.info
    assert r.frame["EPCI"].tolist()[0] == "200000172"


@pytest.mark.parametrize("sheet", ["EPCI", "Composition_communale"])
def test_xlsx_readers_agree(sheet, monkeypatch):
    # the sample's workbooks read by calamine and by openpyxl give the same frame
    source = get_source("epci" if sheet == "EPCI" else "epci_communes")
    release = source.releases[0]
    path = sample_path(PROJECT_ROOT / "data" / "sample", source, release)
    fast = read_release(source, release, path)
    monkeypatch.setattr(readers.xlsx, "_calamine_rows", lambda *a: None)
    slow = read_release(source, release, path)
    assert fast.info["xlsx_reader"] == "calamine" and slow.info["xlsx_reader"] == "openpyxl"
    pd.testing.assert_frame_equal(fast.frame, slow.frame)


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_xlsx_cells_read_column_by_column(tmp_path, monkeypatch, reader):
    # empty text cells are missing, a number in a text column is rendered, a blank row in the
    # middle dropped, a short row padded, a header cell left empty named as pandas would
    if reader == "openpyxl":
        monkeypatch.setattr(readers.xlsx, "_calamine_rows", lambda *a: None)
    rows = [
        ["200000172", "CC Bresse", "CC", 12],
        ["200069193", None, "CA", "74"],
        [None, None, None, None],
        [200071058, "CC Dombes", "CC"],
    ]
    xlsx = _xlsx(tmp_path / "epci.xlsx", "EPCI", 5, ["EPCI", "LIBEPCI", None, "NB_COM"], rows)
    r = read_release(EPCI, EPCI_RELEASE, xlsx)
    assert r.info["xlsx_reader"] == reader
    assert list(r.frame.columns) == ["EPCI", "LIBEPCI", "Unnamed: 2", "NB_COM"]
    assert r.frame["EPCI"].tolist() == ["200000172", "200069193", "200071058"]
    assert r.frame["LIBEPCI"].isna().tolist() == [False, True, False]
    assert r.frame["NB_COM"].tolist()[:2] == ["12", "74"] and pd.isna(r.frame["NB_COM"].iloc[2])
    assert all(pd.api.types.is_string_dtype(r.frame[c]) for c in r.frame.columns)


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_xlsx_value_right_of_the_header_is_an_error(tmp_path, monkeypatch, reader):
    if reader == "openpyxl":
        monkeypatch.setattr(readers.xlsx, "_calamine_rows", lambda *a: None)
    rows = [["200000172", "CC Bresse", "CC", 12], ["200069193", "CA Bourg", "CA", 74, None, 0]]
    xlsx = _xlsx(tmp_path / "epci.xlsx", "EPCI", 5, ["EPCI", "LIBEPCI", "NATURE_EPCI", "NB_COM"], rows)
    with pytest.raises(SourceFormatError, match=r"sheet 'EPCI': a value lies right of the last header column \(column 6\)"):
        read_release(EPCI, EPCI_RELEASE, xlsx)


def test_cell_text_renders_what_excel_shows():
    import datetime as dt

    assert cell_text(1001) == "1001"
    assert cell_text(971.0) == "971"
    assert cell_text(0.25) == "0.25"
    assert cell_text(None) is None
    assert cell_text("") is None
    assert cell_text(dt.datetime(2025, 1, 1)) == "2025-01-01"


def test_html_page_instead_of_xlsx(tmp_path):
    src = catalog.COG_PASSAGE
    rel = replace(src.releases[0], member=None, file_name="table.xlsx")
    p = tmp_path / "table.xlsx"
    p.write_text("<html><title>Maintenance</title></html>")
    with pytest.raises(SourceFormatError, match="HTML page .*Maintenance.* instead of an xlsx workbook"):
        read_release(src, rel, p)


# ------------------------------------------------------------------------------------------------
# Parquet and JSON
# ------------------------------------------------------------------------------------------------
SIRENE = catalog.SIRENE_ETABLISSEMENTS
SIRENE_RELEASE = SIRENE.releases[0]


def test_parquet_projection_keeps_declared_columns_and_reports_all(tmp_path):
    table = pa.table(
        {
            "siren": ["000325175"],
            "nic": ["00016"],
            "siret": ["00032517500016"],
            "etablissementSiege": [True],
            "codeCommuneEtablissement": ["01001"],
            "complementAdresseEtablissement": ["Bât. B"],  # present, not declared: projected out
            "activitePrincipaleNAF25Etablissement": ["25.62A"],
        }
    )
    p = tmp_path / SIRENE_RELEASE.file_name
    pq.write_table(table, p)
    r = read_release(SIRENE, SIRENE_RELEASE, p)
    assert list(r.frame.columns) == [
        "siren", "nic", "siret", "etablissementSiege", "codeCommuneEtablissement", "activitePrincipaleNAF25Etablissement"
    ]
    assert "complementAdresseEtablissement" in r.info["all_columns"]
    assert r.frame["etablissementSiege"].dtype == bool  # native types
    assert r.frame["siren"].iloc[0] == "000325175"


def test_html_instead_of_parquet(tmp_path):
    p = tmp_path / SIRENE_RELEASE.file_name
    p.write_text("<!doctype html><html><head><title>502 Bad Gateway</title></head></html>")
    with pytest.raises(SourceFormatError, match="502 Bad Gateway.*instead of a Parquet file"):
        read_release(SIRENE, SIRENE_RELEASE, p)


JSON_SRC = catalog.COMMUNES_SIREN
JSON_RELEASE = JSON_SRC.releases[0]


def test_json_array_of_objects_lists_stay_lists(tmp_path):
    p = tmp_path / "communes.json"
    p.write_text(
        json.dumps(
            [
                {"code": "01001", "nom": "L'Abergement", "siren": "210100012", "codesPostaux": ["01400"], "population": 859},
                {"code": "2A004", "nom": "Ajaccio", "siren": "212000046", "codesPostaux": ["20000", "20090"]},
            ]
        )
    )
    r = read_release(JSON_SRC, JSON_RELEASE, p)
    assert r.frame["codesPostaux"].iloc[1] == ["20000", "20090"]
    assert r.frame["code"].tolist() == ["01001", "2A004"]
    assert pd.isna(r.frame["population"].iloc[1])


def test_json_object_instead_of_array(tmp_path):
    p = tmp_path / "communes.json"
    p.write_text(json.dumps({"communes": []}))
    with pytest.raises(SourceFormatError, match="keys \\['communes'\\] instead of a JSON array"):
        read_release(JSON_SRC, JSON_RELEASE, p)


# ------------------------------------------------------------------------------------------------
# The committed synthetic sample: every release of every source reads with the catalog's columns
# ------------------------------------------------------------------------------------------------
def _sample_releases():
    from ti_pipeline.config import get_paths

    sample_dir = get_paths().sample_dir
    for source in catalog.SOURCES:
        for release in source.releases:
            yield pytest.param(sample_dir, source, release, id=f"{source.name}-{release.millesime}")


@pytest.mark.parametrize("sample_dir,source,release", list(_sample_releases()))
def test_every_sample_release_reads_with_the_catalog_columns(sample_dir, source, release):
    import re

    path = catalog.sample_path(sample_dir, source, release)
    if not path.is_file():
        pytest.skip(f"sample not generated yet: {path}")
    r = read_release(source, release, path)
    columns = list(r.frame.columns)
    assert r.info["rows"] > 0
    for f in source.fields_for(release.millesime):
        if f.name_is_regex:
            present = [c for c in columns if re.fullmatch(f.name, c)]
        else:
            present = [f.name] if f.name in columns else []
        if f.required:
            assert present, f"{source.name} {release.millesime}: column {f.name!r} missing; has {columns[:20]}"
        if f.code and source.fmt in ("csv", "xlsx"):
            for c in present:
                values = r.frame[c].dropna()
                assert not values.str.match(r'^(="|\d+\.0+$)').any(), f"{source.name}.{c} keeps Excel/float code forms"
    if source.fmt in ("csv", "xlsx"):
        assert all(pd.api.types.is_string_dtype(r.frame[c]) for c in columns)
    if source.fmt != "parquet":
        # the sample carries only columns the catalog declares or knows (ignored_columns)
        declared = source.fields_for(release.millesime)
        extra = [c for c in r.info.get("all_columns", columns)
                 if not any((f.name_is_regex and re.fullmatch(f.name, c)) or f.name == c for f in declared)
                 and not any(re.fullmatch(p, c) for p in source.ignored_columns)]
        assert not extra, f"{source.name}: undeclared columns {extra}"


RP_POP = catalog.RP_POPULATION
RP_POP_2021 = RP_POP.release(2021)


def _rp_zip(tmp_path: Path, header: list[str], rows: list[list[str]]) -> Path:
    text = "\n".join(";".join(r) for r in [header, *rows]) + "\n"
    return _zip(tmp_path / RP_POP_2021.file_name, {"base-cc-evol-struct-pop-2021.CSV": text.encode("utf-8")})


RP_DECLARED = ["CODGEO", "P21_POP", "P21_POP0014", "P21_POP1529", "P21_POP3044", "P21_POP4559", "P21_POP6074",
               "P21_POP7589", "P21_POP90P", "P15_POP"]


def test_a_wide_csv_is_read_for_its_declared_columns_and_validates_as_a_whole(tmp_path):
    """The census bases have 321 columns, 17 declared: only those are converted; validation sees
    every column name (what it drops, what drifted) as it would reading the whole file."""
    from ti_pipeline.validation import validate

    extra = [f"C21_POP15P_CS{k}" for k in range(1, 9)] + [f"P21_H{k:02d}" for k in range(30)]
    header = RP_DECLARED[:4] + extra[:10] + RP_DECLARED[4:] + extra[10:]
    rows = [["01001", *[str(i + j) for j in range(len(header) - 1)]] for i in range(3)]
    path = _rp_zip(tmp_path, header, rows)
    projected = read_release(RP_POP, RP_POP_2021, path)
    assert list(projected.frame.columns) == RP_DECLARED
    assert projected.info["all_columns"] == header
    a = validate(RP_POP, 2021, projected.frame, file_name=path.name, all_columns=projected.info["all_columns"])
    b = validate(RP_POP, 2021, pd.read_csv(path, sep=";", dtype=str), file_name=path.name)
    assert a.valid.equals(b.valid) and a.ignored_columns == b.ignored_columns == extra
    assert a.added_columns == b.added_columns == []
    # a declared column gone from a wide file is still a missing column, with its likely rename
    renamed = [("P21_POP_0014" if h == "P21_POP0014" else h) for h in header]
    r = read_release(RP_POP, RP_POP_2021, _rp_zip(tmp_path, renamed, rows))
    from ti_pipeline.validation.drift import SchemaDriftError

    with pytest.raises(SchemaDriftError, match="P21_POP0014") as err:
        validate(RP_POP, 2021, r.frame, file_name=path.name, all_columns=r.info["all_columns"])
    assert "P21_POP_0014" in str(err.value)


def test_a_wide_csv_with_duplicated_names_is_read_whole(tmp_path):
    """An unusual header (a name twice) is read as before, whole, so validation reports it."""
    header = RP_DECLARED + ["P21_H01", "P21_H01"]
    path = _rp_zip(tmp_path, header, [["01001", *["1"] * (len(header) - 1)]])
    r = read_release(RP_POP, RP_POP_2021, path)
    assert "all_columns" not in r.info and len(r.frame.columns) == len(header)
