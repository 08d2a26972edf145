"""The key of a source: the columns that identify a row, and the rows that share one.

What belongs here: finding the rows of a file whose key (``Source.key``) is on more than one row,
which ``validate`` turns into rejects under the rule ``cle_unique`` (``KEY_RULE``). The column of
such a reject is the key's columns (``"code_commune, code_ape"``) and its value the row's key as
read (``"01001 | 2562Z"``).

Every occurrence is rejected, not all but the first: the file says two things about one key and
nothing tells which is right (a row repeated whole would be double counted, two different rows
would be one silently dropped). Below the source's ``max_reject_rate`` the refresh goes on without
that key, with a warning naming it; above, the vintage is blocked. A row whose key has an empty
part, or a part that fails its own rules (a SIRET that is no SIRET), is left to those rules: such a
key identifies nothing. Keys are compared on the
typed values, as the rest of the pipeline sees them (the readers have undone Excel's
``="01001"`` wrappers and float-formatted codes such as ``971.0``).

A source read in batches (a Parquet file of more than ``ingest.vintages.BATCH_ROWS`` rows) is
checked batch by batch: a key repeated across two batches is not found (Sirene, the one such
source, is read for the lauréats' companies only, a few thousand rows: one batch).

Not here: the declarations (``sources.catalog``), running the rule (``validate``).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ti_pipeline.sources.catalog import Field, Source

KEY_RULE = "cle_unique"
# Joins the key's column names in ``_column`` and its values in ``_value`` of a reject.
COLUMN_SEPARATOR = ", "
VALUE_SEPARATOR = " | "


def key_columns(source: Source, fields: Mapping[str, Field]) -> list[str]:
    """The file's columns that make up ``source``'s key, in declaration order: a regex family name
    stands for each of its columns (``fields``: the file's columns matched with their fields)."""
    columns: list[str] = []
    for name in source.key:
        # a field's name is the column's, or the family's pattern for each column of the family
        columns += [c for c, f in fields.items() if f.name == name and c not in columns]
    return columns


def duplicate_rows(frame: pd.DataFrame, columns: list[str], skip: np.ndarray | None = None) -> np.ndarray:
    """0-based positions of the rows of ``frame`` whose key (``columns``) is on another row too.
    Rows with an empty part of the key, and those of ``skip`` (a boolean mask: a key that failed its
    own rules), are not compared."""
    if not columns or frame.empty:
        return np.array([], dtype="int64")
    keys = frame[columns]
    compared = keys.notna().all(axis=1).to_numpy().copy()
    if skip is not None:
        compared &= ~skip
    repeated = keys[compared].duplicated(keep=False).to_numpy()
    return np.flatnonzero(compared)[repeated]


def label(columns: list[str]) -> str:
    """The ``_column`` of a key reject: the key's columns."""
    return COLUMN_SEPARATOR.join(columns)


def key_values(frame: pd.DataFrame, rows: np.ndarray, column_label: str) -> pd.Series | None:
    """The key of each of ``rows`` as read (``_value``), for a ``_column`` made by ``label``; None
    when ``column_label`` is not a list of ``frame``'s columns."""
    columns = column_label.split(COLUMN_SEPARATOR)
    if len(columns) < 2 or not all(c in frame.columns for c in columns):
        return None
    parts = [frame[c].iloc[rows].astype("string").fillna("").reset_index(drop=True) for c in columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + VALUE_SEPARATOR + part
    return joined


__all__ = ["COLUMN_SEPARATOR", "KEY_RULE", "VALUE_SEPARATOR", "duplicate_rows", "key_columns", "key_values", "label"]
