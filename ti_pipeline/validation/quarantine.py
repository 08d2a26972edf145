"""The rejects table: rows set aside by validation, with every reason, never silently dropped.

What belongs here: turning the list of failures found by ``validate`` (row, rule, column) into the
rejects frame — one row per rejected input row with ``_row`` (0-based data row of the file, header
excluded), ``_rule``, ``_column`` and ``_value`` of its first failure, ``_failures`` (a JSON list of
every failure of the row) and then the row's original values as text, exactly as read — and the
summaries the Dagster check shows (counts per rule and column, examples).

Not here: writing the Parquet file (``ti_pipeline.lake.write_rejects``), finding failures (``validate``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ti_pipeline.validation import keys

REJECT_COLUMNS = ["_row", "_rule", "_column", "_value", "_failures"]
FAILURE_COLUMNS = ["_row", "_rule", "_column", "_order"]


def empty_failures() -> pd.DataFrame:
    return pd.DataFrame(
        {"_row": pd.Series([], dtype="int64"), "_rule": pd.Series([], dtype=object),
         "_column": pd.Series([], dtype=object), "_order": pd.Series([], dtype="int64")}
    )


def failures(rows: np.ndarray, rule: str, column: str, order: int) -> pd.DataFrame:
    """Failures of one rule on one column: the 0-based positions of the failing rows."""
    n = len(rows)
    return pd.DataFrame(
        {
            "_row": np.asarray(rows, dtype="int64"),
            "_rule": np.full(n, rule, dtype=object),
            "_column": np.full(n, column, dtype=object),
            "_order": np.full(n, order, dtype="int64"),
        }
    )


def _as_text(values: pd.Series) -> pd.Series:
    if values.dtype == object:
        # lists (JSON sources) and mixed objects: their repr-like text, NA kept as NA
        return values.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore").astype("string")
    return values.astype("string")


def original_values(frame: pd.DataFrame, found: pd.DataFrame) -> pd.Series:
    """The value in the file (as text) of each failure's row and column."""
    out = pd.Series(pd.NA, index=found.index, dtype="string")
    for column, group in found.groupby("_column", sort=False):
        if column in frame.columns:
            out.loc[group.index] = _as_text(frame[column].iloc[group["_row"].to_numpy()]).to_numpy()
        else:  # a key's columns (rule cle_unique): the key as read, its values joined
            values = keys.key_values(frame, group["_row"].to_numpy(), column)
            if values is not None:
                out.loc[group.index] = values.to_numpy()
    return out


def with_values(frame: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Failures sorted by row (first failure first), with the failing value as read (``_value``)."""
    found = found.sort_values(["_row", "_order"], kind="stable").reset_index(drop=True)
    found["_value"] = original_values(frame, found)
    return found


def _failures_json(found: pd.DataFrame) -> np.ndarray:
    """One JSON object per failure, built column-wise (millions of failures must stay cheap)."""
    # Rules and columns are few: encode each distinct one once.
    rule = found["_rule"].map({r: json.dumps(r) for r in found["_rule"].unique()}).to_numpy(dtype=object)
    column = found["_column"].map({c: json.dumps(c) for c in found["_column"].unique()}).to_numpy(dtype=object)
    values = found["_value"].to_numpy(dtype=object, na_value=None)
    value = np.array([json.dumps(v, ensure_ascii=False) for v in values], dtype=object)
    return '{"rule": ' + rule + ', "column": ' + column + ', "value": ' + value + "}"


def build_rejects(frame: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """The rejects table from the input ``frame`` (positional index) and its failures (``with_values``)."""
    text_columns = [str(c) for c in frame.columns]
    if found.empty:
        empty = {c: pd.Series([], dtype="string") for c in REJECT_COLUMNS + text_columns}
        empty["_row"] = pd.Series([], dtype="Int64")
        return pd.DataFrame(empty)[REJECT_COLUMNS + text_columns]
    # ``found`` is sorted by row: each rejected row is a run of consecutive failures.
    all_rows = found["_row"].to_numpy()
    starts = np.flatnonzero(np.r_[True, all_rows[1:] != all_rows[:-1]])
    counts = np.diff(np.r_[starts, len(all_rows)])
    parts = _failures_json(found)
    listed = np.empty(len(starts), dtype=object)
    single = counts == 1
    listed[single] = "[" + parts[starts[single]] + "]"
    for i in np.flatnonzero(~single):
        listed[i] = "[" + ", ".join(parts[starts[i] : starts[i] + counts[i]]) + "]"
    rows = all_rows[starts]
    originals = frame.iloc[rows].reset_index(drop=True)
    originals.columns = text_columns
    head = pd.DataFrame(
        {
            "_row": pd.array(rows, dtype="Int64"),
            "_rule": pd.array(found["_rule"].to_numpy()[starts], dtype="string"),
            "_column": pd.array(found["_column"].to_numpy()[starts], dtype="string"),
            "_value": pd.array(found["_value"].to_numpy(dtype=object, na_value=None)[starts], dtype="string"),
            "_failures": pd.array(listed, dtype="string"),
        }
    )
    return pd.concat([head, pd.DataFrame({c: _as_text(originals[c]) for c in text_columns})], axis=1)


def failure_counts(found: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Failures per (rule, column); a row failing two rules counts in both."""
    if found.empty:
        return {}
    counts = found.groupby(["_rule", "_column"], sort=True).size()
    return {(str(r), str(c)): int(n) for (r, c), n in counts.items()}


def examples(found: pd.DataFrame, per_rule: int = 3) -> pd.DataFrame:
    """A few failures per (rule, column): row number, rule, column and failing value."""
    cols = ["_row", "_rule", "_column", "_value"]
    if found.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    return found.groupby(["_rule", "_column"], sort=True).head(per_rule)[cols].reset_index(drop=True)
