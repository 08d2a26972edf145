"""Identifier columns (``code=True`` in the catalog): the one change readers make to values.

What belongs here: undoing Excel ``="01001"`` wrappers and float-formatted codes (``971.0``) in the
columns the catalog declares as codes, and counting the values fixed (``info["codes_fixed"]``).

Not here: padding codes, checking them (validation and SQL layers).
"""

from __future__ import annotations

import pandas as pd

from ti_pipeline.sources.catalog import Release, Source
from ti_pipeline.sources.readers.common import declared_columns


_EXCEL_WRAPPER = r'^="(.*)"$'
_FLOAT_CODE = r"^(\d+)\.0+$"
_EITHER = r'^=".*"$|^\d+\.0+$'


def code_columns(source: Source, release: Release, columns) -> list[str]:
    """The columns of a frame that the catalog declares as identifiers (``code=True``)."""
    fields = [f for f in source.fields_for(release.millesime) if f.code]
    return declared_columns(tuple(fields), [str(c) for c in columns])


def normalise_codes(source: Source, release: Release, frame: pd.DataFrame, info: dict) -> None:
    fixed: dict[str, int] = {}
    for col in code_columns(source, release, frame.columns):
        s = frame[col]
        if not s.str.contains(_EITHER, regex=True, na=False).any():
            continue  # most columns: one match pass, no copy (4.4 M Flores codes: 0.75 s -> 0.2 s)
        new = s.str.replace(_EXCEL_WRAPPER, r"\1", regex=True).str.replace(_FLOAT_CODE, r"\1", regex=True)
        changed = int(((new != s) & s.notna()).sum())
        if changed:
            frame[col] = new
            fixed[col] = changed
    info["codes_fixed"] = fixed
    info["codes_fixed_total"] = sum(fixed.values())
