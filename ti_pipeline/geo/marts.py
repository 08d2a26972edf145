"""Building the geometry marts into audited builds, like the SQL marts, for the next release.

``build_geo_marts`` reads the lake's commune shapes and the latest audited build of
``mart_ti_composition``, dissolves the territories (``contours``) and writes ``mart_ti_contours`` and
``mart_communes_contours`` through the SQL runner's builds (``sql_runner.builds``: a candidate
folder, then an immutable build), with GeoParquet metadata. A release publishes them with the other
marts (``ti_pipeline.releases``), only when they are up to date (``up_to_date_builds``): built from the
current shapes, the current composition build and this package's code (a fingerprint recorded in
each file).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from ti_pipeline.config import Paths, get_mode
from ti_pipeline.geo import contours
from ti_pipeline.lake import PROVENANCE_KEY, SYNTHETIC_KEY, read_file_metadata, read_provenance, write_parquet_atomic
from ti_pipeline.sql_runner import builds
from ti_pipeline.sql_runner.parquet_metadata import CODE_VERSION_KEY, GENERATED_AT_KEY, code_version

MART_FILE = "data.parquet"
FINGERPRINT_KEY = "ti_pipeline.fingerprint"
COMPOSITION = "mart_ti_composition"
CONTOURS_TI = "mart_ti_contours"
CONTOURS_COMMUNES = "mart_communes_contours"
GEO_MARTS = (CONTOURS_TI, CONTOURS_COMMUNES)

DESCRIPTIONS = {
    CONTOURS_TI: {
        "id_ti": "Territory id",
        "lib_ti": "Territory name",
        "nb_communes": "Communes of the territory (mart_ti_composition)",
        "nb_communes_sans_contour": "Of which without a shape in the commune boundaries (left out of the outline)",
        "geometry": "Outline: union of the communes' shapes, slivers removed, simplified (WKB, OGC:CRS84)",
    },
    CONTOURS_COMMUNES: {
        "code_commune": "Commune code (COG of the boundaries)",
        "libelle_commune": "Commune name",
        "dans_un_territoire": "Whether the commune belongs to a territory (else: a neighbour, drawn faded)",
        "geometry": "Commune boundary, simplified (WKB, OGC:CRS84)",
    },
}


@dataclass
class GeoBuild:
    builds: dict[str, Path] = field(default_factory=dict)
    kept: bool = False  # shapes, composition and code unchanged: nothing rebuilt
    rows: dict[str, int] = field(default_factory=dict)
    communes_sans_contour: int = 0
    shapes_file: Path | None = None


def fingerprint(paths: Paths) -> str | None:
    """What the geometry marts are a function of: the lake file of the shapes (its provenance, which
    names the source file's sha256), the latest composition build (its name: builds are immutable
    and uniquely named, wherever the data folder is), and this package's code; None while either
    input is missing."""
    composition = builds.latest_build(paths, COMPOSITION)
    try:
        raw_file = contours.fichier_lake(paths.raw)
    except FileNotFoundError:
        return None
    if composition is None:
        return None
    h = hashlib.sha256()
    h.update(json.dumps(read_file_metadata(raw_file).get(PROVENANCE_KEY.decode()), sort_keys=True, default=str).encode())
    h.update(Path(composition).name.encode())
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def built_fingerprint(paths: Paths, name: str) -> str | None:
    """The fingerprint recorded in the latest build of mart ``name`` (None: never built)."""
    build = builds.latest_build(paths, name)
    if build is None or not (build / MART_FILE).is_file():
        return None
    return read_file_metadata(build / MART_FILE).get(FINGERPRINT_KEY)


def up_to_date_builds(paths: Paths) -> dict[str, Path] | None:
    """The latest builds of the geometry marts if they were made from the current inputs, else None."""
    current = fingerprint(paths)
    if current is None or any(built_fingerprint(paths, n) != current for n in GEO_MARTS):
        return None
    return {n: builds.latest_build(paths, n) for n in GEO_MARTS}


def mart_metadata(paths: Paths, sources: tuple[str, ...], geo: Mapping[str, Any], empreinte: str | None = None) -> dict[str, Any]:
    """The key-value metadata of a geometry mart: GeoParquet's ``geo`` and the project's own keys
    (provenance of the raw sources, code version, generation time, synthetic flag)."""
    metadata: dict[str, Any] = {
        "geo": dict(geo),
        PROVENANCE_KEY.decode(): {s: read_provenance(paths, s) for s in sources},
        CODE_VERSION_KEY: code_version(),
        GENERATED_AT_KEY: datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if empreinte is not None:
        metadata[FINGERPRINT_KEY] = empreinte
    if get_mode() == "sample":
        # real shapes, invented perimeters: the outlines describe no real territory
        metadata[SYNTHETIC_KEY.decode()] = True
    return metadata


def keep_geo_build(
    paths: Paths, name: str, table: pa.Table, metadata: Mapping[str, Any], column_descriptions: Mapping[str, str]
) -> Path:
    """Write ``table`` as a new audited build of mart ``name`` (one ``data.parquet``); returns it."""
    candidate = builds.new_candidate_dir(paths, name)
    try:
        write_parquet_atomic(table, candidate / MART_FILE, metadata=metadata, column_descriptions=column_descriptions)
        return builds.keep_candidate(paths, name, candidate)
    except BaseException:
        builds.discard_candidate(candidate)
        raise


def build_geo_marts(paths: Paths, *, force: bool = False) -> GeoBuild:
    """Both geometry marts, from the shapes and the latest composition build (kept when unchanged,
    unless ``force``). ``FileNotFoundError`` when the shapes or the composition are missing."""
    kept = None if force else up_to_date_builds(paths)
    if kept is not None:
        return GeoBuild(builds=kept, kept=True)
    empreinte = fingerprint(paths)
    composition = builds.latest_build(paths, COMPOSITION)
    if empreinte is None or composition is None:
        raise FileNotFoundError(f"the geometry marts need the commune shapes in {paths.raw / contours.SOURCE} "
                                f"and a build of {COMPOSITION}")
    fichier = contours.fichier_lake(paths.raw)
    communes = contours.lire_communes(fichier)
    comp = pq.read_table(composition, columns=["id_ti", "lib_ti", "code_commune"]).to_pylist()
    rows = [(r["id_ti"], r["lib_ti"], r["code_commune"]) for r in comp]
    territoires = contours.contours_territoires(rows, communes)
    carte = contours.communes_carte({r[2] for r in rows}, communes)
    out = GeoBuild(shapes_file=fichier, communes_sans_contour=sum(territoires["nb_communes_sans_contour"].to_pylist()))
    for name, table in ((CONTOURS_TI, territoires), (CONTOURS_COMMUNES, carte)):
        meta = mart_metadata(paths, (contours.SOURCE,), contours.geoparquet(table), empreinte)
        out.builds[name] = keep_geo_build(paths, name, table, meta, DESCRIPTIONS[name])
        out.rows[name] = table.num_rows
    return out


__all__ = ["GEO_MARTS", "GeoBuild", "build_geo_marts", "built_fingerprint", "fingerprint", "keep_geo_build",
           "mart_metadata", "up_to_date_builds"]
