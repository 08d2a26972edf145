"""Byte-reproducible file writers for the sample: zip archives, CSV, xlsx with title rows, Parquet.

What belongs here: turning rows (lists, DataFrames, Arrow tables) into files whose bytes depend only
on their content. Zip members get a fixed timestamp and fixed attributes; xlsx workbooks are
re-packed with fixed document properties (openpyxl stamps "now" on save); big CSVs are streamed in
chunks straight into the zip member, so national-scale files never sit whole in memory.

Not here: what the files contain (the per-source modules) or where they go (``generator``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# Every zip member and xlsx property carries this instant, so two runs give identical bytes.
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
FIXED_DOC_TIME = "2025-01-01T00:00:00Z"


def _zipinfo(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix: the same value on every platform
    info.external_attr = 0o644 << 16
    return info


class ZipSink:
    """A zip archive written member by member with fixed metadata."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._zf = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def write_bytes(self, name: str, data: bytes) -> None:
        self._zf.writestr(_zipinfo(name), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)

    def open(self, name: str):
        """A binary stream for a large member (zip64 allowed)."""
        return self._zf.open(_zipinfo(name), "w", force_zip64=True)

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> "ZipSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def csv_text(rows: Iterable[Iterable], sep: str, quoting: int = csv.QUOTE_MINIMAL, lineterminator: str = "\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, quoting=quoting, lineterminator=lineterminator)
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable], sep: str, encoding: str = "utf-8",
              quoting: int = csv.QUOTE_MINIMAL) -> int:
    """A small CSV file; returns the number of data rows."""
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text([header, *rows], sep, quoting).encode(encoding))
    return len(rows)


def write_text_chunks(stream, chunks: Iterator[str], encoding: str) -> None:
    for chunk in chunks:
        stream.write(chunk.encode(encoding))


def xlsx_bytes(sheets: list[tuple[str, list[list], list[str], Iterable[Iterable]]]) -> bytes:
    """An Insee-style workbook: each sheet is (name, title rows, header, rows).

    The title rows sit above the header (Insee files have 5, read with ``skiprows=5``). openpyxl's
    write-only mode streams rows, which national-scale sheets need.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, titles, header, rows in sheets:
        ws = wb.create_sheet(name)
        for title in titles:
            ws.append(title)
        ws.append(header)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_xlsx(buf.getvalue())


# An Excel 97 sheet holds at most 256 columns and 65,536 rows (BIFF8).
XLS_MAX_COLUMNS = 256


def xls_bytes(sheets: list[tuple[str, list[list], list[str], Iterable[Iterable]]]) -> bytes:
    """An Insee-style Excel 97 (xls) workbook, as the census bases before RP 2017 were published:
    each sheet is (name, title rows, header, rows); numbers are written as numbers, text as text."""
    try:
        import xlwt  # dev dependency: only the sample generator writes xls
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the sample generator writes the census vintages before RP 2017 as xls with xlwt, a dev "
            "dependency: pip install -e '.[dev]'"
        ) from None

    wb = xlwt.Workbook(encoding="utf-8")
    for name, titles, header, rows in sheets:
        if len(header) > XLS_MAX_COLUMNS:
            raise ValueError(f"sheet {name!r}: {len(header)} columns, an xls sheet holds {XLS_MAX_COLUMNS}")
        ws = wb.add_sheet(name)
        for i, row in enumerate([*titles, header, *rows]):
            for j, value in enumerate(row):
                if value is not None and value != "":
                    ws.write(i, j, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_xlsx(data: bytes) -> bytes:
    """Re-pack an xlsx with fixed member timestamps and fixed created/modified properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(lambda m: m.group(1) + FIXED_DOC_TIME.encode() + m.group(3), content)
            dst.writestr(_zipinfo(item.filename), content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def write_parquet_batches(path: Path, schema: pa.Schema, batches: Iterator[pa.Table], row_group_size: int = 1_000_000) -> int:
    """Stream Arrow tables into one Parquet file (zstd, like the Sirene stock files); returns rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for table in batches:
            writer.write_table(table.cast(schema), row_group_size=row_group_size)
            n += table.num_rows
    return n
