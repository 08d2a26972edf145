"""The read-only DuckDB catalog for downstream users: ``data/catalog.duckdb``, one view per mart.

Rebuilt by one writer at the end of a run: the views are created in a new file next to the catalog,
which then replaces it with an atomic rename. A reader holding the old file open (read-only) keeps
reading the old file's inode and sees no error; the next connection sees the new catalog. No
process ever opens the catalog for writing, so DuckDB's single-writer lock is never contended.

Paths in the views are **absolute** and point at the **resolved version folder** of each mart
(``marts/.versions/<mart>/<version>``), not at the ``marts/<mart>`` symlink:
- absolute, because DuckDB resolves a relative path against the reader's working directory, not the
  database file: a relative catalog would only work when started from the data folder. The cost: a
  moved data folder needs its catalog rebuilt (``build_catalog``; it takes milliseconds);
- resolved, so that a catalog is a consistent snapshot (every view reads the versions of the same
  run) and a reader's query never straddles a publication. ``publish`` keeps the ``KEEP`` (3) newest
  versions of each mart, so a catalog opened before a run keeps working during that run and the
  next one; a connection held open longer must be reopened (it then also sees the new data).

The catalog also holds a table ``catalog_marts(mart, version_dir, catalog_built_at)``: readers see
which version they read, and publication never prunes a version the current catalog reads, even if
marts are re-published several times without rebuilding the catalog.

Not here: publishing marts (``publish``), Dagster (``ti_pipeline.defs.sql``).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterable

import duckdb

from ti_pipeline.config import Paths
from ti_pipeline.sql_runner import publish
from ti_pipeline.sql_runner.data_tests import quote_literal
from ti_pipeline.sql_runner.relations import mart_read_sql

# A table (not a view) in the catalog telling readers which version of each mart their views read,
# and telling ``publish`` which versions must not be pruned.
CATALOG_TABLE = "catalog_marts"


def build_catalog(paths: Paths, marts: Iterable[str]) -> dict[str, list[str]]:
    """Rebuild ``paths.catalog_db`` with one view per published mart; returns the views created and
    the marts skipped because they have never been published."""
    target = paths.catalog_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    created, skipped = [], []
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(
                f"create table {CATALOG_TABLE} (mart varchar, version_dir varchar, "
                "catalog_built_at timestamptz default current_timestamp)"
            )
            for name in sorted(marts):
                version = publish.current_version_dir(paths.marts, name)
                if version is None:
                    skipped.append(name)
                    continue
                version = version.resolve()
                con.execute(f"create view {name} as {mart_read_sql(version)}")
                con.execute(
                    f"insert into {CATALOG_TABLE} (mart, version_dir) values "
                    f"({quote_literal(name)}, {quote_literal(version.as_posix())})"
                )
                created.append(name)
            con.execute("checkpoint")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return {"views": created, "skipped": skipped}


def catalog_up_to_date(paths: Paths, marts: Iterable[str]) -> bool:
    """Whether the catalog reads exactly the published version of every mart (nothing to rebuild)."""
    current = set()
    for name in marts:
        version = publish.current_version_dir(paths.marts, name)
        if version is None:
            return False
        current.add(version.resolve())
    return bool(current) and referenced_versions(paths) == current


def referenced_versions(paths: Paths) -> set[Path]:
    """Mart version folders the current catalog reads (empty if there is no readable catalog)."""
    if not paths.catalog_db.exists():
        return set()
    try:
        with duckdb.connect(str(paths.catalog_db), read_only=True) as con:
            rows = con.sql(f"select version_dir from {CATALOG_TABLE}").fetchall()
    except duckdb.Error:
        return set()  # an older or foreign catalog: fall back on publish.KEEP alone
    return {Path(row[0]) for row in rows}
