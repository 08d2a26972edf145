"""Typing a column to its declared dtype, value by value, without hiding what does not parse.

What belongs here: the mapping from a catalog ``Field.dtype`` to a pandas dtype, and the
conversion of one column read from a file (text for CSV/xlsx, native types for Parquet/JSON) to
that dtype. A value that does not parse is not turned into NaN silently: it is flagged, and the
caller rejects its row (or reports type drift when most of the column does not parse). A column
whose *storage* type cannot hold the declared type at all (numbers where codes are declared: the
leading zeros of ``01001`` are already lost; text or numbers where dates or booleans are declared
the other way round) is reported as a storage mismatch, which is drift. Text storage is parsed
whatever the file format: a Parquet column of ISO dates stored as strings is accepted, value by value.

Not here: the value rules (``rules``, ``schemas``), deciding drift vs rejects (``validate``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Declared dtype -> the pandas dtype of the validated frame (nullable extension types, so that an
# integer column with gaps stays integer).
PANDAS_DTYPES: dict[str, str] = {
    "str": "string",
    "int": "Int64",
    "float": "Float64",
    "date": "datetime64[us]",
    "bool": "boolean",
    "list": "object",
}

# Text accepted for booleans (case-insensitive): CSV exports write true/false, 1/0 or oui/non.
_TRUE = {"true", "t", "1", "yes", "y", "oui", "o", "vrai"}
_FALSE = {"false", "f", "0", "no", "n", "non", "faux"}


@dataclass
class Coerced:
    values: pd.Series  # typed to PANDAS_DTYPES[dtype]; NA where empty or unparseable
    nonempty: np.ndarray  # bool: the input held a value (not NA, not blank text)
    bad: np.ndarray  # bool: the input held a value that does not parse as the declared type
    storage: str | None = None  # why the column's storage type cannot hold the declared type


def _kind(series: pd.Series) -> str:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if isinstance(dtype, pd.StringDtype):
        return "string"
    # object: text (CSV read without pyarrow strings), dates (Parquet date32), or mixed (JSON)
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    if inferred in ("string", "empty"):
        return "string"
    if inferred in ("date", "datetime"):
        return "dates"
    return "object"


def _text(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The column as stripped text, with blanks as NA, and the mask of non-empty cells."""
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    return text, text.notna().to_numpy(dtype=bool)


def _text_as_is(series: pd.Series) -> Coerced:
    """Text declared as text: the values as read, blank cells (empty or only whitespace) as NA.
    Blanks are found in one Arrow pass, without the stripped copy of the column ``_text`` makes
    (the 4.4 M rows x 7 text columns of the national Flores file: 0.6 s)."""
    arr = pa.array(series.array)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    blank = pc.fill_null(pc.or_(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr)), False)
    values = series.astype("string")
    if pc.any(blank).as_py():
        values = values.mask(blank.to_numpy(zero_copy_only=False))
    nonempty = values.notna().to_numpy(dtype=bool)
    return Coerced(values, nonempty, np.zeros(len(series), dtype=bool))


def _parse_numbers(text: pd.Series) -> pd.Series:
    """Stripped text -> Float64, NA where empty or unparseable.

    Arrow's cast is ~50x faster than ``pd.to_numeric`` but all-or-nothing: it is tried first (most
    columns are clean), and a column with an unparseable value goes through ``to_numeric``.
    """
    try:
        parsed = pc.cast(pa.array(text.array), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pd.to_numeric(text, errors="coerce").astype("Float64")
    # Via numpy, a null becomes NaN and then NA; a literal 'nan' too, so it counts as unparseable.
    return pd.Series(pd.array(parsed.to_numpy(zero_copy_only=False), dtype="Float64"), index=text.index)


def _numbers_from_text(series: pd.Series, dtype: str) -> Coerced | None:
    """Text -> Float64/Int64 in Arrow, one pass per step over the whole column (the 38 year columns
    of the national Urssaf file: 2.5 s in pandas steps, about 5 times less this way). None when a
    value does not parse: the caller's value-by-value path then finds which."""
    arr = pa.array(series.array)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        return None
    clean = _cast_or_none(arr)  # most columns: clean numbers, empty cells already null (readers)
    if clean is not None:
        return _coerced_numbers(clean, arr.is_valid(), dtype, series.index)
    # padded numbers or blank cells, or values that do not parse: trimmed first, then cast
    trimmed = pc.utf8_trim_whitespace(arr)
    nonempty_arrow = pc.fill_null(pc.not_equal(trimmed, ""), False)
    try:
        parsed = pc.cast(pc.if_else(nonempty_arrow, trimmed, None), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return _coerced_numbers(parsed, nonempty_arrow, dtype, series.index)


def _cast_or_none(arr: pa.Array) -> pa.Array | None:
    """The text column cast to float64 in one pass, or None if a value does not parse as is."""
    try:
        return pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _coerced_numbers(parsed: pa.Array, nonempty_arrow: pa.Array, dtype: str, index) -> Coerced:
    """Parsed numbers (null where empty) and the mask of non-empty cells -> the coerced column."""
    numbers = parsed.fill_null(0.0).to_numpy(zero_copy_only=False)
    nonempty = nonempty_arrow.to_numpy(zero_copy_only=False)
    ok = nonempty & np.isfinite(numbers)  # 'nan' and 'inf' parse, but are no counts
    if dtype == "int":
        ok &= np.mod(numbers, 1) == 0
    values = pd.Series(pd.arrays.FloatingArray(numbers, ~ok), index=index, copy=False)
    if dtype == "int":
        values = values.astype(PANDAS_DTYPES["int"])
    return Coerced(values, nonempty, nonempty & ~ok)


def _empty(dtype: str, n: int, index) -> pd.Series:
    return pd.Series(pd.NA if dtype != "date" else pd.NaT, index=index, dtype=PANDAS_DTYPES[dtype])


def coerce(series: pd.Series, dtype: str) -> Coerced:
    """Convert one column to the declared ``dtype`` (see module docstring)."""
    if dtype not in PANDAS_DTYPES:
        raise ValueError(f"unknown declared dtype {dtype!r}; known: {sorted(PANDAS_DTYPES)}")
    kind = _kind(series)
    n = len(series)
    if kind == "string" and dtype in ("int", "float"):
        fast = _numbers_from_text(series, dtype)
        if fast is not None and fast.nonempty.any():
            return fast
    if kind == "string" and dtype == "str":
        return _text_as_is(series)
    if kind == "string" or (kind == "object" and dtype not in ("list", "date")):
        text, nonempty = _text(series)
    elif kind == "object" and dtype == "date":
        # mixed objects: blank strings are empty cells, other values are parsed below
        series = series.map(lambda v: (v.strip() or None) if isinstance(v, str) else v, na_action="ignore")
        text, nonempty = None, series.notna().to_numpy(dtype=bool)
    else:
        text, nonempty = None, series.notna().to_numpy(dtype=bool)
    if not nonempty.any():
        # An all-empty column says nothing about its type (pandas reads it as float NaN or object).
        return Coerced(_empty(dtype, n, series.index), nonempty, np.zeros(n, dtype=bool))

    def mismatch(why: str) -> Coerced:
        return Coerced(_empty(dtype, n, series.index), nonempty, np.zeros(n, dtype=bool), storage=why)

    stored = f"the file stores it as {'dates' if kind == 'dates' else series.dtype}"
    if dtype == "str":
        if kind not in ("string", "object"):
            why = " (codes must be text: leading zeros are lost in numbers)" if kind in ("int", "float") else ""
            return mismatch(f"{stored}{why}")
        if kind == "object":
            # JSON: a number where text is declared is a value of the wrong type, not text.
            is_str = series.map(lambda v: isinstance(v, str), na_action="ignore").fillna(True).to_numpy(dtype=bool)
            bad = nonempty & ~is_str
            return Coerced(text.mask(bad), nonempty, bad)
        # Only blanks become NA; the values themselves are kept as read (not stripped).
        return Coerced(series.astype("string").mask(~nonempty), nonempty, np.zeros(n, dtype=bool))

    if dtype in ("int", "float"):
        if kind in ("bool", "datetime", "dates"):
            return mismatch(stored)
        if kind in ("int", "float"):
            parsed = series.astype("Float64")
        else:
            parsed = _parse_numbers(text)
        finite = parsed.notna() & ~np.isinf(parsed.fillna(0).to_numpy(dtype=float))
        ok = finite.to_numpy(dtype=bool)
        if dtype == "int":
            ok = ok & (parsed.fillna(0) % 1 == 0).to_numpy(dtype=bool)
        bad = nonempty & ~ok
        values = parsed.mask(~pd.Series(ok, index=series.index))
        return Coerced(values.astype(PANDAS_DTYPES[dtype]), nonempty, bad)

    if dtype == "date":
        if kind in ("bool", "int", "float"):
            return mismatch(stored)
        if kind == "datetime":
            values = series
            if getattr(series.dtype, "tz", None) is not None:
                values = series.dt.tz_localize(None)
            values = values.astype(PANDAS_DTYPES["date"])
        elif kind == "dates":
            # Parquet date32 columns arrive as datetime.date objects
            values = pd.to_datetime(series, errors="coerce").astype(PANDAS_DTYPES["date"])
        else:
            # text must be ISO 8601 (YYYY-MM-DD); a day-first 08/04/2022 does not parse
            values = pd.to_datetime(text if kind == "string" else series, errors="coerce", format="ISO8601")
            values = values.astype(PANDAS_DTYPES["date"])
        bad = nonempty & values.isna().to_numpy(dtype=bool)
        return Coerced(values, nonempty, bad)

    if dtype == "bool":
        if kind == "bool":
            return Coerced(series.astype("boolean"), nonempty, np.zeros(n, dtype=bool))
        if kind in ("int", "float", "datetime", "dates"):
            return mismatch(stored)
        lower = text.str.lower()
        values = pd.Series(pd.NA, index=series.index, dtype="boolean")
        values[lower.isin(_TRUE).fillna(False).to_numpy(dtype=bool)] = True
        values[lower.isin(_FALSE).fillna(False).to_numpy(dtype=bool)] = False
        bad = nonempty & values.isna().to_numpy(dtype=bool)
        return Coerced(values, nonempty, bad)

    # list: Python lists (JSON) or their JSON text
    if kind not in ("object", "string"):
        return mismatch(stored)

    def as_list(v):
        if isinstance(v, (list, tuple, np.ndarray)):
            return list(v)
        if isinstance(v, str) and v.strip().startswith("["):
            try:
                parsed = json.loads(v)
            except ValueError:
                return None
            return parsed if isinstance(parsed, list) else None
        return None

    values = series.map(as_list, na_action="ignore").astype(object)
    values = values.where(values.notna(), None)
    bad = nonempty & values.isna().to_numpy(dtype=bool)
    return Coerced(values, nonempty, bad)
