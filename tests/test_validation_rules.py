"""Every rule of every source catches a crafted bad value: the row is in the rejects with the reason.

The cases are generated from the catalog (one per field rule), so a rule added to a ``Field``
gets its test here; the rules across columns and the Luhn keys have hand-written cases below.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.validation import validate
from ti_pipeline.validation.examples import example_column, example_frame
from ti_pipeline.validation.rules import luhn_siren, luhn_siret

BAD_VALUE = {
    "luhn_siren": "123456789",
    "luhn_siret": "73282932000075",
    "plausible_date": "1700-01-01",
}
NOT_A = {"int": "deux mille", "float": "abc", "date": "2024-13-45", "bool": "peut-être", "list": "01400"}


def _rule_cases():
    for source in SOURCES:
        millesime = source.millesimes[0]
        for f in source.fields_for(millesime):
            base = dict(source=source, millesime=millesime, field=f)
            ident = f"{source.name}-{example_column(f)}"
            if f.pattern is not None and f.dtype == "str":
                yield pytest.param(base | {"rule": "pattern", "bad": "??"}, id=f"{ident}-pattern")
            if f.isin is not None:
                yield pytest.param(base | {"rule": "isin", "bad": "NOT_ALLOWED"}, id=f"{ident}-isin")
            if f.ge is not None:
                yield pytest.param(base | {"rule": "ge", "bad": str(int(f.ge) - 1)}, id=f"{ident}-ge")
            if f.le is not None:
                yield pytest.param(base | {"rule": "le", "bad": str(int(f.le) + 1)}, id=f"{ident}-le")
            if not f.nullable:
                yield pytest.param(base | {"rule": "not_null", "bad": None}, id=f"{ident}-not_null")
            if f.dtype != "str":
                yield pytest.param(base | {"rule": "type", "bad": NOT_A[f.dtype]}, id=f"{ident}-type")
            for check in f.checks:
                yield pytest.param(base | {"rule": check, "bad": BAD_VALUE[check]}, id=f"{ident}-{check}")


@pytest.mark.parametrize("case", list(_rule_cases()))
def test_rule_catches_a_crafted_bad_value(case):
    source, millesime, f = case["source"], case["millesime"], case["field"]
    column = example_column(f)
    frame = example_frame(source, millesime, rows=4)
    frame.loc[2, column] = case["bad"]
    result = validate(source, millesime, frame, file_name="crafted")
    assert result.rows_in == result.rows_valid + result.rows_rejected
    assert result.rejects["_row"].tolist() == [2], result.rejects.to_string()
    reject = result.rejects.iloc[0]
    assert (reject["_rule"], reject["_column"]) == (case["rule"], column), reject["_failures"]
    if case["bad"] is None:
        assert pd.isna(reject["_value"])
    else:
        assert reject["_value"] == case["bad"]
    assert reject[column] == case["bad"] or (case["bad"] is None and pd.isna(reject[column]))
    assert result.failure_counts[(case["rule"], column)] == 1
    assert result.rows_valid == 3


# ------------------------------------------------------------------------------------------------
# Rules across columns
# ------------------------------------------------------------------------------------------------
def _flores(**columns) -> pd.DataFrame:
    source = get_source("flores_a38")
    frame = example_frame(source, 2024, rows=len(next(iter(columns.values()))))
    for name, values in columns.items():
        frame[name] = pd.Series(values, dtype=object)
    return frame


def test_flores_secret_cells_are_valid_rows():
    # K: not disseminated, no value; W: published, includes another category's data
    frame = _flores(OBS_STATUS=["A", "K", "K", "W"], OBS_VALUE=["12", "", None, "7"])
    result = validate(get_source("flores_a38"), 2024, frame, file_name="DS_FLORES_A38_2024_data.csv")
    assert result.rows_rejected == 0
    assert result.valid["OBS_VALUE"].isna().tolist() == [False, True, True, False]


def test_flores_value_iff_not_disseminated():
    frame = _flores(OBS_STATUS=["A", "K", "A", "W"], OBS_VALUE=["12", "5", "", ""])
    result = validate(get_source("flores_a38"), 2024, frame, file_name="DS_FLORES_A38_2024_data.csv")
    rejects = result.rejects.set_index("_row")
    assert rejects.index.tolist() == [1, 2, 3]
    assert (rejects.loc[1, "_rule"], rejects.loc[1, "_column"], rejects.loc[1, "_value"]) == (
        "obs_value_iff_not_disseminated", "OBS_VALUE", "5")
    assert rejects.loc[2, "_rule"] == "obs_value_iff_not_disseminated"
    assert rejects.loc[2, "_value"] == ""  # the value as read: an empty cell


def test_flores_unknown_codes_are_rejects_with_their_rule():
    """Code lists come from the publisher: a status, legal form or level not in them is a reject
    naming the rule and the value, never a row filtered away without a word."""
    frame = _flores(OBS_STATUS=["A", "C", "A", "A"], LEGAL_FORM_WITH_PUBLIC=["1T9X7", "1T9X7", "_T", "1T9X7"],
                    GEO_OBJECT=["COM", "COM", "COM", "EPCI"], GEO=["01001", "01001", "01001", "200070001"])
    result = validate(get_source("flores_a38"), 2024, frame, file_name="DS_FLORES_A38_2024_data.csv")
    rejects = result.rejects.set_index("_row")
    assert rejects.index.tolist() == [1, 2, 3]
    assert (rejects.loc[1, "_rule"], rejects.loc[1, "_column"], rejects.loc[1, "_value"]) == ("isin", "OBS_STATUS", "C")
    assert (rejects.loc[2, "_rule"], rejects.loc[2, "_column"], rejects.loc[2, "_value"]) == (
        "isin", "LEGAL_FORM_WITH_PUBLIC", "_T")
    assert (rejects.loc[3, "_rule"], rejects.loc[3, "_column"], rejects.loc[3, "_value"]) == ("isin", "GEO_OBJECT", "EPCI")


def test_flores_unparseable_value_is_reported_once_as_type():
    frame = _flores(OBS_STATUS=["A", "A", "A"], OBS_VALUE=["12", "abc", "3"])
    result = validate(get_source("flores_a38"), 2024, frame, file_name="DS_FLORES_A38_2024_data.csv")
    failures = json.loads(result.rejects.iloc[0]["_failures"])
    assert failures == [{"rule": "type", "column": "OBS_VALUE", "value": "abc"}]


def test_flores_geo_is_a_commune_code_only_at_commune_level():
    frame = _flores(
        GEO_OBJECT=["COM", "ZE2020", "COM", "REG", "ARM", "ARM"], GEO=["01001", "8405", "8405", "84", "75101", "751"]
    )
    result = validate(get_source("flores_a38"), 2024, frame, file_name="DS_FLORES_A38_2024_data.csv")
    assert result.rejects[["_row", "_rule", "_column", "_value"]].values.tolist() == [
        [2, "geo_commune_code", "GEO", "8405"],
        [5, "geo_commune_code", "GEO", "751"],
    ]


def test_sirene_siret_is_siren_followed_by_nic():
    source = get_source("sirene_etablissements")
    frame = example_frame(source, 2026, rows=2)
    frame.loc[1, "siret"] = "55203253400646"  # a valid SIRET of another company
    result = validate(source, 2026, frame, file_name="StockEtablissement_utf8.parquet")
    assert result.rejects[["_row", "_rule", "_column", "_value"]].values.tolist() == [
        [1, "siret_is_siren_nic", "siret", "55203253400646"]
    ]


def test_sirene_naf_rev2_format_only_for_current_nomenclature():
    # Closed establishments keep the code of their time: '2562' under NAF 1993 is valid, the same
    # code declared NAFRev2 is not.
    source = get_source("sirene_etablissements")
    frame = example_frame(source, 2026, rows=3)
    frame["nomenclatureActivitePrincipaleEtablissement"] = ["NAFRev2", "NAF1993", "NAFRev2"]
    frame["activitePrincipaleEtablissement"] = ["25.62A", "28.5D", "2562"]
    result = validate(source, 2026, frame, file_name="StockEtablissement_utf8.parquet")
    assert result.rejects[["_row", "_rule", "_column", "_value"]].values.tolist() == [
        [2, "naf_rev2_format", "activitePrincipaleEtablissement", "2562"]
    ]


# ------------------------------------------------------------------------------------------------
# Luhn keys
# ------------------------------------------------------------------------------------------------
def test_luhn_siren():
    values = pd.Series(["732829320", "552032534", "356000000", "200000172", "123456789", "732829321", None, "12345"])
    assert luhn_siren(values).tolist() == [True, True, True, True, False, False, True, True]


def test_luhn_siret_with_la_poste_exception():
    values = pd.Series(
        [
            "73282932000074",  # Luhn OK
            "73282932000075",  # Luhn KO
            "35600000000048",  # La Poste head office: ordinary Luhn key
            "35600000049837",  # La Poste establishment: Luhn KO, digit sum 45 = multiple of 5
            "35600000049838",  # La Poste establishment: digit sum 46
            "12345678200007",  # Luhn OK on 14 digits but its SIREN 123456782 has a bad key
            None,
            "7328293200007",  # 13 digits: left to the pattern rule
        ]
    )
    assert luhn_siret(values).tolist() == [True, False, True, True, False, False, True, True]
    assert not luhn_siret(pd.Series(["35600000049837"]).str.replace("356", "357"))[0]


def test_luhn_is_vectorised_over_a_large_column():
    rng = np.random.default_rng(0)
    values = pd.Series(rng.integers(10**8, 10**9, 200_000).astype(str))
    ok = luhn_siren(values)
    assert 0.08 < ok.mean() < 0.12  # one number in ten has a valid key


def test_sirene_la_poste_establishment_is_valid():
    source = get_source("sirene_etablissements")
    frame = example_frame(source, 2026, rows=1)
    frame["siren"], frame["nic"], frame["siret"] = "356000000", "49837", "35600000049837"
    result = validate(source, 2026, frame, file_name="StockEtablissement_utf8.parquet")
    assert result.rows_rejected == 0


# ------------------------------------------------------------------------------------------------
# Exceptions: columns whose mess is the nature of the file
# ------------------------------------------------------------------------------------------------
def test_relance_laureats_keeps_unusable_ids_and_coordinates():
    source = get_source("relance_laureats")
    frame = example_frame(source, 2022, rows=5)
    frame["siren"] = pd.Series(["732829320", "73282932000074", None, "12345", "123456789"], dtype=object)
    frame["coordonnees_gps"] = pd.Series(["45.2, 5.7", None, "n/a", "45,2 5,7", ""], dtype=object)
    result = validate(source, 2022, frame, file_name="plan-de-relance.csv")
    assert result.rows_rejected == 0
    assert result.valid["siren"].tolist()[:2] == ["732829320", "73282932000074"]
    assert result.valid["siren"].iloc[3] == "12345"


def test_unparseable_numbers_are_rejected_not_turned_into_nan():
    source = get_source("relance_laureats")
    frame = example_frame(source, 2022, rows=4)
    column = "tonnes_equivalent_co2_pour_les_projets_decarbonation"
    frame[column] = pd.Series(["12.5", "", "abc", None], dtype=object)
    result = validate(source, 2022, frame, file_name="plan-de-relance.csv")
    assert result.rejects[["_row", "_rule", "_column", "_value"]].values.tolist() == [[2, "type", column, "abc"]]
    assert result.valid[column].isna().tolist() == [False, True, True]


def test_integers_must_be_whole():
    source = get_source("laureats_ti")
    frame = example_frame(source, 2022, rows=4)
    frame["annee"] = pd.Series(["2021", "2022.0", "2022.5", ""], dtype=object)
    result = validate(source, 2022, frame, file_name="laureats-territoires-industrie.csv")
    assert result.rejects[["_row", "_rule", "_value"]].values.tolist() == [[2, "type", "2022.5"]]
    assert result.valid["annee"].tolist()[:2] == [2021, 2022]


@pytest.mark.parametrize(
    "values",
    [
        ["75056", "2A004", None, "75056", "7505", "2A004", None, "ABCDE"] * 3,  # codes repeat
        ["75056", "2A004", "7505", None],  # mostly distinct: tested as they are
        [None, None, None],
        [],
    ],
)
def test_a_test_on_distinct_values_answers_as_on_every_value(values):
    from ti_pipeline.validation.rules import on_distinct_values

    series = pd.Series(values, dtype="str", index=range(10, 10 + len(values)))

    def test(s: pd.Series) -> pd.Series:
        return s.str.fullmatch(r"\d{5}|2[AB]\d{3}", na=False)

    got = on_distinct_values(series, test, missing=False)
    assert got.dtype == bool and got.index.equals(series.index)
    assert got.tolist() == test(series).fillna(False).astype(bool).tolist()
    assert on_distinct_values(series, test, missing=True)[series.isna()].all()


def test_a_pattern_is_matched_once_per_distinct_value():
    # the national Flores file repeats 37 activity codes over 4.4 M rows: the check's regular
    # expression sees each distinct code once
    from ti_pipeline.validation.rules import on_distinct_values

    seen = []

    def test(s: pd.Series) -> pd.Series:
        seen.append(len(s))
        return s.str.match(r"[A-Z]{2}|_T", na=False)

    series = pd.Series(["CA", "_T", "C1", "CA"] * 1000, dtype="str")
    got = on_distinct_values(series, test, missing=False)
    assert seen == [3] and got.sum() == 3000  # CA and _T match, C1 does not
