"""The drift policy on real files (DESIGN.md decision 9): a column a publisher adds does not stop
the refresh, it is named by the WARN check ``colonnes_attendues`` and not kept; a declared column
that disappears stops its source, says which, and leaves the previous outputs as they were.

The files are the sample's, rewritten in their own format (CSV, CSV in a zip, xlsx in a zip, JSON,
Parquet) with one column more or less; ingestion and the refresh are the real ones.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from pathlib import Path

import dagster as dg
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from test_validation_dagster import (  # noqa: F401 - fixtures
    defs,
    downstream_of,
    marts_snapshot,
    materialized,
    pipeline,
    pristine_sample,
    step_failure_messages,
    tree_snapshot,
)
from ti_pipeline.ingest.vintages import ingest_vintages
from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import SOURCES, Source, get_source, sample_path
from ti_pipeline.defs.raw import COLUMNS_CHECK_NAME

ADDED = "colonne_ajoutee"


def _edit_csv_text(text: str, change) -> str:
    """Apply ``change(cells: list[str], is_header: bool) -> list[str]`` to every line of a CSV text
    (the sample's CSVs quote no separator inside a cell, except the DGE file's free text, handled by
    splitting on the separator outside quotes)."""
    import csv

    lines = text.splitlines()
    sep = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    quoted = '"' in lines[0]
    out = []
    for i, line in enumerate(lines):
        cells = next(csv.reader([line], delimiter=sep))
        cells = change(cells, i == 0)
        writer_buffer = io.StringIO()
        csv.writer(writer_buffer, delimiter=sep, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL,
                   lineterminator="").writerow(cells)
        out.append(writer_buffer.getvalue())
    return "\n".join(out) + "\n"


def _edit_csv_bytes(data: bytes, change, encoding: str) -> bytes:
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + _edit_csv_text(text, change).encode(encoding)


def _rewrite_zip(path: Path, member_pattern: str, edit) -> None:
    import re

    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info.filename, edit(data) if re.search(member_pattern, info.filename) else data)


def _edit_xlsx(data: bytes, sheet: str, header_row: int, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    ws.delete_rows(1, ws.max_row)
    for i, row in enumerate(rows):
        if i < header_row:
            ws.append(row)
        else:
            ws.append(change([("" if v is None else str(v)) for v in row], i == header_row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _edit_xls(data: bytes, sheet: str, header_row: int, change) -> bytes:
    """The same for an Excel 97 workbook (the census bases of RP 2011 and 2016): read by calamine,
    written again by xlwt, every sheet kept, the release's sheet changed below its title rows."""
    import xlwt
    from python_calamine import CalamineWorkbook

    source = CalamineWorkbook.from_filelike(io.BytesIO(data))
    wb = xlwt.Workbook(encoding="utf-8")
    for name in source.sheet_names:
        rows = source.get_sheet_by_name(name).to_python()
        ws = wb.add_sheet(name)
        for i, row in enumerate(rows):
            cells = row if name != sheet or i < header_row else change([("" if v is None else str(v)) for v in row], i == header_row)
            for j, v in enumerate(cells):
                if v not in (None, ""):
                    ws.write(i, j, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite_sample(sample: Path, source: Source, change) -> None:
    """Rewrite the sample file of every release of ``source`` in its own format, each row passed
    to ``change(cells, is_header)`` (JSON and Parquet: the column dictionary or table)."""
    for release in source.releases:
        path = sample_path(sample, source, release)
        encoding = "latin-1" if (source.name, release.millesime) == ("rp_population", 2021) else "utf-8"
        if source.fmt_of(release) == "xls":
            skip = source.skiprows_of(release)
            _rewrite_zip(path, release.member, lambda d: _edit_xls(d, release.sheet, skip, change))
        elif source.fmt == "csv" and release.member is None:
            path.write_bytes(_edit_csv_bytes(path.read_bytes(), change, encoding))
        elif source.fmt == "csv":
            _rewrite_zip(path, release.member, lambda d: _edit_csv_bytes(d, change, encoding))
        elif source.fmt == "xlsx":
            _rewrite_zip(path, release.member, lambda d: _edit_xlsx(d, release.sheet, source.skiprows, change))
        elif source.fmt == "json":
            items = json.loads(path.read_text(encoding="utf-8"))
            for k, item in enumerate(items):  # each object has its own keys
                keys = change(list(item), True)
                values = change(list(item.values()), False)
                items[k] = dict(zip(keys, values))
            path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        elif source.fmt == "geojson":  # a gzipped FeatureCollection: each feature's properties
            doc = json.loads(gzip.decompress(path.read_bytes()))
            for feature in doc["features"]:
                props = feature["properties"]
                feature["properties"] = dict(zip(change(list(props), True), change(list(props.values()), False)))
            path.write_bytes(gzip.compress(json.dumps(doc, ensure_ascii=False).encode("utf-8")))
        elif source.fmt == "parquet":
            table = pq.read_table(path)
            names = change(list(table.column_names), True)
            if ADDED in names:
                table = table.append_column(ADDED, pa.array(["x"] * table.num_rows))
            else:
                table = table.select([n for n in table.column_names if n in names])
            pq.write_table(table, path)
        else:
            raise AssertionError(source.fmt)


def add_column(cells: list, is_header: bool) -> list:
    return [*cells, ADDED if is_header else "x"]


@pytest.mark.parametrize("source", [pytest.param(s, id=s.name) for s in SOURCES])
def test_a_column_added_to_any_source_is_reported_and_not_kept(tmp_path, pristine_sample, source):
    sample = tmp_path / "sample"
    shutil.copytree(pristine_sample, sample)
    rewrite_sample(sample, source, add_column)
    paths = Paths(data_dir=tmp_path / "data", sample_dir=sample)
    if source.siren_filter:  # read for the SIRENs of the lauréat sources: they come first
        for name in source.siren_filter.sources:
            ingest_vintages(get_source(name), list(get_source(name).releases), paths, "sample")
    ingested, _ = ingest_vintages(source, list(source.releases), paths, "sample")
    assert ingested
    for item in ingested:
        assert item.result.added_columns == [ADDED], (source.name, item.release.millesime)
        assert item.result.rows_rejected == 0
        kept = pq.read_schema(paths.raw_partition(source.name, item.release.millesime) / "data.parquet").names
        assert ADDED not in kept


def _add_csv_column(sample: Path, source_name: str) -> None:
    rewrite_sample(sample, get_source(source_name), add_column)


def _drop_csv_column(sample: Path, source_name: str, column: str) -> None:
    state = {}

    def drop(cells, is_header):
        if is_header:
            state["i"] = cells.index(column)
        return [c for k, c in enumerate(cells) if k != state["i"]]

    rewrite_sample(sample, get_source(source_name), drop)


def columns_evaluation(result, asset: str):
    for event in result.get_asset_check_evaluations():
        if event.asset_key == dg.AssetKey(asset) and event.check_name == COLUMNS_CHECK_NAME:
            return event
    raise AssertionError(f"no {COLUMNS_CHECK_NAME} evaluation for {asset}")


def test_an_added_column_warns_by_name_and_the_refresh_completes(pipeline):  # noqa: F811
    _add_csv_column(pipeline.sample, "flores_a38")
    result = pipeline()
    assert result.success
    check = columns_evaluation(result, "raw_flores_a38")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert f"'{ADDED}'" in check.description and "DS_FLORES_A38_2024_CSV_FR.zip" in check.description
    # every Flores vintage's file got the column: each is reported under its vintage
    assert check.metadata["added_columns"].value == {"2024": [ADDED], "2023": [ADDED], "2022": [ADDED]}
    # the other sources' files are as declared
    assert columns_evaluation(result, "raw_urssaf_ape").passed
    assert {"mart_ti_indicateurs", "mart_ti_secteurs"} <= materialized(result)


def test_a_declared_column_removed_stops_its_source_and_keeps_the_previous_outputs(pipeline, defs):  # noqa: F811
    assert pipeline().success
    blocked = downstream_of(defs, "raw_urssaf_ape")
    lake = pipeline.marts.parent / "lake"
    raw_before = tree_snapshot(lake / "raw" / "urssaf_ape")
    marts_before = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}

    _drop_csv_column(pipeline.sample, "urssaf_ape", "code_ape")
    result = pipeline()

    assert not result.success
    message = step_failure_messages(result)
    assert "Schema drift in source 'urssaf_ape'" in message
    assert "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv" in message
    assert "column 'code_ape' missing" in message
    assert not materialized(result) & (blocked | {"raw_urssaf_ape"})
    assert tree_snapshot(lake / "raw" / "urssaf_ape") == raw_before
    assert {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked} == marts_before
