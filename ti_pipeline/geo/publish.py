"""Publishing the geometry marts: the one function that writes and publishes them.

``publish_geo_mart`` writes a table into a new candidate folder of the SQL runner's mart
publication (``sql_runner.publish``: ``marts/<name>`` a symlink to an immutable version) and swaps
it in, so the geometry marts version, prune and read exactly as the SQL marts do. It is the only
place that publishes ``mart_ti_contours`` and ``mart_communes_contours``: when mart publication
changes (one release per refresh), this function is what follows.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa

from ti_pipeline.config import Paths, get_mode
from ti_pipeline.lake import PROVENANCE_KEY, SYNTHETIC_KEY, read_file_metadata, read_provenance, write_parquet_atomic
from ti_pipeline.sql_runner import catalog_db, publish
from ti_pipeline.sql_runner.parquet_metadata import CODE_VERSION_KEY, GENERATED_AT_KEY, code_version

MART_FILE = "data.parquet"
FINGERPRINT_KEY = "ti_pipeline.fingerprint"


def fingerprint(raw_file: Path, composition_dir: Path) -> str:
    """What the geometry marts are a function of: the lake file of the shapes (its provenance,
    which names the source file's sha256), the published composition version, and this package's code."""
    h = hashlib.sha256()
    h.update(json.dumps(read_file_metadata(raw_file).get(PROVENANCE_KEY.decode()), sort_keys=True, default=str).encode())
    h.update(str(Path(composition_dir).resolve()).encode())
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def published_fingerprint(paths: Paths, name: str) -> str | None:
    """The fingerprint recorded in the published version of mart ``name`` (None: none published)."""
    version = publish.current_version_dir(paths.marts, name)
    if version is None or not (version / MART_FILE).is_file():
        return None
    return read_file_metadata(version / MART_FILE).get(FINGERPRINT_KEY)


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


def publish_geo_mart(
    paths: Paths, name: str, table: pa.Table, metadata: Mapping[str, Any], column_descriptions: Mapping[str, str]
) -> Path:
    """Write ``table`` as mart ``name`` (one ``data.parquet``) and publish it atomically; returns the
    published version folder. A failure leaves the previous version published."""
    candidate = publish.new_candidate_dir(paths.marts, name)
    try:
        write_parquet_atomic(table, candidate / MART_FILE, metadata=metadata, column_descriptions=column_descriptions)
        return publish.publish_candidate(paths.marts, name, candidate, protect=catalog_db.referenced_versions(paths))
    except BaseException:
        publish.discard_candidate(candidate)
        raise
