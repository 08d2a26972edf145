"""Validation: valid frames pass for every source, the result adds up, the Dagster edge works."""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd
import pytest

from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.defs.raw import CHECK_NAME, asset_metadata, check_spec, quality_check_result, table_schema
from ti_pipeline.validation import (
    SchemaDriftError,
    build_schema,
    data_dictionary_markdown,
    validate,
)
from ti_pipeline.validation.examples import example_column, example_frame

ALL_VINTAGES = [pytest.param(s, m, id=f"{s.name}-{m}") for s in SOURCES for m in s.millesimes]


@pytest.mark.parametrize("source, millesime", ALL_VINTAGES)
def test_valid_example_frame_passes(source, millesime):
    frame = example_frame(source, millesime)
    result = validate(source, millesime, frame, file_name="example.csv")
    assert result.rows_rejected == 0, result.rejects.to_string()
    assert result.rows_valid == result.rows_in == 3
    assert list(result.valid.columns) == list(frame.columns)


@pytest.mark.parametrize("source, millesime", ALL_VINTAGES)
def test_valid_frame_is_typed_per_declared_dtype(source, millesime):
    result = validate(source, millesime, example_frame(source, millesime), file_name="example.csv")
    expected = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean", "list": "object"}
    for f in source.fields_for(millesime):
        dtype = str(result.valid[example_column(f)].dtype)
        if f.dtype == "date":
            assert dtype.startswith("datetime64")
        else:
            assert dtype == expected[f.dtype], (f.name, dtype)


@pytest.mark.parametrize("source, millesime", ALL_VINTAGES)
def test_pandera_schema_accepts_the_validated_frame(source, millesime):
    result = validate(source, millesime, example_frame(source, millesime), file_name="example.csv")
    build_schema(source, millesime).validate(result.valid)


def test_rows_in_equals_valid_plus_rejected_and_rejects_are_traceable():
    source = get_source("ti_communes")
    frame = pd.DataFrame(
        {
            "insee_com": ["01001", "2A004", "1001", None, "75056"],
            "lib_com": ["A", "B", "C", "D", "Paris"],
            "id_ti": ["ti-8402", "ti-8402 ; ti-8413", "ti-8402", "bad", "ti-1101"],
            "lib_ti": ["x", "y", "z", "w", "v"],
        }
    )
    result = validate(source, 2024, frame, file_name="liste-ti-com2023-20240704.csv")
    assert result.rows_in == 5
    assert result.rows_in == result.rows_valid + result.rows_rejected
    assert result.rows_rejected == 2
    assert result.rejects["_row"].tolist() == [2, 3]
    assert list(result.rejects.columns[:5]) == ["_row", "_rule", "_column", "_value", "_failures"]
    # the row with two failures reports both, the first one (in column order) in _rule/_column/_value
    row3 = result.rejects.iloc[1]
    assert (row3["_rule"], row3["_column"]) == ("not_null", "insee_com")
    assert pd.isna(row3["_value"])
    failures = json.loads(row3["_failures"])
    assert [(f["rule"], f["column"], f["value"]) for f in failures] == [
        ("not_null", "insee_com", None),
        ("pattern", "id_ti", "bad"),
    ]
    # original values travel with the reject, as text
    assert row3["lib_com"] == "D" and row3["id_ti"] == "bad"
    assert result.failure_counts == {("pattern", "insee_com"): 1, ("not_null", "insee_com"): 1, ("pattern", "id_ti"): 1}
    assert result.valid["insee_com"].tolist() == ["01001", "2A004", "75056"]


def test_empty_frame_is_valid_and_adds_up():
    source = get_source("ti_territoires")
    frame = pd.DataFrame({"id_ti": pd.Series([], dtype=object), "lib_ti": pd.Series([], dtype=object)})
    result = validate(source, 2024, frame, file_name="liste-ti-20240704.csv")
    assert (result.rows_in, result.rows_valid, result.rows_rejected) == (0, 0, 0)
    assert list(result.rejects.columns[:5]) == ["_row", "_rule", "_column", "_value", "_failures"]


def test_blank_text_is_missing_not_a_value():
    source = get_source("ti_territoires")
    frame = pd.DataFrame({"id_ti": ["ti-8402", "ti-8413"], "lib_ti": ["Bourg", "  "]})
    result = validate(source, 2024, frame, file_name="liste-ti-20240704.csv")
    assert result.rejects[["_row", "_rule", "_column"]].values.tolist() == [[1, "not_null", "lib_ti"]]


# ------------------------------------------------------------------------------------------------
# Dagster edge
# ------------------------------------------------------------------------------------------------
def test_table_schema_carries_types_and_descriptions():
    source = get_source("flores_a38")
    schema = table_schema(source, 2024)
    assert isinstance(schema, dg.TableSchema)
    by_name = {c.name: c for c in schema.columns}
    assert set(by_name) == {f.name for f in source.fields}
    assert by_name["OBS_VALUE"].type == "float"
    assert by_name["OBS_VALUE"].description == "Value; empty when not disseminated (OBS_STATUS K)"
    assert by_name["TIME_PERIOD"].type == "integer"
    assert by_name["GEO"].constraints.nullable is False
    assert any("E_GE500" in rule for rule in by_name["NUMBER_EMPL"].constraints.other)


def test_table_schema_resolves_vintage_templates_and_families():
    schema = table_schema(get_source("rp_emploi"), 2021)
    names = [c.name for c in schema.columns]
    assert "P21_EMPLT" in names and "P15_EMPLT" in names
    urssaf = get_source("urssaf_ape")
    cols = ["code_commune", "effectifs_salaries_2023", "effectifs_salaries_2024"]
    schema = table_schema(urssaf, 2024, columns=cols)
    assert [c.name for c in schema.columns] == cols
    assert schema.columns[1].description == "Salaried headcount at 31/12 of that year"


def _result_with_rejects(source_name: str, bad_rows: int, rows: int):
    source = get_source(source_name)
    millesime = source.millesimes[0]
    frame = example_frame(source, millesime, rows=rows)
    f = next(f for f in source.fields_for(millesime) if f.pattern and not f.nullable)
    frame.loc[: bad_rows - 1, example_column(f)] = "??"
    return source, validate(source, millesime, frame, file_name="f")


def test_quality_check_passes_without_rejects():
    source = get_source("urssaf_ape")
    result = validate(source, 2024, example_frame(source, 2024), file_name="f.csv")
    check = quality_check_result(source, result)
    assert check.passed
    assert check.check_name == CHECK_NAME
    assert check.asset_key == dg.AssetKey("raw_urssaf_ape")
    assert check.metadata["rows_read"].value == 3
    assert check.metadata["reject_rate"].value == 0.0


def test_quality_check_warns_below_threshold():
    source, result = _result_with_rejects("urssaf_ape", bad_rows=1, rows=200)  # 0.5% < 1%
    check = quality_check_result(source, result)
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rows_rejected"].value == 1
    assert check.metadata["reject_rate"].value == pytest.approx(0.005)
    assert "??" in check.metadata["failing_values"].value
    assert "pattern" in check.metadata["failures_by_rule"].value


def test_quality_check_blocks_above_threshold():
    source, result = _result_with_rejects("urssaf_ape", bad_rows=3, rows=200)  # 1.5% > 1%
    check = quality_check_result(source, result)
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert "blocked" in check.description


def test_ti_perimeter_blocks_on_a_single_reject():
    source, result = _result_with_rejects("ti_communes", bad_rows=1, rows=1000)
    assert source.max_reject_rate == 0
    check = quality_check_result(source, result)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR


def test_check_spec_is_blocking():
    spec = check_spec(get_source("flores_a38"))
    assert spec.blocking
    assert spec.name == CHECK_NAME
    assert spec.asset_key == dg.AssetKey("raw_flores_a38")


def test_asset_metadata_has_column_schema_and_row_count():
    source = get_source("ti_territoires")
    frame = example_frame(source, 2024).assign(insee_reg="84")
    result = validate(source, 2024, frame, file_name="f.csv")
    meta = asset_metadata(source, 2024, result)
    assert isinstance(meta["dagster/column_schema"], dg.TableSchema)
    assert meta["dagster/row_count"].value == 3
    assert meta["added_columns"].value == ["insee_reg"]


def test_data_dictionary_lists_every_source_and_column():
    md = data_dictionary_markdown()
    for s in SOURCES:
        assert f"`{s.asset_name}`" in md
        for f in s.fields_for(s.millesimes[0]):
            # a '|' of a regex family is escaped in the Markdown table
            assert f"`{f.name.replace('|', chr(92) + '|')}`" in md, f.name
    assert "luhn_siret" in md
    assert "obs_value_iff_not_disseminated" in md


def test_drift_error_is_an_exception_with_data():
    source = get_source("ti_territoires")
    with pytest.raises(SchemaDriftError) as err:
        validate(source, 2024, pd.DataFrame({"lib_ti": ["x"]}), file_name="liste-ti-20240704.csv")
    assert err.value.missing == ["id_ti"]
    assert err.value.as_metadata()["file"] == "liste-ti-20240704.csv"
