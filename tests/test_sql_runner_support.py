"""Shared fixtures of the sql_runner tests: a temporary data dir with small raw Parquet files and a
temporary models folder (never the real dbt_like_sql/, which others are writing)."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from ti_pipeline.config import Paths
from ti_pipeline.lake import write_raw

RAW = ["communes", "laureats"]


def write_model(models: Path, rel: str, text: str) -> Path:
    path = models / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (through the mart symlink) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def built(paths: Paths, mart: str) -> Path:
    """The latest audited build of ``mart`` (what the next release would publish)."""
    return sorted(p for p in (paths.builds / "marts" / mart).iterdir() if not p.name.startswith("."))[-1]


def write_communes(paths: Paths, millesime: int, rows: list[tuple[str, str, int]], sha256: str = "ab" * 32) -> None:
    frame = pd.DataFrame(rows, columns=["code_commune", "id_ti", "population"])
    # the fingerprint ingestion records (here: of the rows), which SQL models and releases build on
    fingerprint = hashlib.sha256(repr((millesime, rows)).encode()).hexdigest()
    write_raw(
        paths, "communes", millesime, frame,
        provenance={"source": "communes", "millesime": millesime, "sha256": sha256, "url": "https://example.org/c",
                    "fingerprint": fingerprint},
        column_descriptions={"code_commune": "Commune code"},
    )


@pytest.fixture
def paths(tmp_path, monkeypatch) -> Paths:
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TI_MODE", "sample")
    monkeypatch.delenv("TI_INDUSTRY_SCOPE", raising=False)
    p = Paths(data_dir=tmp_path / "data", sample_dir=tmp_path / "sample")
    write_communes(p, 2023, [("01001", "ti-0001", 100), ("01002", "ti-0001", 50), ("02001", "ti-0002", 70)])
    write_communes(p, 2024, [("01001", "ti-0001", 110), ("01002", "ti-0001", 55), ("02001", "ti-0002", 75)])
    write_raw(
        p, "laureats", 2024, pd.DataFrame({"id_laureat": ["L1", "L2"], "code_commune": ["01001", "02001"]}),
        provenance={"source": "laureats", "millesime": 2024, "fingerprint": "laureats-2024"},
    )
    return p


@pytest.fixture
def models(tmp_path) -> Path:
    """staging view -> intermediate table -> partitioned mart, plus an unpartitioned mart."""
    root = tmp_path / "dbt_like_sql"
    write_model(root, "staging/stg_communes.sql", """
        /* ---
        description: Communes of every vintage.
        tests:
          - not_null: [code_commune]
        --- */
        select millesime as annee, code_commune, id_ti, population from raw_communes;
        """)
    write_model(root, "intermediate/int_ti_population.sql", """
        /* ---
        columns:
          id_ti: Territory id
        tests:
          - unique: [id_ti, annee]
        --- */
        with c as (select * from stg_communes)
        select id_ti, annee, sum(population)::bigint as population, getvariable('industry_scope') as perimetre
        from c group by all
        """)
    write_model(root, "marts/mart_ti_composition.sql", """
        /* ---
        columns:
          id_ti: Territory id (ti-NNNN)
        tests:
          - unique: [id_ti]
        --- */
        select distinct id_ti from stg_communes order by id_ti
        """)
    write_model(root, "marts/mart_ti_population.sql", """
        /* ---
        partition_by: [annee]
        description: Population of each territory.
        columns:
          id_ti: Territory id (ti-NNNN)
          population: Population
        tests:
          - unique: [id_ti, annee]
          - row_count: {min: 1, max: 100}
          - relationships: {column: id_ti, to: mart_ti_composition.id_ti}
          - assert: {name: population_positive, sql: "select * from mart_ti_population where population <= 0"}
        --- */
        select * from int_ti_population
        """)
    return root
