"""Sirene is read for the lauréats' companies only (the catalog's ``siren_filter``).

The pipeline uses Sirene to place lauréats (their SIRET, or their SIREN's head office). The raw
asset reads, validates and keeps the establishments of the SIRENs found in the lauréat raw tables,
not the 40 M rows of the national file; the expected rows here are computed from the sample files
with plain pandas, not with the code under test.
"""

from __future__ import annotations

import dataclasses

import logging
import re
import shutil

import pandas as pd
import pytest

from ti_pipeline import lake
from ti_pipeline.defs import raw
from ti_pipeline.ingest import state as raw_state
from ti_pipeline.ingest import vintages as ingest
from ti_pipeline.config import PROJECT_ROOT, Paths
from ti_pipeline.sources.catalog import get_source, sample_path
from ti_pipeline.sources.readers import read_release

LOG = logging.getLogger("test")
SIRENE = get_source("sirene_etablissements")


@pytest.fixture()
def paths(tmp_path) -> Paths:
    sample = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "data" / "sample", sample)
    return Paths(data_dir=tmp_path / "data", sample_dir=sample)


def _materialize(name: str, paths: Paths):
    source = get_source(name)
    return raw._materialize(source, list(source.releases), paths, "sample", LOG)


def _laureats(paths: Paths) -> None:
    _materialize("relance_laureats", paths)
    _materialize("laureats_ti", paths)


def _siren_of(value) -> str | None:
    digits = re.sub(r"\D", "", value) if isinstance(value, str) else ""
    return digits[:9] if len(digits) in (9, 14) else None


def _sample_sirens(paths: Paths) -> set[str]:
    """The lauréats' SIRENs, from the sample files (first 9 digits of a 9- or 14-digit identifier)."""
    found = set()
    for name, column in (("relance_laureats", "siren"), ("laureats_ti", "siret")):
        source = get_source(name)
        release = source.releases[0]
        frame = read_release(source, release, sample_path(paths.sample_dir, source, release)).frame
        found |= {s for s in map(_siren_of, frame[column]) if s}
    return found


def _sirene_file(paths: Paths):
    return sample_path(paths.sample_dir, SIRENE, SIRENE.releases[0])


def _partition(paths: Paths, folder: str = "raw") -> pd.DataFrame:
    name = "data.parquet" if folder == "raw" else "rejects.parquet"
    return pd.read_parquet(getattr(paths, folder) / SIRENE.name / "millesime=2026" / name)


def test_only_the_establishments_of_the_laureats_companies_are_read(paths):
    _laureats(paths)
    result = _materialize(SIRENE.name, paths)
    sirens = _sample_sirens(paths)
    whole = pd.read_parquet(_sirene_file(paths))
    expected = whole[whole["siren"].isin(sirens)]
    assert 0 < len(expected) < len(whole)
    kept = _partition(paths)
    assert sorted(kept["siret"]) == sorted(expected["siret"])
    assert result.metadata["rows_in"] == len(expected) and result.metadata["rows_rejected"] == 0
    assert f"{len(expected)} of {len(whole)} rows of the file" in result.metadata["filter"]
    assert f"siren in {len(sirens)} SIRENs" in result.metadata["filter"]
    assert result.check_results[0].passed


def test_filter_sirens_takes_the_siren_of_every_identifier(paths):
    relance = pd.DataFrame({"siren": ["123 456 789", "98765432100012", "1234", None, "552.100.554", "abc"]})
    laureats_ti = pd.DataFrame({"siret": ["44306184100047", "123456789"]})
    lake.write_raw(paths, "relance_laureats", 2022, relance, provenance={})
    lake.write_raw(paths, "laureats_ti", 2022, laureats_ti, provenance={})
    assert raw_state.filter_sirens(SIRENE, paths) == ["123456789", "443061841", "552100554", "987654321"]


def test_a_bad_row_of_a_selected_company_is_rejected_at_its_position_in_the_file(paths, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    _laureats(paths)
    path = _sirene_file(paths)
    table = pq.read_table(path)
    sirens = _sample_sirens(paths)
    positions = [i for i, s in enumerate(table.column("siren").to_pylist()) if s in sirens]
    broken = [positions[1], positions[-1]]
    siret = table.column("siret").to_pylist()
    for i in broken:
        siret[i] = "not a siret"
    pq.write_table(table.set_column(table.schema.get_field_index("siret"), "siret", pa.array(siret, pa.string())), path)

    # 2 rejects among the few selected rows are above Sirene's 1 % threshold, and a blocked vintage
    # writes no partition (stage, then promote): this test is about positions, so it tolerates them
    tolerant = dataclasses.replace(SIRENE, max_reject_rate=0.5)
    result = raw._materialize(tolerant, list(tolerant.releases), paths, "sample", LOG)
    assert result.metadata["rows_rejected"] == 2
    rejects = _partition(paths, "rejects")
    assert rejects["_row"].astype(int).tolist() == broken, "the row's position in the whole file"
    assert set(rejects["_column"]) == {"siret"}
    one_batch = (_partition(paths), rejects)

    # the same, read in batches of 5 selected rows
    shutil.rmtree(paths.lake / "raw" / SIRENE.name)
    shutil.rmtree(paths.lake / "rejects" / SIRENE.name)
    monkeypatch.setattr(ingest, "BATCH_ROWS", 5)
    batched = raw._materialize(tolerant, list(tolerant.releases), paths, "sample", LOG)
    pd.testing.assert_frame_equal(_partition(paths), one_batch[0])
    pd.testing.assert_frame_equal(_partition(paths, "rejects"), one_batch[1])
    provenance = lake.read_file_metadata(paths.raw / SIRENE.name / "millesime=2026" / "data.parquet")
    assert provenance[lake.PROVENANCE_KEY.decode()]["read"]["batches"] == -(-batched.metadata["rows_in"] // 5) > 1


def test_new_laureats_read_sirene_again_and_unchanged_ones_do_not(paths):
    _laureats(paths)
    _materialize(SIRENE.name, paths)
    assert _materialize(SIRENE.name, paths).metadata["skipped_vintages"] == "2026"

    # a new lauréat whose company is in Sirene but was not selected
    whole = pd.read_parquet(_sirene_file(paths))
    newcomer = next(s for s in whole["siren"] if s not in _sample_sirens(paths))
    partition = paths.raw_partition("relance_laureats", 2022) / "data.parquet"
    relance = pd.read_parquet(partition).drop(columns=["millesime"], errors="ignore")
    added = pd.concat([relance, relance.iloc[[0]].assign(siren=newcomer)], ignore_index=True)
    lake.write_raw(paths, "relance_laureats", 2022, added, provenance={})

    again = _materialize(SIRENE.name, paths)
    assert again.metadata["skipped_vintages"] == "none"
    assert set(_partition(paths)["siret"]) >= set(whole.loc[whole["siren"] == newcomer, "siret"])


def test_sirene_before_the_laureats_is_a_clear_error(paths):
    with pytest.raises(raw_state.MissingFilterSource, match=r"raw_relance_laureats \(column 'siren'\).*materialize raw_relance_laureats first"):
        _materialize(SIRENE.name, paths)
    assert not (paths.raw / SIRENE.name).exists()


def test_the_raw_asset_depends_on_the_laureat_sources():
    from ti_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(raw.dg.AssetKey(SIRENE.asset_name)).parent_keys}
    assert parents == {"raw_relance_laureats", "raw_laureats_ti"}


def test_no_company_of_the_laureats_in_sirene_gives_an_empty_table_with_its_columns(paths):
    lake.write_raw(paths, "relance_laureats", 2022, pd.DataFrame({"siren": ["123456789"]}), provenance={})
    lake.write_raw(paths, "laureats_ti", 2022, pd.DataFrame({"siret": [None]}, dtype="string"), provenance={})
    result = _materialize(SIRENE.name, paths)
    assert result.metadata["rows_in"] == 0 and result.check_results[0].passed
    kept = _partition(paths)
    assert len(kept) == 0 and {"siren", "siret", "codeCommuneEtablissement"} <= set(kept.columns)
