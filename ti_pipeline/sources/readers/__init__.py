"""Readers for the real file formats of the sources: turn one obtained file into a DataFrame.

What belongs here: opening a release's file as its publisher ships it — a zip whose member is chosen
by the catalog's regex and extracted safely (no path traversal, no zip bomb), a CSV whose separator
(``;``, ``,`` or tab) and encoding (UTF-8 with or without BOM, recorded latin-1 fallback) are
detected, an xlsx or xls (Excel 97) sheet below its title rows, a Parquet file read with column projection, a JSON
array of objects, a GeoJSON FeatureCollection (gzipped or not) — and telling clearly when the file is not data at all (an HTML error page, an
empty body, a JSON error message).

Text formats (CSV, xlsx) come back with every column as text, so that identifiers such as ``01001``
or ``2A004`` keep their form. The only change made to values is on the columns the catalog declares
``code=True``: Excel ``="01001"`` wrappers and float-formatted codes (``971.0``) are undone, and
``ReadResult.info`` counts the values fixed. Padding codes, typing numbers, checking values: the
validation and SQL layers do that, not this module.

Not here: where the file comes from (``download``, ``locate``, ``obtain``), schemas and value rules
(``ti_pipeline.validation``).

Modules: ``common`` (errors, ``ReadResult``, "this is not data"), ``archives`` (zip members, safety
checks), ``csv_files``, ``xlsx``, ``parquet`` (incl. batches and the SIREN filter), ``json_files``, ``geojson``,
``codes`` (identifier columns). This module holds the entry point, ``read_release``, which picks
the reader by the catalog's format.
"""

from __future__ import annotations

from pathlib import Path

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.readers.archives import extract_member, opened_member
from ti_pipeline.sources.readers.codes import code_columns, normalise_codes
from ti_pipeline.sources.readers.common import ReadResult, SourceFormatError, UnsafeArchiveError
from ti_pipeline.sources.readers.csv_files import read_csv
from ti_pipeline.sources.readers.geojson import read_geojson
from ti_pipeline.sources.readers.json_files import read_json
from ti_pipeline.sources.readers.parquet import iter_parquet_batches, parquet_row_count, read_parquet
from ti_pipeline.sources.readers.xlsx import cell_text, read_xlsx
from ti_pipeline.sources.sniff import describe_non_data, sniff_separator


def read_release(source: Source, release: Release, path: Path) -> ReadResult:
    """Read the file of ``release`` of ``source`` found at ``path`` (a sample or cached file)."""
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(source.name, path, "file not found")
    fmt = source.fmt_of(release)
    info: dict = {"file": path.name, "format": fmt}
    with opened_member(source, release, path, info) as (data_path, label):
        if fmt == "csv":
            frame = read_csv(source, data_path, label, info, release)
        elif fmt in ("xlsx", "xls"):
            frame = read_xlsx(source, release, data_path, label, info)
        elif fmt == "parquet":
            frame = read_parquet(source, release, data_path, label, info)
        elif fmt == "json":
            frame = read_json(source, data_path, label, info)
        elif fmt == "geojson":
            frame = read_geojson(source, data_path, label, info)
        else:
            raise SourceFormatError(source.name, label, f"unknown format {fmt!r} in the catalog")
    if fmt in ("csv", "xlsx", "xls"):
        normalise_codes(source, release, frame, info)
    info["rows"] = len(frame)
    info["columns"] = [str(c) for c in frame.columns]
    return ReadResult(frame=frame, info=info)


__all__ = [
    "ReadResult",
    "SourceFormatError",
    "UnsafeArchiveError",
    "read_release",
    "iter_parquet_batches",
    "parquet_row_count",
    "extract_member",
    "sniff_separator",
    "describe_non_data",
    "cell_text",
    "code_columns",
]
