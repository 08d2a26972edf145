"""A release's manifest: ``datapackage.json``, a Frictionless Data Package any tool can read.

The convention of French open data (schema.data.gouv.fr) for describing tables: a Data Package
(https://specs.frictionlessdata.io/data-package/) whose resources are the marts, each a Tabular
Data Resource with its Table Schema (fields with types and descriptions), its files, byte size and
sha256. Standard tools (``frictionless validate datapackage.json``) read and check a release without
our code. What the standard has no property for is under ``ti:`` keys (custom properties are allowed
by the specification): per mart its row count, schema hash, build and tests; per source its
millésime, file sha256 and validation counts; the code version; the checks and their outcome.

A partitioned mart (``annee=2021/data.parquet``...) lists every file in ``path``; the partition
columns live in the folder names, not in the files, so the Table Schema describes the files'
columns and ``ti:partition_by`` names the others.

Not here: gathering what goes in (``assemble``), writing it (``store.write_manifest``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE_PACKAGE = "data-package"
PROFILE_TABLE = "tabular-data-resource"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


@dataclass
class MartEntry:
    """One mart of a release, as the manifest describes it."""

    name: str
    folder: Path  # the mart's folder inside the release
    row_count: int
    columns: list[tuple[str, str]]  # (name, DuckDB type), partition columns included
    build: str  # the audited build the files are linked from
    description: str = ""
    column_descriptions: dict[str, str] = field(default_factory=dict)
    partition_by: tuple[str, ...] = ()
    fingerprint: str | None = None
    tests: list[dict] = field(default_factory=list)  # name, severity, passed, failing_rows


def table_schema_type(duckdb_type: str) -> str:
    """The Table Schema type of a DuckDB column type."""
    t = duckdb_type.upper()
    if t.endswith("[]"):
        # a Parquet list: Table Schema's "array" is a JSON array, which readers do not get from a
        # Parquet list (pandas gives a numpy array); the exact type is in ``ti:columns``
        return "any"
    if t in ("VARCHAR", "TEXT", "STRING") or t.startswith("VARCHAR"):
        return "string"
    if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"):
        return "integer"
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t.startswith("STRUCT") or t.startswith("MAP"):
        return "object"
    return "any"


def schema_hash(columns: list[tuple[str, str]]) -> str:
    """sha256 of the ordered (name, type) pairs: equal hashes, equal schemas."""
    return hashlib.sha256(json.dumps([list(c) for c in columns]).encode()).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resource(mart: MartEntry, release: Path) -> dict[str, Any]:
    """The Tabular Data Resource of one mart (paths relative to the release folder)."""
    files = sorted(p for p in mart.folder.rglob("*.parquet") if p.is_file())
    rel = [p.relative_to(release).as_posix() for p in files]
    in_files = [(n, t) for n, t in mart.columns if n not in mart.partition_by]
    fields = [
        {"name": n, "type": table_schema_type(t), **({"description": mart.column_descriptions[n]} if mart.column_descriptions.get(n) else {})}
        for n, t in in_files
    ]
    out: dict[str, Any] = {
        "name": mart.name,
        "profile": PROFILE_TABLE,
        "path": rel[0] if len(rel) == 1 else rel,
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        # "nan": how a Parquet null of an integer column reaches a Data Package reader through pandas
        "schema": {"fields": fields, "missingValues": ["", "nan"]},
    }
    if mart.description:
        out["description"] = mart.description
    # Sizes and hashes per file, as ``ti:`` properties: the standard's ``bytes`` and ``hash`` describe
    # one byte stream, which validators check by streaming it — not how a Parquet file is read.
    out["ti:files"] = [{"path": r, "bytes": p.stat().st_size, "sha256": file_sha256(p)} for r, p in zip(rel, files)]
    out.update({
        "ti:row_count": mart.row_count,
        "ti:schema_hash": schema_hash(mart.columns),
        "ti:columns": [{"name": n, "type": t} for n, t in mart.columns],
        "ti:build": mart.build,
        "ti:fingerprint": mart.fingerprint,
        "ti:tests": mart.tests,
    })
    if mart.partition_by:
        out["ti:partition_by"] = list(mart.partition_by)
    return out


def source_entry(provenance: dict) -> dict[str, Any]:
    """A source vintage the release was built from, from its raw partition's provenance."""
    title = f"{provenance.get('publisher', '')} — {provenance.get('source')} {provenance.get('millesime')}".strip(" —")
    entry: dict[str, Any] = {"title": title}
    url = provenance.get("url")
    if url and not str(url).startswith("file:"):
        entry["path"] = url
    entry.update({
        "ti:source": provenance.get("source"),
        "ti:millesime": provenance.get("millesime"),
        "ti:file_name": provenance.get("file_name"),
        "ti:sha256": provenance.get("sha256"),
        "ti:retrieved_at": provenance.get("retrieved_at"),
        "ti:mode": provenance.get("mode"),
        "ti:synthetic": bool(provenance.get("synthetic")),
        "ti:checks": {
            "rows_in": provenance.get("rows_in"),
            "rows_valid": provenance.get("rows_valid"),
            "rows_rejected": provenance.get("rows_rejected"),
            "failure_counts": provenance.get("failure_counts") or {},
            "added_columns": provenance.get("added_columns") or [],
        },
    })
    return entry


def build_manifest(
    release: Path,
    release_id: str,
    created: str,
    marts: list[MartEntry],
    sources: list[dict],
    *,
    code: dict,
    portraits: dict | None,
    mode: str,
    synthetic: bool,
) -> dict[str, Any]:
    """The whole ``datapackage.json`` of a release."""
    tests = [t for m in marts for t in m.tests]
    return {
        "profile": PROFILE_PACKAGE,
        "name": "ti-pipeline-" + release_id.lower(),
        "id": release_id,
        "title": "Territoires d'industrie : données des portraits" + (" (échantillon synthétique)" if synthetic else ""),
        "description": "The marts behind the portraits of the Territoires d'industrie, one consistent release "
        "of ti-pipeline: every mart built from the same state of the lake, with its tests passed.",
        "created": created,
        "licenses": [LICENCE],
        "sources": [source_entry(p) for p in sources],
        "resources": [resource(m, release) for m in sorted(marts, key=lambda m: m.name)],
        "ti:mode": mode,
        "ti:synthetic": synthetic,
        "ti:code": code,
        "ti:checks": {
            "tests": len(tests),
            "passed": sum(1 for t in tests if t.get("passed")),
            "warnings": sum(1 for t in tests if not t.get("passed") and t.get("severity") != "error"),
        },
        "ti:catalog": "catalog.duckdb",
        "ti:portraits": portraits,
    }


__all__ = ["MartEntry", "build_manifest", "file_sha256", "resource", "schema_hash", "source_entry", "table_schema_type"]
