"""Keys and volumes as plain functions (no Dagster): ``validation.keys``, ``ingest.volume``, the
catalog's declarations, and the gate ``ingest.vintages.judge`` on a lake written by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ti_pipeline import lake
from ti_pipeline.config import ACCEPT_VOLUME_TAG, Paths, accepts_volume
from ti_pipeline.ingest.volume import counted_rows, FIRST_INGESTION, OTHER_VINTAGE, SAME_VINTAGE, Previous, judge_volume, previous_count
from ti_pipeline.sources.catalog import SOURCES, get_source
from ti_pipeline.validation import validate
from ti_pipeline.validation.keys import KEY_RULE, duplicate_rows, key_columns, key_values, label
from ti_pipeline.validation.schemas import match_columns


# Keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [pytest.param(s, id=s.name) for s in SOURCES])
def test_every_source_declares_its_key_or_why_it_has_none(source):
    assert bool(source.key) != bool(source.no_key_reason.strip()), source.name
    names = {f.name for f in source.fields}
    for column in source.key:
        assert column in names, f"{source.name}: key column {column!r} is not a declared field"
    assert 0 < source.max_volume_change < 1


def test_duplicate_rows_are_every_occurrence_and_ignore_incomplete_keys():
    frame = pd.DataFrame({"a": ["1", "1", "2", None, None, "3"], "b": ["x", "x", "x", "y", "y", "z"]})
    assert duplicate_rows(frame, ["a", "b"]).tolist() == [0, 1]
    assert duplicate_rows(frame, ["b"]).tolist() == [0, 1, 2, 3, 4]
    assert duplicate_rows(frame, []).tolist() == []
    assert duplicate_rows(frame, ["b"], skip=frame["a"].isna().to_numpy()).tolist() == [0, 1, 2]


def test_a_regex_family_in_a_key_stands_for_all_its_columns():
    source = get_source("cog_passage")
    columns = ["NIVGEO", "CODGEO_2003", "LIBGEO_2003", "CODGEO_2025", "LIBGEO_2025"]
    fields = match_columns(source, 2025, columns).fields
    assert key_columns(source, fields) == ["NIVGEO", "CODGEO_2003", "CODGEO_2025"]


def test_the_value_of_a_key_reject_is_the_key_as_read():
    frame = pd.DataFrame({"code_commune": ["01001", "01002"], "code_ape": ["2562Z", "1071D"]})
    assert key_values(frame, [1], label(["code_commune", "code_ape"])).tolist() == ["01002 | 1071D"]
    assert key_values(frame, [1], "code_ape") is None  # one column: its own value, as for other rules


def _urssaf_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code_commune": [r[0] for r in rows],
            "intitule_commune": [f"{r[0]} X" for r in rows],
            "code_departement": ["01"] * len(rows),
            "code_ape": [r[1] for r in rows],
            "grand_secteur_d_activite": ["GS1 Industrie"] * len(rows),
            "secteur_na88": ["25 x"] * len(rows),
            "effectifs_salaries_2025": [r[2] for r in rows],
            "nombre_d_etablissements_2025": ["1"] * len(rows),
        }
    )


def test_validate_rejects_every_row_of_a_duplicated_key_with_its_rule_column_and_value():
    source = get_source("urssaf_ape")
    # the same key twice, with different headcounts: which is right?
    frame = _urssaf_frame([("01001", "2562Z", "10"), ("01002", "2562Z", "5"), ("01001", "2562Z", "12"),
                           ("01002", "1071D", "3")])
    result = validate(source, 2025, frame, file_name="urssaf.csv")
    assert result.rows_valid == 2 and result.rows_rejected == 2
    assert result.failure_counts == {(KEY_RULE, "code_commune, code_ape"): 2}
    rejects = result.rejects
    assert rejects["_row"].tolist() == [0, 2]
    assert set(rejects["_value"]) == {"01001 | 2562Z"}
    assert '"rule": "cle_unique"' in rejects["_failures"].iloc[0]
    assert sorted(result.valid["code_commune"]) == ["01002", "01002"]


def test_a_key_that_fails_its_own_rule_is_not_also_a_duplicate():
    source = get_source("urssaf_ape")
    frame = _urssaf_frame([("1001", "2562Z", "10"), ("1001", "2562Z", "12"), ("01001", "2562Z", "3")])
    result = validate(source, 2025, frame, file_name="urssaf.csv")
    assert result.failure_counts == {("pattern", "code_commune"): 2}
    assert result.rows_valid == 1


# Volumes ---------------------------------------------------------------------------------------


def _write_partition(paths: Paths, source: str, millesime: int, rows_in: int, **extra) -> None:
    frame = pd.DataFrame({"x": ["a"]})
    lake.write_raw(paths, source, millesime, frame, provenance={"millesime": millesime, "rows_in": rows_in, **extra})


def test_previous_count_prefers_the_same_vintage_then_the_previous_one(tmp_path):
    paths = Paths(data_dir=tmp_path, sample_dir=tmp_path)
    source = get_source("rp_emploi")
    assert previous_count(paths, source, 2022) == Previous(None, None, FIRST_INGESTION)
    _write_partition(paths, "rp_emploi", 2020, 400)
    _write_partition(paths, "rp_emploi", 2021, 415)
    assert previous_count(paths, source, 2021) == Previous(415, 2021, SAME_VINTAGE)
    assert previous_count(paths, source, 2022) == Previous(415, 2021, OTHER_VINTAGE)
    assert previous_count(paths, source, 2019) == Previous(400, 2020, OTHER_VINTAGE)  # none older: the nearest
    _write_partition(paths, "rp_emploi", 2023, 0, status="unavailable")
    assert previous_count(paths, source, 2023) == Previous(415, 2021, OTHER_VINTAGE)


def test_judge_volume_blocks_a_drop_or_jump_beyond_the_tolerance_with_both_counts():
    source = get_source("rp_population")  # ±5 %
    same = Previous(1000, 2022, SAME_VINTAGE)
    ok = judge_volume(source, 2022, "base.zip", 960, same)
    assert not ok.blocks and "within the tolerance of ±5%" in ok.message
    drop = judge_volume(source, 2022, "base.zip", 500, same)
    assert drop.blocks and drop.change == pytest.approx(-0.5)
    assert re.search(r"source 'rp_population', file 'base.zip', millésime 2022: 500 rows read, 1000 in the previous "
                     r"ingestion of this millésime \(-50.0%\), beyond the tolerance of ±5%", drop.message)
    assert f"{ACCEPT_VOLUME_TAG}=rp_population" in drop.message
    jump = judge_volume(source, 2023, "base.zip", 1100, Previous(1000, 2022, OTHER_VINTAGE))
    assert jump.blocks and "in millésime 2022 (first ingestion of this millésime) (+10.0%)" in jump.message
    accepted = judge_volume(source, 2022, "base.zip", 500, same, accepted=True)
    assert accepted.beyond and not accepted.blocks and "accepted for this run" in accepted.message
    first = judge_volume(source, 2022, "base.zip", 500, Previous(None, None, FIRST_INGESTION))
    assert not first.blocks and "first ingestion of the source, nothing to compare with" in first.message
    from_empty = judge_volume(source, 2022, "base.zip", 5, Previous(0, 2022, SAME_VINTAGE))
    assert from_empty.blocks and "+inf" in from_empty.message


def test_the_accept_volume_tag_names_sources_or_all():
    assert accepts_volume({ACCEPT_VOLUME_TAG: "urssaf_ape, raw_flores_a38"}, "flores_a38")
    assert accepts_volume({ACCEPT_VOLUME_TAG: "urssaf_ape"}, "urssaf_ape")
    assert not accepts_volume({ACCEPT_VOLUME_TAG: "urssaf_ape"}, "rp_emploi")
    assert accepts_volume({ACCEPT_VOLUME_TAG: "true"}, "rp_emploi")
    assert not accepts_volume({"ti/force": "true"}, "rp_emploi")
    assert not accepts_volume({}, "rp_emploi")


def test_a_source_read_for_some_companies_is_counted_over_its_whole_file():
    # Sirene's kept rows follow the lauréat lists; a file cut short shows in the rows of the file
    assert counted_rows(get_source("sirene_etablissements"), 120, {"rows_in_file": 10_000}) == 10_000
    assert counted_rows(get_source("urssaf_ape"), 1500, {"rows_in_file": 9}) == 1500
