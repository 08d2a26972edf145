"""A re-run with unchanged inputs skips unchanged work, and any change of input or code recomputes.

Raw vintages: a partition built from the same file (sha256), catalog declaration and code
(``ingest.state.vintage_fingerprint``) is not read again; its files stay byte-identical and the
materialization says so. Speed is not asserted here (``python -m benchmarks.run`` measures it).
"""

from __future__ import annotations

import dataclasses
import logging
import shutil

import pytest

from ti_pipeline.defs import raw
from ti_pipeline.ingest import state as raw_state
from ti_pipeline.ingest import vintages as ingest
from ti_pipeline.config import PROJECT_ROOT, Paths
from ti_pipeline.sample.scales import SAMPLE
from ti_pipeline.sources.catalog import get_source, sample_path

LOG = logging.getLogger("test")


@pytest.fixture()
def paths(tmp_path) -> Paths:
    sample = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "data" / "sample", sample)
    return Paths(data_dir=tmp_path / "data", sample_dir=sample)


def _materialize(source_name: str, paths: Paths, **changes):
    """Materialize a raw source; ``changes`` replace fields of its declaration (``siren_filter=None``)."""
    source = dataclasses.replace(get_source(source_name), **changes)
    return raw._materialize(source, list(source.releases), paths, "sample", LOG)


def _files(paths: Paths, source_name: str) -> dict:
    out = {}
    for folder in (paths.raw / source_name, paths.rejects / source_name):
        for f in sorted(folder.rglob("*.parquet")):
            out[str(f)] = (f.stat().st_mtime_ns, f.read_bytes())
    return out


def test_unchanged_vintages_are_not_read_again(paths):
    first = _materialize("rp_emploi", paths)
    assert first.metadata["skipped_vintages"] == "none"
    assert first.metadata["read_seconds"] > 0 and first.metadata["validate_seconds"] > 0
    before = _files(paths, "rp_emploi")
    second = _materialize("rp_emploi", paths)
    assert second.metadata["skipped_vintages"] == "2022, 2021, 2020, 2019, 2016, 2011"
    assert second.metadata["read_seconds"] == second.metadata["validate_seconds"] == second.metadata["write_seconds"] == 0
    assert _files(paths, "rp_emploi") == before, "skipped partitions are left untouched"
    # the check still reports the recorded counts
    assert second.check_results[0].passed == first.check_results[0].passed
    assert second.check_results[0].metadata["rows_read"] == first.check_results[0].metadata["rows_read"]


def test_a_changed_file_is_read_again(paths):
    _materialize("ti_communes", paths)
    source = get_source("ti_communes")
    path = sample_path(paths.sample_dir, source, source.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # one commune fewer
    again = _materialize("ti_communes", paths)
    assert again.metadata["skipped_vintages"] == "none"
    assert again.metadata["dagster/row_count"] == len(lines) - 2


def test_a_changed_code_or_declaration_reads_again(paths, monkeypatch):
    _materialize("cog_regions", paths)
    monkeypatch.setattr(raw_state, "code_fingerprint", lambda: "another version of the readers")
    assert _materialize("cog_regions", paths).metadata["skipped_vintages"] == "none"
    monkeypatch.undo()
    assert _materialize("cog_regions", paths).metadata["skipped_vintages"] == "none", "the partition now carries the other fingerprint"
    assert _materialize("cog_regions", paths).metadata["skipped_vintages"] == "2025"


def test_a_blocked_vintage_is_not_kept_as_unchanged_it_is_read_again_and_fails_again(paths):
    # stage, then promote (issue 23): a blocked vintage writes no partition, so the next run has
    # nothing recorded to keep and reads the file again
    source = get_source("ti_communes")
    path = sample_path(paths.sample_dir, source, source.releases[0])
    path.write_text(path.read_text(encoding="utf-8") + '"9999","Nowhere","not-a-ti","x"\n', encoding="utf-8")
    first = _materialize("ti_communes", paths)
    second = _materialize("ti_communes", paths)
    assert second.metadata["skipped_vintages"] == "none"
    assert second.metadata["blocked_vintages"] == "2024"
    for result in (first, second):
        check = result.check_results[0]
        assert not check.passed and check.metadata["rows_rejected"].value == 1
    assert "failures_by_rule" in second.check_results[0].metadata
    assert not (paths.raw / "ti_communes").exists()


# ------------------------------------------------------------------------------------------------
# SQL models
# ------------------------------------------------------------------------------------------------
CHAIN = ["stg_ti_territoires", "stg_ti_communes", "stg_cog_passage", "stg_cog_communes", "stg_communes_siren",
         "int_passage_communes", "int_ti_communes"]


@pytest.fixture()
def project():
    from ti_pipeline.sources.catalog import SOURCES
    from ti_pipeline.sql_runner import DEFAULT_MODELS_DIR, load_project

    return load_project(DEFAULT_MODELS_DIR, raw_sources=[s.name for s in SOURCES])


def _build(project, paths, **kwargs) -> dict:
    from ti_pipeline.sql_runner import run_model

    for source in ("ti_territoires", "ti_communes", "cog_passage", "cog_communes", "communes_siren"):
        _materialize(source, paths)
    return {name: run_model(project, name, paths, **kwargs) for name in CHAIN}


def test_unchanged_models_are_not_run_again(project, paths):
    first = _build(project, paths)
    assert not any(r.skipped for r in first.values())
    table = first["int_ti_communes"].path
    before = (table.stat().st_mtime_ns, table.read_bytes())
    second = _build(project, paths)
    assert all(r.skipped for r in second.values())
    assert (table.stat().st_mtime_ns, table.read_bytes()) == before
    for name in CHAIN:
        a, b = first[name], second[name]
        assert (a.row_count, a.columns, a.fingerprint) == (b.row_count, [tuple(c) for c in b.columns], b.fingerprint)
        assert [(t.test.name, t.passed, t.failing_count) for t in a.test_results] == [
            (t.test.name, t.passed, t.failing_count) for t in b.test_results
        ]


def test_a_changed_input_recomputes_what_reads_it(project, paths):
    _build(project, paths)
    source = get_source("ti_communes")
    path = sample_path(paths.sample_dir, source, source.releases[0])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    again = _build(project, paths)
    assert not again["stg_ti_communes"].skipped and not again["int_ti_communes"].skipped
    assert again["int_passage_communes"].skipped and again["stg_cog_passage"].skipped


def test_changed_code_variables_or_missing_output_recompute(project, paths, monkeypatch):
    from ti_pipeline.sql_runner import execute, run_model, state

    _build(project, paths)
    monkeypatch.setattr(state, "runner_code_fingerprint", lambda: "another runner")
    assert not run_model(project, "int_passage_communes", paths).skipped
    monkeypatch.undo()
    assert not run_model(project, "int_passage_communes", paths).skipped  # back to the recorded code
    assert run_model(project, "int_passage_communes", paths).skipped
    assert not run_model(project, "int_passage_communes", paths, {"target_cog_year": 2024}).skipped
    assert not run_model(project, "int_passage_communes", paths).skipped
    # a variable neither the model nor anything it reads uses changes nothing
    assert "industry_scope" not in project.models["int_passage_communes"].variables_used
    assert run_model(project, "int_passage_communes", paths, {"industry_scope": "C"}).skipped
    execute.table_path(paths, project.models["int_passage_communes"]).unlink()
    result = run_model(project, "int_passage_communes", paths)
    assert not result.skipped and result.path.is_file()
    assert not run_model(project, "int_passage_communes", paths, reuse=False).skipped


def test_a_raw_partition_without_fingerprint_is_never_trusted(project, paths):
    from ti_pipeline import lake
    from ti_pipeline.sql_runner import run_model

    _build(project, paths)
    # a partition written by other means (an older version, a hand repair): no fingerprint
    data = paths.raw_partition("ti_territoires", 2024) / "data.parquet"
    import pandas as pd

    lake.write_raw(paths, "ti_territoires", 2024, pd.read_parquet(data), provenance={"source": "ti_territoires"})
    assert not run_model(project, "stg_ti_territoires", paths).skipped
    assert not run_model(project, "stg_ti_territoires", paths).skipped


# ------------------------------------------------------------------------------------------------
# Large Parquet files in batches (bounded memory). Sirene is read for the lauréats' SIRENs (its
# siren_filter, tested below); these tests read it whole, as a large source without filter is read.
# ------------------------------------------------------------------------------------------------
def _break_sirene(paths: Paths, rows: dict[int, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = get_source("sirene_etablissements")
    path = sample_path(paths.sample_dir, source, source.releases[0])
    table = pq.read_table(path)
    siret = table.column("siret").to_pylist()
    for i, value in rows.items():
        siret[i] = value
    pq.write_table(table.set_column(table.schema.get_field_index("siret"), "siret", pa.array(siret, pa.string())), path)


def test_batches_give_the_same_partition_and_rejects_as_one_read(tmp_path, monkeypatch):
    import pandas as pd

    sample = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "data" / "sample", sample)
    whole, batched = Paths(tmp_path / "whole", sample), Paths(tmp_path / "batched", sample)
    _break_sirene(whole, {3: "123", 5500: "not a siret", 9400: None})
    first = _materialize("sirene_etablissements", whole, siren_filter=None)
    monkeypatch.setattr(ingest, "BATCH_ROWS", 2800)  # the sample's 10,000 rows in 4 batches
    second = _materialize("sirene_etablissements", batched, siren_filter=None)
    assert second.metadata["dagster/row_count"] == first.metadata["dagster/row_count"]
    assert second.metadata["rows_rejected"] == first.metadata["rows_rejected"] == 3
    for folder in ("raw", "rejects"):
        name = "data.parquet" if folder == "raw" else "rejects.parquet"
        a = pd.read_parquet(getattr(whole, folder) / "sirene_etablissements" / "millesime=2026" / name)
        b = pd.read_parquet(getattr(batched, folder) / "sirene_etablissements" / "millesime=2026" / name)
        pd.testing.assert_frame_equal(a, b)
    rejects = pd.read_parquet(batched.rejects / "sirene_etablissements" / "millesime=2026" / "rejects.parquet")
    assert rejects["_row"].astype(int).tolist() == [3, 5500, 9400], "rows keep their position in the file"
    a_check, b_check = first.check_results[0], second.check_results[0]
    assert a_check.metadata["failures_by_rule"] == b_check.metadata["failures_by_rule"]
    assert a_check.metadata["failing_values"] == b_check.metadata["failing_values"]
    from ti_pipeline import lake

    provenance = lake.read_file_metadata(batched.raw / "sirene_etablissements" / "millesime=2026" / "data.parquet")
    assert provenance["ti_pipeline.provenance"]["rows_in"] == SAMPLE.sirene == 10_000
    assert provenance["ti_pipeline.provenance"]["read"]["batches"] == 4
    assert "siret" in provenance["ti_pipeline.column_descriptions"]


def test_a_failing_batch_leaves_the_previous_partition(tmp_path, monkeypatch):
    import pandas as pd

    sample = tmp_path / "sample"
    shutil.copytree(PROJECT_ROOT / "data" / "sample", sample)
    paths = Paths(tmp_path / "data", sample)
    monkeypatch.setattr(ingest, "BATCH_ROWS", 2800)  # the sample's 10,000 rows in 4 batches
    _materialize("sirene_etablissements", paths, siren_filter=None)
    partition = paths.raw / "sirene_etablissements" / "millesime=2026"
    before = (partition / "data.parquet").read_bytes()
    _break_sirene(paths, {0: "123"})  # a new file: it is read again
    real_validate = ingest.validate
    calls = []

    def validate_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # e.g. a drift found in the third batch
            raise RuntimeError("drift in the third batch")
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(ingest, "validate", validate_then_fail)
    with pytest.raises(RuntimeError, match="third batch"):
        _materialize("sirene_etablissements", paths, siren_filter=None)
    assert (partition / "data.parquet").read_bytes() == before
    assert not [p for p in partition.iterdir() if p.name.startswith(".tmp_")], "the staged file is removed"
    assert len(pd.read_parquet(partition / "data.parquet")) == SAMPLE.sirene


# ------------------------------------------------------------------------------------------------
# Portraits
# ------------------------------------------------------------------------------------------------
def test_portraits_are_rebuilt_only_when_a_mart_build_changes(sample_run, tmp_path, monkeypatch):
    import dagster as dg

    from ti_pipeline.config import get_paths
    from ti_pipeline.defs.portraits import build_portraits_asset
    from ti_pipeline.sql_runner import run_model
    from ti_pipeline.sql_runner.project import pipeline_project

    data = tmp_path / "data"
    shutil.copytree(sample_run.data_dir, data, symlinks=True, ignore=shutil.ignore_patterns("dagster_home"))
    monkeypatch.setenv("TI_DATA_DIR", str(data))
    project = pipeline_project()
    portraits = build_portraits_asset(project)

    def run(**tags: str) -> dict:
        result = dg.materialize([portraits], tags=tags)
        [event] = result.get_asset_materialization_events()
        return {k: v.value for k, v in event.materialization.metadata.items()}

    first = run()["build"]  # the recorded build is the sample run's, in another folder: built again here
    assert run().get("skipped") is True and run()["build"] == first
    # a forced run (tag ti/force) builds them again, whatever the recorded state
    forced = run(**{"ti/force": "true"})
    assert "skipped" not in forced and forced["build"] != first
    assert run().get("skipped") is True
    # a new audited build of one mart: the pages are built again
    run_model(project, "mart_ti_indicateurs", get_paths(), reuse=False)
    again = run()
    assert "skipped" not in again and again["build"] != forced["build"]


def test_sha256_is_remembered_across_processes_until_the_file_changes(tmp_path, monkeypatch):
    import hashlib
    import os

    from ti_pipeline.ingest import obtain

    f = tmp_path / "file.csv"
    f.write_bytes(b"a;b\n1;2\n")
    cache = tmp_path / "cache"
    expected = hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    assert obtain.file_sha256(f, cache_dir=cache) == expected
    monkeypatch.setattr(obtain, "_sha_cache", {})  # a new process

    def no_hashing(*args):
        raise AssertionError("hashed again")

    with monkeypatch.context() as m:
        m.setattr(obtain.hashlib, "sha256", no_hashing)
        assert obtain.file_sha256(f, cache_dir=cache) == expected
    f.write_bytes(b"a;b\n1;3\n")  # same size, new content: new modification time
    os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 1_000_000))
    monkeypatch.setattr(obtain, "_sha_cache", {})
    assert obtain.file_sha256(f, cache_dir=cache) == hashlib.sha256(b"a;b\n1;3\n").hexdigest()
