"""Parquet files: declared columns only, whole or in batches, optionally filtered on SIRENs.

What belongs here: the projection on declared columns (a 2 GB Sirene file read for a dozen
columns), the row count from the footer, batches for files too large to hold in memory, and the
``siren_filter`` pushed into a DuckDB scan.

Not here: the other formats; which SIRENs to keep (the raw assets compute them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pandas as pd

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.readers.common import (
    ReadResult,
    SourceFormatError,
    declared_columns,
    raise_not_data,
    read_head,
)


def _open_parquet(source: Source, release: Release, path: Path, label: str, info: dict):
    """The ``ParquetFile`` and the declared columns it holds (``info["all_columns"]``: every column)."""
    import pyarrow.parquet as pq

    head = read_head(path, 4)
    if head != b"PAR1":
        raise_not_data(source, label, "a Parquet file", path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid / OSError
        raise SourceFormatError(source.name, label, f"unreadable Parquet file ({exc})") from None
    all_columns = list(pf.schema_arrow.names)
    info["all_columns"] = all_columns
    return pf, declared_columns(source.fields_for(release.millesime), all_columns)


def _parquet_frame(table) -> pd.DataFrame:
    # Dates as datetime64, not one Python ``date`` object per cell (2 s per million Sirene rows).
    return table.to_pandas(date_as_object=False)


def read_parquet(source: Source, release: Release, path: Path, label: str, info: dict) -> pd.DataFrame:
    pf, columns = _open_parquet(source, release, path, label, info)
    # Projection: a 2 GB Sirene file is read for the dozen declared columns only.
    return _parquet_frame(pf.read(columns=columns))


def parquet_row_count(path: Path) -> int | None:
    """Rows of a Parquet file from its footer (None when ``path`` is not a readable Parquet file)."""
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except Exception:  # noqa: BLE001 - not Parquet: the reader will say what it is
        return None


def iter_parquet_batches(
    source: Source, release: Release, path: Path, batch_rows: int, sirens: list[str] | None = None
) -> Iterator[ReadResult]:
    """``read_release`` for a large Parquet file, ``batch_rows`` rows at a time (declared columns
    only), so that it never sits whole in memory. Each result's ``info`` has ``row_numbers``: the
    position of each of its rows in the file.

    With ``sirens`` (the source's ``siren_filter``), only the rows whose filter column is one of
    them are read: DuckDB pushes the projection and the filter into the scan, so a 40 M-row
    Sirene file sorted by SIREN costs the row groups that hold those companies (and a column
    scan otherwise)."""
    path = Path(path)
    if not path.is_file():
        raise SourceFormatError(source.name, path, "file not found")
    info: dict = {"file": path.name, "format": source.fmt}
    pf, columns = _open_parquet(source, release, path, str(path), info)
    if sirens is None:
        info["rows_in_file"] = pf.metadata.num_rows
        offset = 0
        for batch in pf.iter_batches(batch_size=batch_rows, columns=columns):
            frame = _parquet_frame(batch)
            yield _batch_result(frame, info, range(offset, offset + len(frame)))
            offset += len(frame)
        return
    schema = _schema_of(pf, columns)
    yield from _iter_filtered(source, path, columns, schema, batch_rows, sirens, {**info, "rows_in_file": pf.metadata.num_rows})


def _schema_of(pf, columns: list[str]):
    """The Arrow schema of ``columns`` of an open ``ParquetFile`` (an empty selection keeps its types)."""
    import pyarrow as pa

    return pa.schema([pf.schema_arrow.field(c) for c in columns])


def _iter_filtered(source: Source, path: Path, columns: list[str], schema, batch_rows: int, sirens: list[str], info: dict):
    import duckdb
    import pyarrow as pa

    key = source.siren_filter.column
    if key not in columns:
        raise SourceFormatError(source.name, path, "column missing: the filter column of siren_filter", column=key)
    info["filter"] = f"{key} in {len(sirens)} SIRENs ({', '.join(dict.fromkeys(n for n, _ in source.siren_filter.identifiers))})"
    con = duckdb.connect()
    try:
        con.register("sirens", pa.table({"siren": pa.array(sorted(set(sirens)), pa.string())}))
        projection = ", ".join(f'"{c}"' for c in columns)
        reader = con.sql(
            f"select file_row_number, {projection} from read_parquet($path, file_row_number = true) "
            f'where "{key}" in (select siren from sirens) order by file_row_number',
            params={"path": str(path)},
        ).to_arrow_reader(batch_rows)
        read = 0
        for batch in reader:
            table = pa.Table.from_batches([batch])
            row_numbers = table.column("file_row_number").to_numpy()
            frame = _parquet_frame(table.drop_columns(["file_row_number"]))
            read += len(frame)
            yield _batch_result(frame, info, row_numbers)
        if not read:  # no matching row is a result too (the keys' companies are all absent)
            empty = _parquet_frame(pa.Table.from_pylist([], schema=schema))
            yield _batch_result(empty, info, [])
    finally:
        con.close()


def _batch_result(frame: pd.DataFrame, info: dict, row_numbers) -> ReadResult:
    import numpy as np

    return ReadResult(
        frame=frame,
        info={**info, "row_numbers": np.asarray(row_numbers, dtype="int64"), "rows": len(frame),
              "columns": [str(c) for c in frame.columns]},
    )
