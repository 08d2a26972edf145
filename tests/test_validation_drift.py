"""Schema drift: renamed, missing and retyped columns stop validation with a clear message; a column
the publisher added does not, it is reported by name and not kept."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.validation import SchemaDriftError, validate
from ti_pipeline.validation.examples import example_column, example_frame

ALL = [pytest.param(s, id=s.name) for s in SOURCES]


def _drift(source, millesime, frame, **kwargs) -> SchemaDriftError:
    with pytest.raises(SchemaDriftError) as err:
        validate(source, millesime, frame, file_name=source.release(millesime).file_name, **kwargs)
    message = str(err.value)
    # every drift message says which source, file and vintage
    assert repr(source.name) in message
    assert source.release(millesime).file_name in message
    assert f"millésime {millesime}" in message
    return err.value


def _first_required(source, millesime):
    """(column in the example frame, name in the message) of the first required field."""
    f = next(f for f in source.fields_for(millesime) if f.required)
    return (example_column(f), f"{f.name} (regex family)") if f.name_is_regex else (f.name, f.name)


@pytest.mark.parametrize("source", ALL)
def test_renamed_column_is_named_with_its_probable_new_name(source):
    millesime = source.millesimes[0]
    column, label = _first_required(source, millesime)
    frame = example_frame(source, millesime).rename(columns={column: f"{column}_v2"})
    err = _drift(source, millesime, frame)
    assert f"column '{label}' missing; found '{column}_v2' — renamed?" in str(err)
    assert err.renamed == {label: f"{column}_v2"}


@pytest.mark.parametrize("source", ALL)
def test_missing_column_is_named(source):
    millesime = source.millesimes[0]
    column, label = _first_required(source, millesime)
    err = _drift(source, millesime, example_frame(source, millesime).drop(columns=[column]))
    assert err.missing == [label]
    assert f"column '{label}' missing" in str(err)


@pytest.mark.parametrize("source", ALL)
def test_a_column_the_publisher_added_is_reported_and_not_kept(source):
    millesime = source.millesimes[0]
    frame = example_frame(source, millesime).assign(colonne_en_plus="x")
    result = validate(source, millesime, frame, file_name="f")
    assert result.added_columns == ["colonne_en_plus"]
    assert "colonne_en_plus" not in result.valid.columns
    assert result.rows_rejected == 0
    # the rejects keep every original column, the added ones included
    assert "colonne_en_plus" in result.rejects.columns


def test_a_known_unused_column_is_ignored_not_reported():
    source = get_source("communes_siren")
    frame = example_frame(source, source.millesimes[0]).assign(typeLiaison=0, zone="metro")
    result = validate(source, source.millesimes[0], frame, file_name="communes.json")
    assert result.added_columns == []
    assert result.ignored_columns == ["typeLiaison", "zone"]
    assert "zone" not in result.valid.columns


TYPED = [
    pytest.param(s, f, id=f"{s.name}-{f.name}")
    for s in SOURCES
    for f in s.fields_for(s.millesimes[0])
    if f.dtype in ("int", "float", "date", "bool")
]


@pytest.mark.parametrize("source, field", TYPED)
def test_text_where_a_typed_column_is_declared_is_type_drift(source, field):
    millesime = source.millesimes[0]
    column = example_column(field)
    frame = example_frame(source, millesime, rows=6)
    frame[column] = ["abc", "def", "ghi", "abc", "jkl", "mno"]
    err = _drift(source, millesime, frame)
    assert list(err.dtype_problems) == [column]
    assert f"column '{column}': declared {field.dtype}, but 6 of its 6 non-empty values (100%) do not parse" in str(err)
    assert "'abc'" in str(err)


def test_a_few_bad_values_are_rejects_not_drift():
    source = get_source("rp_emploi")
    frame = example_frame(source, 2022, rows=6)
    frame["P22_EMPLT"] = ["1", "2", "abc", "def", "3", "4"]
    result = validate(source, 2022, frame, file_name="base-cc-emploi-pop-active-2022_csv.zip")
    assert result.rows_rejected == 2


# ------------------------------------------------------------------------------------------------
# Realistic cases, one per source family
# ------------------------------------------------------------------------------------------------
def test_ti_commune_code_renamed():
    source = get_source("ti_communes")
    frame = example_frame(source, 2024).rename(columns={"insee_com": "code_insee"})
    err = _drift(source, 2024, frame)
    assert "column 'insee_com' missing; found 'code_insee' — renamed?" in str(err)
    assert "Columns in the file: " in str(err) and "code_insee" in str(err).split("Columns in the file: ")[1]


def test_census_vintage_mismatch_names_the_new_prefix():
    # The 2022 base given as the 2021 vintage: every P21_ column is "missing", found as P22_.
    source = get_source("rp_emploi")
    frame = example_frame(source, 2022)
    err = _drift(source, 2021, frame)
    assert "column 'P21_EMPLT' missing; found 'P22_EMPLT' — renamed?" in str(err)
    assert "column 'P15_EMPLT' missing; found 'P16_EMPLT' — renamed?" in str(err)


def test_census_optional_columns_of_the_other_vintage_are_tolerated():
    source = get_source("rp_population")
    frame = example_frame(source, 2022).drop(columns=["P22_POP75P"])
    result = validate(source, 2022, frame, file_name="base-cc-evol-struct-pop-2022_csv.zip")
    assert result.rows_rejected == 0
    assert result.absent_optional_columns == ["P22_POP75P"]


def test_flores_value_column_renamed_and_new_dimension():
    source = get_source("flores_a38")
    frame = example_frame(source, 2024).rename(columns={"OBS_VALUE": "OBS_VAL"}).assign(UNIT_MEASURE="NB")
    err = _drift(source, 2024, frame)
    assert "column 'OBS_VALUE' missing; found 'OBS_VAL' — renamed?" in str(err)
    assert "OBS_VAL" in str(err).split("Columns in the file: ")[1]


def test_urssaf_family_missing_and_renamed():
    source = get_source("urssaf_ape")
    frame = example_frame(source, 2025)
    family = next(c for c in frame.columns if c.startswith("effectifs_salaries_"))
    err = _drift(source, 2025, frame.rename(columns={family: "effectif_salarie_2024"}))
    assert r"column 'effectifs_salaries_\d{4} (regex family)' missing; found 'effectif_salarie_2024' — renamed?" in str(err)
    # several years of the family are one declaration
    frame2 = frame.assign(effectifs_salaries_2023="4", nombre_d_etablissements_2023="1")
    assert validate(source, 2025, frame2, file_name="f").valid.shape[1] == frame2.shape[1]


def test_cog_column_case_changed():
    source = get_source("cog_communes")
    frame = example_frame(source, 2025).rename(columns={"COM": "com"})
    err = _drift(source, 2025, frame)
    assert "column 'COM' missing; found 'com' — renamed?" in str(err)


def test_xlsx_epci_count_retyped():
    source = get_source("epci")
    frame = example_frame(source, 2025, rows=5)
    frame["NB_COM"] = ["vingt", "trois", "dix", "neuf", "12"]
    err = _drift(source, 2025, frame)
    assert "column 'NB_COM': declared int, but 4 of its 5 non-empty values (80%) do not parse as int" in str(err)


def test_relance_date_format_changed():
    source = get_source("relance_laureats")
    frame = example_frame(source, 2022, rows=4)
    frame["mise_a_jour"] = ["08/04/2022"] * 4
    err = _drift(source, 2022, frame)
    assert "column 'mise_a_jour': declared date" in str(err) and "'08/04/2022'" in str(err)


def _sirene_parquet_frame(rows: int = 3) -> pd.DataFrame:
    """A Sirene frame with the native types a Parquet reader returns."""
    source = get_source("sirene_etablissements")
    frame = example_frame(source, 2026, rows=rows)
    frame["etablissementSiege"] = pd.Series([True] * rows, dtype=bool)
    frame["dateCreationEtablissement"] = pd.Series([dt.date(2001, 5, 12)] * rows, dtype=object)
    return frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object and c != "dateCreationEtablissement"})


def test_sirene_native_types_pass():
    source = get_source("sirene_etablissements")
    result = validate(source, 2026, _sirene_parquet_frame(), file_name="StockEtablissement_utf8.parquet")
    assert result.rows_rejected == 0
    assert str(result.valid["etablissementSiege"].dtype) == "boolean"
    assert result.valid["dateCreationEtablissement"].iloc[0] == pd.Timestamp("2001-05-12")


def test_sirene_parquet_column_of_the_wrong_type():
    source = get_source("sirene_etablissements")
    frame = _sirene_parquet_frame()
    frame["siren"] = frame["siren"].astype("int64")
    frame["etablissementSiege"] = 1
    err = _drift(source, 2026, frame)
    assert "column 'siren': declared str, but the file stores it as int64 (codes must be text" in str(err)
    assert "column 'etablissementSiege': declared bool, but the file stores it as int64" in str(err)


def test_sirene_optional_naf25_column_tolerated_and_projection():
    source = get_source("sirene_etablissements")
    frame = _sirene_parquet_frame().drop(columns=["activitePrincipaleNAF25Etablissement"])
    all_columns = list(frame.columns) + ["statutDiffusionEtablissement", "dateDebut"]
    result = validate(source, 2026, frame, file_name="StockEtablissement_utf8.parquet", all_columns=all_columns)
    assert result.rows_rejected == 0
    assert result.absent_optional_columns == ["activitePrincipaleNAF25Etablissement"]
    assert result.ignored_columns == ["statutDiffusionEtablissement", "dateDebut"]
    assert result.added_columns == []


def test_sirene_column_missing_from_the_file_despite_projection():
    source = get_source("sirene_etablissements")
    frame = _sirene_parquet_frame().drop(columns=["codeCommuneEtablissement"])
    all_columns = list(frame.columns) + ["codeCommuneEtablissement2025"]
    err = _drift(source, 2026, frame, all_columns=all_columns)
    assert "column 'codeCommuneEtablissement' missing; found 'codeCommuneEtablissement2025' — renamed?" in str(err)


def test_json_number_where_text_is_declared():
    source = get_source("communes_siren")
    frame = example_frame(source, 2025, rows=4)
    frame["codesPostaux"] = [["01400"]] * 4
    frame["population"] = [767, 1200, None, 5.5]
    # JSON numbers among strings: each number is a value of the wrong type...
    frame["siren"] = pd.Series([210100012, "210100020", 210100038, 210100046], dtype=object)
    err = _drift(source, 2025, frame)
    assert "column 'siren': declared str, but 3 of its 4 non-empty values (75%) are not text (e.g. 210100012" in str(err)
    # ... and a column of numbers only has lost its leading zeros already
    frame["siren"] = [210100012, 210100020, 210100038, 210100046]
    err = _drift(source, 2025, frame)
    assert "column 'siren': declared str, but the file stores it as int64" in str(err)


def test_duplicated_column():
    source = get_source("ti_territoires")
    frame = pd.DataFrame([["ti-8402", "A", "B"]], columns=["id_ti", "lib_ti", "lib_ti"])
    err = _drift(source, 2024, frame)
    assert "column 'lib_ti' appears more than once" in str(err)


def test_closest_name_offered_when_no_undeclared_candidate():
    source = get_source("ti_groupements")
    frame = example_frame(source, 2024).drop(columns=["lib_groupement"])
    err = _drift(source, 2024, frame)
    assert "column 'lib_groupement' missing; closest existing name: 'siren_groupement'" in str(err)
