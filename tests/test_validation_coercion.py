"""Typing a column to its declared dtype: what parses, what is flagged, what is a storage mismatch."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ti_pipeline.validation.coercion import coerce


def test_text_to_float_flags_what_does_not_parse():
    c = coerce(pd.Series(["1", " 2.5", "", None, "1e3", "abc", "nan", "inf"], dtype=object), "float")
    assert c.values.tolist()[:5] == [1.0, 2.5, pd.NA, pd.NA, 1000.0]
    assert c.bad.tolist() == [False, False, False, False, False, True, True, True]
    assert c.nonempty.tolist() == [True, True, False, False, True, True, True, True]
    assert str(c.values.dtype) == "Float64"


def test_text_to_int_requires_whole_numbers():
    c = coerce(pd.Series(["2021", "2022.0", "2022.5", ""], dtype="str"), "int")
    assert c.values.tolist() == [2021, 2022, pd.NA, pd.NA]
    assert c.bad.tolist() == [False, False, True, False]
    assert str(c.values.dtype) == "Int64"


def test_native_float_to_int():
    c = coerce(pd.Series([1.0, 2.5, np.nan]), "int")
    assert c.bad.tolist() == [False, True, False]


def test_text_to_bool():
    c = coerce(pd.Series(["true", "FALSE", "1", "0", "oui", "", "peut-être"], dtype=object), "bool")
    assert c.values.tolist() == [True, False, True, False, True, pd.NA, pd.NA]
    assert c.bad.tolist() == [False] * 6 + [True]


def test_dates_from_text_objects_and_timestamps():
    text = coerce(pd.Series(["2024-01-02", "2024-13-01", "02/01/2024", ""], dtype="str"), "date")
    assert text.values.iloc[0] == pd.Timestamp("2024-01-02")
    assert text.bad.tolist() == [False, True, True, False]
    objects = coerce(pd.Series([dt.date(2001, 5, 12), None]), "date")
    assert objects.values.iloc[0] == pd.Timestamp("2001-05-12") and not objects.bad.any()
    aware = coerce(pd.Series(pd.to_datetime(["2024-01-02T10:00:00+01:00"])), "date")
    assert str(aware.values.dtype) == "datetime64[us]"


def test_lists_from_json_values_and_json_text():
    c = coerce(pd.Series([["01400", "01401"], None, '["01000"]', "01000"], dtype=object), "list")
    assert c.values.tolist() == [["01400", "01401"], None, ["01000"], None]
    assert c.bad.tolist() == [False, False, False, True]


@pytest.mark.parametrize("storage", [object, "str", "string"])
def test_blank_text_is_empty_and_values_are_kept_as_read(storage):
    c = coerce(pd.Series([" 01001", "", "   ", None, "\t", " \n", "\u00a0", "a b"], dtype=storage), "str")
    assert c.values.tolist() == [" 01001", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, "a b"]
    assert c.nonempty.tolist() == [True, False, False, False, False, False, False, True]
    assert str(c.values.dtype) == "string" and not c.bad.any()


@pytest.mark.parametrize(
    "values, dtype",
    [
        (pd.Series([1001, 2004]), "str"),  # codes stored as numbers: zeros already lost
        (pd.Series([True, False]), "int"),
        (pd.Series([20240102, 20240103]), "date"),
        (pd.Series([1, 0]), "bool"),
        (pd.Series([dt.date(2024, 1, 2)]), "float"),
        (pd.Series([1.5, 2.5]), "list"),
    ],
)
def test_storage_that_cannot_hold_the_declared_type(values, dtype):
    c = coerce(values, dtype)
    assert c.storage is not None and "the file stores it as" in c.storage


def test_an_all_empty_column_says_nothing_about_its_type():
    c = coerce(pd.Series([np.nan, np.nan]), "str")
    assert c.storage is None and not c.bad.any()
    assert str(c.values.dtype) == "string"
