"""xlsx and xls workbooks: a sheet below its title rows, every cell as the text a user sees.

What belongs here: opening the workbook (calamine when installed, openpyxl otherwise, with the
stylesheet repair of SOURCES 3.2; an Excel 97 xls, as Insee published the census bases communales
before RP 2017, by calamine only: openpyxl does not read xls), the sheet the release names, the header after ``skiprows``
title rows, cells rendered as text (``cell_text``), blank rows dropped.

Not here: undoing Excel ``="01001"`` wrappers (``codes``), zip members around a workbook (``archives``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.readers.archives import is_ole2, is_zip
from ti_pipeline.sources.readers.common import SourceFormatError, raise_not_data


def cell_text(value) -> str | None:
    """Render an xlsx cell value as the text a user sees: ``1001`` not ``1001.0``."""
    if type(value) is str:  # most cells (codes, names): tested first, 1.6 M cells in the passage table
        return value if value != "" else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def _strip_styles(path: Path, dest: Path) -> Path:
    """Copy the xlsx without ``xl/styles.xml`` (SOURCES 3.2: some Insee files ship one that breaks readers)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/styles.xml":
                continue
            dst.writestr(item, src.read(item.filename))
    return dest


def _load_workbook(source: Source, path: Path, label: str, info: dict, tmp: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as first:  # noqa: BLE001 - openpyxl raises many types on a bad stylesheet
        try:
            wb = openpyxl.load_workbook(_strip_styles(path, tmp / "no-styles.xlsx"), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001
            raise SourceFormatError(source.name, label, f"unreadable xlsx workbook ({type(first).__name__}: {first})") from None
        info["styles_stripped"] = f"{type(first).__name__}: {first}"[:300]
        return wb


def _calamine_rows(source: Source, release: Release, path: Path, label: str):
    """(sheet title, rows) read by calamine (Rust: ~15x faster than openpyxl on the 35,000 x 46
    passage table); None when calamine is not installed or cannot read this workbook."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    try:
        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
        if release.sheet is not None and release.sheet not in names:
            raise SourceFormatError(source.name, label, f"no sheet {release.sheet!r}; the workbook has {names}")
        title = names[0] if release.sheet is None else release.sheet
        # from A1 (title rows count), whatever <dimension> says; empty cells come as ""
        rows = wb.get_sheet_by_name(title).to_python(skip_empty_area=False)
    except SourceFormatError:
        raise
    except Exception:  # noqa: BLE001 - calamine's errors: let openpyxl (and its style repair) try
        return None
    return title, iter(rows)  # lists of cells, "" for an empty one (openpyxl gives None)


def _openpyxl_rows(source: Source, release: Release, path: Path, label: str, info: dict, tmp: Path, opened: list):
    wb = _load_workbook(source, path, label, info, tmp)
    opened.append(wb)
    if release.sheet is None:
        ws = wb.worksheets[0]
    elif release.sheet in wb.sheetnames:
        ws = wb[release.sheet]
    else:
        raise SourceFormatError(source.name, label, f"no sheet {release.sheet!r}; the workbook has {wb.sheetnames}")
    # Some producers write a wrong <dimension>: read until the data really ends.
    ws.reset_dimensions()
    return ws.title, ws.iter_rows(values_only=True)


def read_xlsx(source: Source, release: Release, path: Path, label: str, info: dict) -> pd.DataFrame:
    """The sheet of an xlsx workbook, or of an xls one when the release's format is ``xls``."""
    xls = source.fmt_of(release) == "xls"
    if xls and not is_ole2(path):
        raise_not_data(source, label, "an xls (Excel 97) workbook", path)
    if not xls and not is_zip(path):
        raise_not_data(source, label, "an xlsx workbook", path)
    skiprows = source.skiprows_of(release)
    opened: list = []
    with tempfile.TemporaryDirectory(prefix="ti-xlsx-") as tmp:
        try:
            sheet = _calamine_rows(source, release, path, label)
            if sheet is None and xls:
                raise SourceFormatError(source.name, label, "unreadable xls workbook (python-calamine could not open it)")
            info["xlsx_reader"] = "calamine" if sheet is not None else "openpyxl"
            title, rows = sheet if sheet is not None else _openpyxl_rows(source, release, path, label, info, Path(tmp), opened)
            for _ in range(skiprows):
                next(rows, None)
            header_row = next(rows, None)
            header = [cell_text(v) for v in header_row] if header_row is not None else []
            if all(v is None for v in header):
                raise SourceFormatError(
                    source.name, label, f"sheet {title!r} has no header row after {skiprows} title rows"
                )
            while header and header[-1] is None:
                header.pop()
            columns = _sheet_columns(source, label, title, list(rows), len(header))
        finally:
            for wb in opened:
                wb.close()
    names = [h.strip() if h is not None else f"Unnamed: {i}" for i, h in enumerate(header)]
    info["sheet"] = title
    info["skiprows"] = skiprows
    table = pa.Table.from_arrays(columns, names=[str(i) for i in range(len(names))])
    # blank separator or trailing rows are not data rows
    filled = functools.reduce(pc.or_, (pc.is_valid(c) for c in columns))
    frame = table.filter(filled).to_pandas()
    frame.columns = names  # set after the conversion: duplicated headers stay as the sheet has them
    return frame


def _sheet_columns(source: Source, label: str, title: str, rows: list, width: int) -> list[pa.Array]:
    """The ``width`` header columns of a sheet's data ``rows`` (after the header) as text arrays,
    empty cells null (``cell_text``). Column by column: the passage table's 1.6 M cells, nearly all
    text, in a few hundred ms instead of a second row by row (issue 8)."""
    for row in rows:
        if len(row) > width and any(v is not None and v != "" for v in row[width:]):
            extra = next(i for i, v in enumerate(row) if i >= width and v is not None and v != "")
            raise SourceFormatError(
                source.name, label, f"sheet {title!r}: a value lies right of the last header column (column {extra + 1})"
            )
    if not all(len(row) == width for row in rows):  # short rows padded, empty cells right of the header dropped
        rows = [row[:width] if len(row) >= width else [*row, *[None] * (width - len(row))] for row in rows]
    cells = list(zip(*rows)) or [()] * width
    return [_text_array(column) for column in cells]


_NULL_TEXT = pa.scalar(None, pa.string())


def _text_array(column: tuple) -> pa.Array:
    try:  # the usual column, only text ("" for an empty cell): converted by Arrow at once
        text = pa.array(column, type=pa.string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers, dates...: rendered cell by cell
        return pa.array([cell_text(v) for v in column], type=pa.string())
    return pc.if_else(pc.equal(text, ""), _NULL_TEXT, text)
