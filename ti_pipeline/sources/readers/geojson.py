"""GeoJSON files: a FeatureCollection, one row per feature, gzipped or not.

What belongs here: opening the file as its publisher ships it (Etalab's contours are served as
``.geojson`` and ``.geojson.gz``; a gzip is recognised by its first bytes, not its name), refusing a
gzip that inflates beyond a limit (``TI_GZ_MAX_BYTES``), saying clearly what came instead of a
FeatureCollection, and flattening each feature to its ``properties`` plus a ``geometry`` column: the
feature's geometry as GeoJSON text, untouched (parsing, checking and simplifying shapes belong to
``ti_pipeline.geo``, as typing numbers belongs to validation).

Not here: where the file comes from (``download``), what the columns must hold (the catalog).
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pandas as pd

from ti_pipeline.sources.catalog import Source
from ti_pipeline.sources.readers.common import SourceFormatError, check_is_data

GZIP_MAGIC = b"\x1f\x8b"
# Etalab's communes-5m inflate to a few hundred MB; the 100 m file we read to about 40 MB.
MAX_INFLATED_BYTES = int(os.environ.get("TI_GZ_MAX_BYTES", 2 * 1024**3))


def _read_bytes(source: Source, path: Path, label: str, info: dict) -> bytes:
    with open(path, "rb") as f:
        head = f.read(2)
    if head != GZIP_MAGIC:
        check_is_data(source, label, path, "a GeoJSON FeatureCollection")
        return path.read_bytes()
    info["gzip"] = True
    with gzip.open(path, "rb") as f:
        try:
            body = f.read(MAX_INFLATED_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise SourceFormatError(source.name, label, f"corrupt gzip ({exc})") from None
    if len(body) > MAX_INFLATED_BYTES:
        raise SourceFormatError(
            source.name, label, f"inflates beyond {MAX_INFLATED_BYTES} bytes (TI_GZ_MAX_BYTES): refusing a possible gzip bomb"
        )
    return body


def read_geojson(source: Source, path: Path, label: str, info: dict) -> pd.DataFrame:
    body = _read_bytes(source, Path(path), label, info)
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceFormatError(source.name, label, f"invalid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        kind = f"a JSON object of type {doc.get('type')!r}" if isinstance(doc, dict) else f"a JSON {type(doc).__name__}"
        raise SourceFormatError(source.name, label, f"got {kind} instead of a GeoJSON FeatureCollection")
    rows = []
    for i, feature in enumerate(doc["features"]):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise SourceFormatError(source.name, label, f"feature {i} has no properties object: {feature!r:.80}")
        geometry = feature.get("geometry")
        rows.append({**feature["properties"], "geometry": None if geometry is None else json.dumps(geometry, separators=(",", ":"))})
    info["features"] = len(rows)
    return pd.DataFrame.from_records(rows)
