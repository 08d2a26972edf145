"""The read-only DuckDB catalog of a release: ``releases/<id>/catalog.duckdb``, one view per mart.

Written once, into the release folder, before the release is published; never opened for writing
again, so DuckDB's single-writer lock is never contended. Readers open ``data/catalog.duckdb``, a
fixed symlink to ``releases/current/catalog.duckdb``: each connection reads one release.

Paths in the views are **absolute** and point into the release's own folder
(``releases/<id>/marts/<mart>``): absolute, because DuckDB resolves a relative path against the
reader's working directory, not the database file; into the release, so that a catalog is a
consistent snapshot that keeps working while the release is kept (``ti_pipeline.releases.store``).
A moved data folder needs its catalogs rebuilt (``build_catalog``; milliseconds).

The catalog also holds a table ``catalog_marts(mart, version_dir, catalog_built_at)``: readers see
which folder each view reads.

Not here: which marts a release holds (``assemble``), Dagster.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Mapping

import duckdb

from ti_pipeline.sql_runner.data_tests import quote_literal
from ti_pipeline.sql_runner.relations import mart_read_sql

CATALOG_TABLE = "catalog_marts"


def build_catalog(target: Path, marts: Mapping[str, Path]) -> list[str]:
    """Write ``target`` with one view per mart of ``marts`` (name -> folder, absolute); returns the views."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    created = []
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(
                f"create table {CATALOG_TABLE} (mart varchar, version_dir varchar, "
                "catalog_built_at timestamptz default current_timestamp)"
            )
            for name in sorted(marts):
                folder = Path(marts[name]).absolute()
                con.execute(f"create view {name} as {mart_read_sql(folder)}")
                con.execute(
                    f"insert into {CATALOG_TABLE} (mart, version_dir) values "
                    f"({quote_literal(name)}, {quote_literal(folder.as_posix())})"
                )
                created.append(name)
            con.execute("checkpoint")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return created


__all__ = ["CATALOG_TABLE", "build_catalog"]
