"""The Parquet lake: the one Parquet writer, raw tables, rejects, and provenance metadata.

Parquet is the system of record (DESIGN.md decision 1). Every file is written to a temporary name
in its final folder and moved into place with an atomic rename, so a killed run never leaves a
half-written file and readers see either the old or the new file.

Layout:
- ``lake/raw/<source>/millesime=<YYYY>/data.parquet``     validated rows of one vintage
- ``lake/rejects/<source>/millesime=<YYYY>/rejects.parquet`` rows set aside, with the reason
- ``lake/blocked/<source>/millesime=<YYYY>/rejects.parquet`` the rejects of the last blocked attempt
  (its partition was not replaced), with why it was blocked (``write_blocked``)

Provenance (source URL, sha256, retrieval time, vintage, COG year...) is stored as JSON under the
key ``ti_pipeline.provenance`` of each raw file's key-value metadata, and read back by the marts.

Not here: SQL models and mart publication (``sql_runner``), validation (``validation``).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from ti_pipeline.config import Paths

if TYPE_CHECKING:  # frames are converted by pyarrow; importing pandas (0.4 s) is left to their makers
    import pandas as pd

PROVENANCE_KEY = b"ti_pipeline.provenance"
COLUMN_DESCRIPTIONS_KEY = b"ti_pipeline.column_descriptions"
SYNTHETIC_KEY = b"ti_pipeline.synthetic"
COMPRESSION = "zstd"


def write_parquet_atomic(
    table: pa.Table | pa.RecordBatchReader,
    path: Path,
    *,
    metadata: Mapping[str, Any] | None = None,
    column_descriptions: Mapping[str, str] | None = None,
) -> Path:
    """Write ``table`` to ``path`` through a temporary file and an atomic rename.

    ``metadata`` values are JSON-encoded into the file's key-value metadata; column descriptions go
    both in one JSON key and in each field's own metadata (``description``), where pyarrow and
    DuckDB readers find them.

    ``table`` may be a ``RecordBatchReader`` (e.g. a DuckDB query's result streamed in batches):
    its batches are written one by one, so a large result never sits whole in memory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = table.schema
    if column_descriptions:
        fields = []
        for f in schema:
            desc = column_descriptions.get(f.name)
            fields.append(f.with_metadata({**(f.metadata or {}), b"description": desc.encode()}) if desc else f)
        schema = pa.schema(fields, metadata=schema.metadata)
    kv = dict(schema.metadata or {})
    kv.pop(b"pandas", None)  # pandas' index bookkeeping is noise for downstream readers
    for key, value in (metadata or {}).items():
        kv[key.encode() if isinstance(key, str) else key] = json.dumps(value, default=str, ensure_ascii=False).encode()
    if column_descriptions:
        kv[COLUMN_DESCRIPTIONS_KEY] = json.dumps(dict(column_descriptions), ensure_ascii=False).encode()
    schema = schema.with_metadata(kv)
    tmp = path.with_name(f".tmp_{path.name}.{uuid.uuid4().hex}")
    try:
        if isinstance(table, pa.Table):
            pq.write_table(table.cast(schema), tmp, compression=COMPRESSION)
        else:
            with pq.ParquetWriter(tmp, schema, compression=COMPRESSION) as writer:
                for batch in table:
                    writer.write_table(pa.Table.from_batches([batch]).cast(schema))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class StagedParquet:
    """A Parquet file written batch by batch under a temporary name in its final folder.

    ``commit`` adds the key-value metadata (known only once every batch is written: row counts) to
    the file's footer — ``read_file_metadata`` and DuckDB's ``parquet_kv_metadata`` read it; the
    Arrow schema embedded at the start does not carry it — and renames the file into place, atomically like ``write_parquet_atomic``; ``discard`` removes
    it, leaving the previous file as it was. Every batch is cast to the first batch's schema.
    """

    def __init__(self, path: Path, *, column_descriptions: Mapping[str, str] | None = None):
        self.path = path
        self.tmp = path.with_name(f".tmp_{path.name}.{uuid.uuid4().hex}")
        self.column_descriptions = dict(column_descriptions or {})
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._created: list[Path] = []  # folders made for it: ``discard`` removes them again when empty

    def write(self, table: pa.Table) -> None:
        if self._writer is None:
            fields = []
            for f in table.schema:
                desc = self.column_descriptions.get(f.name)
                fields.append(f.with_metadata({**(f.metadata or {}), b"description": desc.encode()}) if desc else f)
            self._schema = pa.schema(fields)  # no schema metadata: pandas' bookkeeping is noise
            # a first vintage that is then blocked must leave no trace: not even its source's folder
            self._created = [p for p in (self.path.parent, self.path.parent.parent) if not p.exists()]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.tmp, self._schema, compression=COMPRESSION)
        self._writer.write_table(table.cast(self._schema))

    def commit(self, metadata: Mapping[str, Any] | None = None) -> Path:
        if self._writer is None:
            raise ValueError(f"nothing was written to {self.path}")
        kv = {k: json.dumps(v, default=str, ensure_ascii=False) for k, v in (metadata or {}).items()}
        if self.column_descriptions:
            kv[COLUMN_DESCRIPTIONS_KEY.decode()] = json.dumps(self.column_descriptions, ensure_ascii=False)
        try:
            self._writer.add_key_value_metadata(kv)
            self._writer.close()
            os.replace(self.tmp, self.path)
        finally:
            self.tmp.unlink(missing_ok=True)
        return self.path

    def discard(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.tmp.unlink(missing_ok=True)
        for folder in self._created:  # deepest first
            try:
                folder.rmdir()
            except OSError:  # not empty (another vintage's file), or already gone
                pass


def frame_to_table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def write_raw(
    paths: Paths,
    source: str,
    millesime: int,
    frame: pd.DataFrame,
    *,
    provenance: Mapping[str, Any],
    column_descriptions: Mapping[str, str] | None = None,
) -> Path:
    """Replace the raw table of one vintage of a source (a re-run never duplicates rows)."""
    path = paths.raw_partition(source, millesime) / "data.parquet"
    return write_parquet_atomic(
        frame_to_table(frame),
        path,
        metadata={PROVENANCE_KEY.decode(): dict(provenance)},
        column_descriptions=column_descriptions,
    )


def write_rejects(paths: Paths, source: str, millesime: int, rejects: pd.DataFrame) -> Path:
    """Replace the rejects of one vintage; an empty rejects file is written too, so that a vintage
    that became clean does not keep the rejects of an earlier run."""
    path = paths.rejects_partition(source, millesime) / "rejects.parquet"
    return write_parquet_atomic(frame_to_table(rejects.astype("string")), path)


BLOCKED_KEY = b"ti_pipeline.blocked"


def write_blocked(paths: Paths, source: str, millesime: int, rejects: pd.DataFrame, details: Mapping[str, Any]) -> Path:
    """Keep the rejects of a blocked attempt at a vintage (``lake/blocked/<source>/millesime=<YYYY>/
    rejects.parquet``), with why it was blocked and which file it read (``details``, JSON under
    ``BLOCKED_KEY``). The raw partition and its rejects, those of the last good run, are not touched:
    they keep describing the same file. Replaced by the next blocked attempt of the vintage."""
    path = paths.blocked_partition(source, millesime) / "rejects.parquet"
    return write_parquet_atomic(frame_to_table(rejects.astype("string")), path, metadata={BLOCKED_KEY.decode(): dict(details)})


def remove_blocked(paths: Paths, source: str, millesime: int) -> None:
    """Forget a vintage's blocked attempt once a good one is promoted."""
    import shutil

    folder = paths.blocked_partition(source, millesime)
    if folder.is_dir():
        shutil.rmtree(folder)


def remove_other_partitions(paths: Paths, source: str, keep: int) -> list[int]:
    """Remove the raw and rejects partitions of ``source`` other than millésime ``keep`` (a rolling
    file's new partition supersedes them). Called after ``keep`` was written. Returns the removed
    millésimes."""
    import shutil

    removed = set()
    for root in (paths.raw / source, paths.rejects / source, paths.blocked / source):
        for folder in sorted(root.glob("millesime=*")):
            millesime = folder.name.removeprefix("millesime=")
            if millesime != str(keep):
                shutil.rmtree(folder)
                if root != paths.blocked / source:
                    removed.add(int(millesime))
    return sorted(removed)


def raw_files(paths: Paths, source: str) -> list[Path]:
    return sorted((paths.raw / source).glob("millesime=*/data.parquet"))


def read_file_metadata(path: Path) -> dict[str, Any]:
    """The decoded key-value metadata of a Parquet file written by ``write_parquet_atomic``."""
    # the file's key-value metadata: what ``write_parquet_atomic`` put in the schema and what
    # ``StagedParquet`` added at the end (the latter is not in the embedded Arrow schema)
    raw = pq.ParquetFile(path).metadata.metadata or {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.startswith(b"ti_pipeline."):
            try:
                out[key.decode()] = json.loads(value)
            except ValueError:
                out[key.decode()] = value.decode(errors="replace")
    return out


def read_provenance(paths: Paths, source: str) -> list[dict[str, Any]]:
    """Provenance of every materialized vintage of a raw source, newest first."""
    records = [read_file_metadata(p).get(PROVENANCE_KEY.decode(), {}) for p in raw_files(paths, source)]
    return sorted(records, key=lambda r: r.get("millesime", 0), reverse=True)
