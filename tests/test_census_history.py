"""The census bases communales of several vintages (issue 24, history since 2006): rp_emploi
RP 2011 and 2016 (Excel 97 xls workbooks in a zip), RP 2019 and 2020 (CSV zips, the 2020 member
"_v2"), beside RP 2021 and 2022.

- Each older vintage read in its real layout (``ti_pipeline/sources/catalog/census.py``, evidence):
  the xls's sheet ``COM_<YYYY>`` below 5 title rows with CODGEO, REG, DEP, LIBGEO first, Paris, Lyon
  and Marseille whole (their arrondissements on ``ARM_<YYYY>``, not read); columns not seen in the
  old files are tolerated there, the ones the changes need are not.
- Bad input: a required column missing from an old vintage stops the source with a message naming
  source, file and column; an xlsx served in place of the xls is refused as such.
- Live mode: the vintages downloaded from a local HTTP server read the same as in sample mode.
- The long series recomputed by hand for one territory across three vintages (2011, 2016, 2022),
  from the sample's zips (python-calamine for the xls, csv for the rest: not the SQL under test),
  with the changes since 2011 and 2016 and their comparators.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlwt
from python_calamine import CalamineWorkbook

import sample_files as files
from http_server import LocalServer
from test_marts import indicateurs, row  # noqa: F401  (module fixture shared with test_marts)
from test_real_formats import RP_COMMUNES, RP_NAMES, assert_all_valid, read_and_validate, rp_emploi_header, rp_value
from ti_pipeline.config import Paths
from ti_pipeline.ingest.obtain import obtain
from ti_pipeline.sources import catalog
from ti_pipeline.sources.readers import SourceFormatError, read_release
from ti_pipeline.validation import SchemaDriftError

SOURCE = catalog.RP_EMPLOI
REG = {"01001": "84", "01053": "84", "2A004": "94", "13055": "93", "97105": "01"}


# --- the real layouts ----------------------------------------------------------------------------


def _csv_zip(tmp_path: Path, millesime: int, member: str, encoding: str) -> tuple[Path, list[str]]:
    header = rp_emploi_header(millesime, (millesime - 6,))
    lines = [";".join(header)] + [
        ";".join(code if c == "CODGEO" else rp_value(i, j) for j, c in enumerate(header))
        for i, code in enumerate(RP_COMMUNES)
    ]
    path = tmp_path / SOURCE.release(millesime).file_name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, ("\n".join(lines) + "\n").encode(encoding))
        zf.writestr("meta_" + member, "COD_VAR;LIB_VAR\nCODGEO;Code géographique\n".encode(encoding))
    return path, header


@pytest.mark.parametrize("millesime, member, encoding", [
    (2020, "base-cc-emploi-pop-active-2020_v2.CSV", "utf-8"),
    (2019, "base-cc-emploi-pop-active-2019.CSV", "latin-1"),
])
def test_census_emploi_csv_vintages(tmp_path, millesime, member, encoding):
    path, header = _csv_zip(tmp_path, millesime, member, encoding)
    read, result = read_and_validate(SOURCE, SOURCE.release(millesime), path)
    assert read.info["member"] == member
    assert read.info["all_columns"] == header
    assert_all_valid(result, len(RP_COMMUNES))
    yy = f"{millesime % 100:02d}"
    assert {f"P{yy}_EMPLT", f"C{yy}_EMPLT_INDUS", f"P{millesime % 100 - 6:02d}_EMPLT"} <= set(result.valid.columns)


def xls_header(millesime: int, history: int, drop: tuple[str, ...] = ()) -> list[str]:
    """CODGEO, REG, DEP, LIBGEO, then the emploi families of RP 2021 with the vintage's prefixes
    and its history columns ``history`` years back."""
    header = rp_emploi_header(millesime, (millesime - history,))
    return ["CODGEO", "REG", "DEP", "LIBGEO", *[c for c in header[1:] if c not in drop]]


def xls_zip(tmp_path: Path, millesime: int, header: list[str], sheets: tuple[str, ...] | None = None) -> Path:
    """The zip of an old census base: one xls, sheets COM_YYYY (PLM whole) and ARM_YYYY, 5 title rows."""
    communes = [c if c != "13201" else "13055" for c in RP_COMMUNES]
    wb = xlwt.Workbook(encoding="utf-8")
    for sheet in sheets or (f"COM_{millesime}", f"ARM_{millesime}"):
        ws = wb.add_sheet(sheet)
        ws.write(0, 0, f"Base communale emploi - population active {millesime}")
        ws.write(1, 0, "France hors Mayotte")
        ws.write(4, 0, "Code géographique")
        units = communes if sheet.startswith("COM") else ["13201", "13202"]
        for j, name in enumerate(header):
            ws.write(5, j, name)
        for i, code in enumerate(units):
            for j, name in enumerate(header):
                if name == "CODGEO":
                    ws.write(6 + i, j, code)
                elif name == "REG":
                    ws.write(6 + i, j, REG.get(code, "93"))
                elif name == "DEP":
                    ws.write(6 + i, j, code[:2] if not code.startswith("97") else code[:3])
                elif name == "LIBGEO":
                    ws.write(6 + i, j, RP_NAMES.get(code, "Marseille"))
                else:
                    ws.write(6 + i, j, float(rp_value(i, j)))
    buf = io.BytesIO()
    wb.save(buf)
    release = SOURCE.release(millesime)
    path = tmp_path / release.file_name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"base-cc-emploi-pop-active-{millesime}.xls", buf.getvalue())
    return path


@pytest.mark.parametrize("millesime", [2016, 2011])
def test_census_emploi_xls_vintages(tmp_path, millesime):
    header = xls_header(millesime, 5)
    path = xls_zip(tmp_path, millesime, header)
    read, result = read_and_validate(SOURCE, SOURCE.release(millesime), path)
    assert read.info["format"] == "xls" and read.info["sheet"] == f"COM_{millesime}" and read.info["skiprows"] == 5
    assert_all_valid(result, len(RP_COMMUNES))
    # the communes sheet only: Marseille whole, its arrondissements (sheet ARM) not read
    assert list(result.valid["CODGEO"]) == ["01001", "01053", "2A004", "13055", "97105"]
    assert {"REG", "DEP", "LIBGEO"} <= set(result.ignored_columns)
    yy = f"{millesime % 100:02d}"
    # numbers written as numbers in the workbook come back as the text a user sees
    assert result.valid[f"P{yy}_EMPLT"].iloc[0] == pytest.approx(float(rp_value(0, header.index(f"P{yy}_EMPLT"))))


def test_census_2011_without_industry_columns_is_read(tmp_path):
    """The RP 2011 base's C11_EMPLT_INDUS was not seen: a file without it is read (the industrial
    changes since 2011 then have no value), as is one without the columns first seen in RP 2021."""
    header = xls_header(2011, 5, drop=("C11_EMPLT_INDUS", "C11_EMPLT", "C11_INDUSLT_F", "C11_INDUSLT_SAL", "P11_EMPLT_SAL"))
    path = xls_zip(tmp_path, 2011, header)
    read, result = read_and_validate(SOURCE, SOURCE.release(2011), path)
    assert_all_valid(result, len(RP_COMMUNES))
    assert {"C11_EMPLT_INDUS", "C11_EMPLT", "P05_EMPLT"} <= set(result.absent_optional_columns)


def test_census_2016_without_industry_is_drift(tmp_path):
    """Negative: C16_EMPLT_INDUS is required from RP 2016 on (seen there): without it the source
    stops, the message naming the source, the file and the column."""
    header = xls_header(2016, 5, drop=("C16_EMPLT_INDUS",))
    path = xls_zip(tmp_path, 2016, header)
    with pytest.raises(SchemaDriftError) as err:
        read_and_validate(SOURCE, SOURCE.release(2016), path)
    assert err.value.missing == ["C16_EMPLT_INDUS"]
    message = str(err.value)
    assert "rp_emploi" in message and "C16_EMPLT_INDUS" in message and "base-cc-emploi-pop-active-2016" in message


def test_census_xls_without_its_communes_sheet_is_refused(tmp_path):
    path = xls_zip(tmp_path, 2016, xls_header(2016, 5), sheets=("COM", "ARM"))
    with pytest.raises(SourceFormatError, match=r"rp_emploi.*no sheet 'COM_2016'"):
        read_release(SOURCE, SOURCE.release(2016), path)


def test_census_xlsx_in_place_of_the_xls_is_refused(tmp_path):
    """Negative: the xlsx edition (Insee's 'ccx' zips of later years) under the xls's name is not
    mistaken for it."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "COM_2016"
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / SOURCE.release(2016).file_name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("base-cc-emploi-pop-active-2016.xls", buf.getvalue())
    with pytest.raises(SourceFormatError, match=r"rp_emploi.*instead of an xls"):
        read_release(SOURCE, SOURCE.release(2016), path)


# --- live mode -------------------------------------------------------------------------------------


def test_census_vintages_downloaded_in_live_mode(tmp_path, monkeypatch):
    """Every rp_emploi vintage through the real downloader from a local HTTP server (at the path of
    its live URL) reads the same as the sample's file."""
    server = LocalServer().start()
    try:
        for name, value in server.publish_catalog(files.SAMPLE, sources=[SOURCE]).items():
            monkeypatch.setenv(name, value)
        paths = Paths(tmp_path, files.SAMPLE)
        for release in SOURCE.releases:
            live = obtain(SOURCE, release, paths, "live")
            assert live.provenance["url"].startswith(server.base_url), live.provenance["url"]
            a = read_release(SOURCE, release, live.path).frame
            b = read_release(SOURCE, release, catalog.sample_path(files.SAMPLE, SOURCE, release)).frame
            pd.testing.assert_frame_equal(a, b)
    finally:
        server.stop()


# --- the long series by hand: three vintages ------------------------------------------------------


def _xls_com_sheet(millesime: int) -> pd.DataFrame:
    release = SOURCE.release(millesime)
    with zipfile.ZipFile(catalog.sample_path(files.SAMPLE, SOURCE, release)) as z:
        data = z.read(f"base-cc-emploi-pop-active-{millesime}.xls")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(f"COM_{millesime}").to_python()
    header, body = rows[5], rows[6:]
    df = pd.DataFrame(body, columns=header)
    df["commune"] = files.to_2025(df["CODGEO"].astype(str), release.cog_year)
    return df


def _level(id_ti: str, millesime: int, variable: str) -> float:
    yy = f"{millesime % 100:02d}"
    column = f"{variable[0]}{yy}_{variable[2:]}"  # P_EMPLT -> P16_EMPLT
    members = files.members_2025(id_ti)
    if SOURCE.fmt_of(SOURCE.release(millesime)) == "xls":
        df = _xls_com_sheet(millesime)
        return float(df.loc[df["commune"].isin(members), column].astype(float).sum())
    return files.rp_sum(id_ti, "rp_emploi", millesime, column)


def test_census_jobs_long_series_by_hand_in_three_vintages(indicateurs):  # noqa: F811
    """ti-8402's jobs at place of work and industrial jobs summed by hand from the RP 2011 and 2016
    xls and the RP 2022 CSV (onto COG 2025), each year from its own vintage; the changes since 2011
    and 2016 to 2022, with their comparators."""
    id_ti = "ti-8402"
    jobs = {m: _level(id_ti, m, "P_EMPLT") for m in (2011, 2016, 2022)}
    indus = {m: _level(id_ti, m, "C_EMPLT_INDUS") for m in (2011, 2016, 2022)}
    for m in (2011, 2016, 2022):
        r = row(indicateurs, id_ti, "emplois_lt", m)
        assert jobs[m] > 0 and r.valeur == pytest.approx(jobs[m]) and r.millesime == m, m
        assert row(indicateurs, id_ti, "emplois_industrie_lt", m).valeur == pytest.approx(indus[m]), m
    # the three vintages are three different years of the sample's economy, not one figure repeated
    assert len({round(v) for v in jobs.values()}) == 3
    for base in (2011, 2016):
        r = row(indicateurs, id_ti, f"evol_emplois_lt_depuis_{base}", 2022)
        assert r.annee_base == base
        assert r.valeur == pytest.approx(jobs[2022] / jobs[base] - 1)
        assert r.valeur_france is not None and r.valeur_region is not None
        i = row(indicateurs, id_ti, f"evol_emplois_industrie_lt_depuis_{base}", 2022)
        assert i.valeur == pytest.approx(indus[2022] / indus[base] - 1)
        assert i.valeur_france is not None and i.valeur_region is not None
    # every census vintage read is a year of the series
    years = indicateurs[(indicateurs.id_ti == id_ti) & (indicateurs.code_indicateur == "emplois_lt")].annee
    assert sorted(years) == [2011, 2016, 2019, 2020, 2021, 2022]
