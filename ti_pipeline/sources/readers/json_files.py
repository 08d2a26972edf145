"""JSON files: an array of objects, one row per object.

What belongs here: reading the array and saying clearly what came instead (an error object, a
scalar, an item that is not an object).

Not here: the data.gouv.fr API's JSON (``locate``, ``download``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ti_pipeline.sources.catalog import Source
from ti_pipeline.sources.readers.common import SourceFormatError, check_is_data


def read_json(source: Source, path: Path, label: str, info: dict) -> pd.DataFrame:
    check_is_data(source, label, path, "a JSON array")
    try:
        with open(path, encoding="utf-8-sig") as f:
            body = json.load(f)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceFormatError(source.name, label, f"invalid JSON ({exc})") from None
    if not isinstance(body, list):
        kind = f"a JSON object with keys {sorted(body)[:10]}" if isinstance(body, dict) else f"a JSON {type(body).__name__}"
        raise SourceFormatError(source.name, label, f"got {kind} instead of a JSON array of objects")
    bad = next((i for i, item in enumerate(body) if not isinstance(item, dict)), None)
    if bad is not None:
        raise SourceFormatError(source.name, label, f"item {bad} of the JSON array is not an object: {body[bad]!r:.80}")
    return pd.DataFrame.from_records(body)
