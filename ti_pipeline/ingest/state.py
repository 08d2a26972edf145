"""Whether a raw vintage's partition is what reading its file again would make: plain, no Dagster.

A raw partition (``data/lake/raw/<source>/millesime=<YYYY>/``) records in its provenance the
*fingerprint* of what it was built from: the file's sha256, the source's catalog declaration, the
code that reads, validates and writes it (``code_fingerprint``) and, for a source with a
``siren_filter`` (Sirene), the SIRENs it was read for (``filter_sirens``). A run
(``vintages.ingest_release``) compares the fingerprint of the vintage it is asked for with the
recorded one and keeps an unchanged vintage (unless the run is forced).

Nothing here imports Dagster or pandera.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ti_pipeline import lake
from ti_pipeline.config import Paths
from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.ingest.obtain import obtain
from ti_pipeline.sources.vintage import resolve_release

# The code that turns a file into a raw partition: a change in it must read every vintage again.
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE_FILES = ("sources/readers", "sources/sniff.py", "sources/vintage.py", "sources/catalog", "lake.py", "ingest/vintages.py", "ingest/state.py", "validation")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    h = hashlib.sha256()
    for name in _CODE_FILES:
        path = _PACKAGE / name
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(str(f.relative_to(_PACKAGE)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def vintage_fingerprint(
    source: Source, release: Release, file_sha256: str | None, sirens: list[str] | None = None
) -> str | None:
    """What a raw partition is a function of: the file, the source's declaration, the code (and,
    for a source with a ``siren_filter``, the SIRENs it was read for)."""
    if not file_sha256:
        return None
    key = {"file_sha256": file_sha256, "source": repr(source), "release": repr(release), "code": code_fingerprint()}
    if sirens is not None:
        key["sirens"] = hashlib.sha256("\n".join(sorted(sirens)).encode()).hexdigest()
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


class MissingFilterSource(RuntimeError):
    """A source's ``siren_filter`` names a raw table that is not in the lake yet."""


def filter_sirens(source: Source, paths: Paths) -> list[str]:
    """The SIRENs a ``siren_filter`` source is read for: the first 9 digits of every identifier of
    9 or 14 digits in the named columns of the named raw tables (every vintage in the lake), sorted.
    A value that is no identifier selects nothing; a superset is harmless (its rows are validated
    like any other)."""
    import duckdb

    selects = []
    for name, column in source.siren_filter.identifiers:
        files = sorted((paths.raw / name).glob("millesime=*/*.parquet"))
        if not files:
            raise MissingFilterSource(
                f"source {source.name!r} is read for the SIRENs of raw_{name} (column {column!r}), which has no "
                f"table in {paths.raw / name}: materialize raw_{name} first"
            )
        listing = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        selects.append(
            f"""select regexp_replace(cast("{column}" as varchar), '[^0-9]', '', 'g') as chiffres
            from read_parquet([{listing}], union_by_name = true)"""
        )
    with duckdb.connect() as con:
        rows = con.execute(
            f"select distinct left(chiffres, 9) from ({' union all '.join(selects)}) "
            "where length(chiffres) in (9, 14) order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def partition_written(source: Source, release: Release, paths: Paths) -> bool:
    data = paths.raw_partition(source.name, release.millesime) / "data.parquet"
    return data.is_file() and (paths.rejects_partition(source.name, release.millesime) / "rejects.parquet").is_file()


def unchanged(source: Source, release: Release, paths: Paths, fingerprint: str | None) -> dict | None:
    """The provenance of the existing partition when it was built from the same inputs, else None."""
    data = paths.raw_partition(source.name, release.millesime) / "data.parquet"
    if fingerprint is None or not partition_written(source, release, paths):
        return None
    try:
        provenance = lake.read_file_metadata(data).get(lake.PROVENANCE_KEY.decode(), {})
    except Exception:  # noqa: BLE001 - an unreadable partition is simply rebuilt
        return None
    return provenance if provenance.get("fingerprint") == fingerprint else None


@dataclass
class Compared:
    release: Release  # the release the file is (a rolling file's millésime read from it)
    obtained: object  # obtain.ObtainedFile
    sirens: list[str] | None
    fingerprint: str | None
    recorded: dict | None  # the partition's provenance when built from the same inputs


def obtain_and_compare(source: Source, release: Release, paths: Paths, mode: str, log) -> Compared:
    """Obtain the vintage's file and compare what its partition would be a function of with what it
    was built from (``ingest_release``'s question)."""
    obtained = obtain(source, release, paths, mode, log=log)
    release = resolve_release(source, release, obtained.path)
    sirens = filter_sirens(source, paths) if source.siren_filter else None
    fingerprint = vintage_fingerprint(source, release, obtained.provenance.get("sha256"), sirens)
    return Compared(release, obtained, sirens, fingerprint, unchanged(source, release, paths, fingerprint))


__all__ = [
    "Compared",
    "MissingFilterSource",
    "code_fingerprint",
    "filter_sirens",
    "obtain_and_compare",
    "partition_written",
    "unchanged",
    "vintage_fingerprint",
]
