"""Trustworthy refreshes in the lake (issue 23, points 2-4): stage, then promote; keys; volumes.

Each case starts from a good state (a refresh of the sample in a private data folder), changes one
sample file the way a publisher or a download might, refreshes again, and compares the raw lake
files byte for byte: where a source is blocked its partition and rejects are those of the good run,
and the blocked attempt's rejects are readable, with rule, column and value, in ``lake/blocked/``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pyarrow.parquet as pq
import pytest

from test_validation_dagster import (  # noqa: F401 - fixtures
    CHECK_NAME,
    corrupt_first_row,
    defs,
    downstream_of,
    marts_snapshot,
    materialized,
    pristine_sample,
)
from ti_pipeline import lake
from ti_pipeline.config import ACCEPT_VOLUME_TAG, FORCE_TAG
from ti_pipeline.defs.raw import VOLUME_CHECK_NAME
from ti_pipeline.sources.catalog import get_source, sample_path
from ti_pipeline.validation.keys import KEY_RULE

URSSAF = "urssaf_ape"


@pytest.fixture
def pipeline(tmp_path, monkeypatch, pristine_sample, defs):  # noqa: F811
    """A private data folder and sample copy; ``pipeline(tags)`` runs the whole refresh as
    ``ti-pipeline run`` does, with extra run tags."""
    from ti_pipeline.launch import refresh_in_process

    sample = tmp_path / "sample"
    shutil.copytree(pristine_sample, sample)
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TI_SAMPLE_DIR", str(sample))
    monkeypatch.setenv("TI_MODE", "sample")

    def run(tags: dict | None = None):
        return refresh_in_process(dg.DagsterInstance.ephemeral(), log_level="WARNING", tags=tags)

    run.sample = sample
    run.data = tmp_path / "data"
    run.marts = tmp_path / "data" / "marts"
    return run


def files_snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def lake_of(pipeline, source: str) -> dict[str, str]:
    """Every raw and rejects file of ``source``, hashed."""
    lake_dir = pipeline.data / "lake"
    return {f"{part}/{k}": v for part in ("raw", "rejects") for k, v in files_snapshot(lake_dir / part / source).items()}


def sample_file(pipeline, source_name: str) -> Path:
    source = get_source(source_name)
    return sample_path(pipeline.sample, source, source.releases[0])


def edit_csv_lines(path: Path, change) -> None:
    """``change(header: str, lines: list[str]) -> list[str]`` on the data lines of a one-line-per-row
    CSV sample file (byte order mark and line ends kept)."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header, *lines = text.splitlines(keepends=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (header + "".join(change(header, lines))).encode("utf-8"))


def cells_of(header: str, line: str) -> dict[str, str]:
    sep = ";" if header.count(";") > header.count(",") else ","
    return dict(zip(next(csv.reader([header.rstrip("\r\n")], delimiter=sep)),
                    next(csv.reader([line.rstrip("\r\n")], delimiter=sep))))


def set_column(header: str, line: str, column: str, value: str) -> str:
    """``line`` with ``value`` in ``column`` (cells quoted where they hold the separator)."""
    sep = ";" if header.count(";") > header.count(",") else ","
    cells = {**cells_of(header, line), column: value}
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="").writerow(list(cells.values()))
    return out.getvalue() + line[len(line.rstrip("\r\n")):]


def evaluation(result, asset: str, check: str):
    for event in result.get_asset_check_evaluations():
        if event.asset_key == dg.AssetKey(asset) and event.check_name == check:
            return event
    raise AssertionError(f"no {check} evaluation for {asset}")


def blocked_rejects(pipeline, source: str, millesime: int) -> tuple[pd.DataFrame, dict]:
    path = pipeline.data / "lake" / "blocked" / source / f"millesime={millesime}" / "rejects.parquet"
    assert path.is_file(), f"the blocked attempt's rejects are not in {path}"
    return pd.read_parquet(path), lake.read_file_metadata(path)[lake.BLOCKED_KEY.decode()]


def raw_table(pipeline, source: str) -> pd.DataFrame:
    return pd.concat(pd.read_parquet(p) for p in sorted((pipeline.data / "lake" / "raw" / source).glob("millesime=*/data.parquet")))


# Acceptance: each case from a good state ---------------------------------------------------------


def test_a_duplicated_urssaf_row_is_rejected_with_the_key_rule_not_double_counted(pipeline):
    assert pipeline().success
    duplicated = {}

    def duplicate_sixth_row(header, lines):
        cells = cells_of(header, lines[5])
        duplicated["key"] = f"{cells['code_commune']} | {cells['code_ape']}"
        return [*lines, lines[5]]

    edit_csv_lines(sample_file(pipeline, URSSAF), duplicate_sixth_row)
    result = pipeline()

    # 2 rows of 1,501 rejected: below the 1 % threshold, a warning; the refresh goes on without that key
    check = evaluation(result, "raw_urssaf_ape", CHECK_NAME)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    raw = raw_table(pipeline, URSSAF)
    assert not raw.duplicated(["code_commune", "code_ape"]).any()
    rejects = pd.read_parquet(next((pipeline.data / "lake" / "rejects" / URSSAF).glob("millesime=*/rejects.parquet")))
    assert len(rejects) == 2
    assert set(rejects["_rule"]) == {KEY_RULE}
    assert set(rejects["_column"]) == {"code_commune, code_ape"}
    assert set(rejects["_value"]) == {duplicated["key"]}
    code_commune, code_ape = duplicated["key"].split(" | ")
    assert not ((raw["code_commune"] == code_commune) & (raw["code_ape"] == code_ape)).any()
    assert sorted(rejects["_row"].astype(int)) == [5, 1500]


def test_a_csv_cut_at_a_line_boundary_is_blocked_by_the_volume_check(pipeline, defs):  # noqa: F811
    source = "relance_laureats"
    assert pipeline().success
    lake_before = lake_of(pipeline, source)
    blocked = downstream_of(defs, f"raw_{source}")
    marts_before = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}

    edit_csv_lines(sample_file(pipeline, source), lambda header, lines: lines[: len(lines) // 2])
    result = pipeline()

    check = evaluation(result, f"raw_{source}", VOLUME_CHECK_NAME)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "13 rows read, 27 in the previous ingestion of this millésime" in check.description
    assert "'relance_laureats'" in check.description and "'plan-de-relance.csv'" in check.description
    assert "millésime 2022" in check.description
    assert check.metadata["rows_read"].value == 13 and check.metadata["previous_rows"].value == 27
    assert not result.success
    assert not materialized(result) & blocked
    assert lake_of(pipeline, source) == lake_before
    assert {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked} == marts_before
    _, details = blocked_rejects(pipeline, source, 2022)
    assert details["rows_in"] == 13 and any(r.startswith("volume_attendu") for r in details["reasons"])

    # --force rebuilds, it does not accept bad data
    forced = pipeline({FORCE_TAG: "true"})
    assert not evaluation(forced, f"raw_{source}", VOLUME_CHECK_NAME).passed
    assert lake_of(pipeline, source) == lake_before

    # an expected change is accepted for one run, by name (ti-pipeline run --accept-volume: the same tag)
    accepted = pipeline({ACCEPT_VOLUME_TAG: source})
    check = evaluation(accepted, f"raw_{source}", VOLUME_CHECK_NAME)
    assert check.passed and "accepted for this run" in check.description
    assert len(raw_table(pipeline, source)) == 13
    assert not (pipeline.data / "lake" / "blocked" / source / "millesime=2022").exists()


def test_half_the_rows_bad_blocks_and_the_partition_is_not_the_valid_half(pipeline, defs):  # noqa: F811
    assert pipeline().success
    lake_before = lake_of(pipeline, URSSAF)
    good_rejects = files_snapshot(pipeline.data / "lake" / "rejects" / URSSAF)

    def spoil_every_other_row(header, lines):
        return [set_column(header, line, "code_ape", "25.62Z") if i % 2 else line for i, line in enumerate(lines)]

    edit_csv_lines(sample_file(pipeline, URSSAF), spoil_every_other_row)
    result = pipeline()

    check = evaluation(result, "raw_urssaf_ape", CHECK_NAME)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["rows_rejected"].value == 750
    assert "rejects_file" in check.metadata and "lake/blocked/urssaf_ape" in check.description
    assert not result.success
    assert lake_of(pipeline, URSSAF) == lake_before  # not the valid half
    assert files_snapshot(pipeline.data / "lake" / "rejects" / URSSAF) == good_rejects
    rejects, details = blocked_rejects(pipeline, URSSAF, 2025)
    assert len(rejects) == 750
    assert set(zip(rejects["_rule"], rejects["_column"], rejects["_value"])) == {("pattern", "code_ape", "25.62Z")}
    assert details["rows_rejected"] == 750 and details["file"].startswith("etablissements-et-effectifs")

    # a blocked vintage is not recorded as up to date: the next run reads it again, and blocks again
    again = pipeline()
    assert evaluation(again, "raw_urssaf_ape", CHECK_NAME).metadata["rows_rejected"].value == 750
    assert lake_of(pipeline, URSSAF) == lake_before


def test_a_blocked_ti_communes_vintage_keeps_its_partition(pipeline):
    assert pipeline().success
    partition = pipeline.data / "lake" / "raw" / "ti_communes" / "millesime=2024" / "data.parquet"
    rows = pq.read_metadata(partition).num_rows
    assert rows == 325  # the sample's member communes
    lake_before = lake_of(pipeline, "ti_communes")

    corrupt_first_row(pipeline.sample, "ti_communes", "insee_com", "1053")  # max_reject_rate 0: one row blocks
    result = pipeline()

    assert not evaluation(result, "raw_ti_communes", CHECK_NAME).passed
    assert pq.read_metadata(partition).num_rows == rows
    assert lake_of(pipeline, "ti_communes") == lake_before
    rejects, _ = blocked_rejects(pipeline, "ti_communes", 2024)
    assert rejects[["_rule", "_column", "_value"]].values.tolist() == [["pattern", "insee_com", "1053"]]


def test_a_rerun_after_fixing_the_file_promotes_the_new_partition(pipeline):
    assert pipeline().success
    original = sample_file(pipeline, URSSAF).read_bytes()
    lake_before = lake_of(pipeline, URSSAF)
    edit_csv_lines(sample_file(pipeline, URSSAF),
                   lambda header, lines: [set_column(header, line, "code_ape", "25.62Z") if i % 2 else line
                                          for i, line in enumerate(lines)])
    assert not pipeline().success
    assert lake_of(pipeline, URSSAF) == lake_before

    # the publisher's corrected file: the original with one headcount revised
    sample_file(pipeline, URSSAF).write_bytes(original)
    edit_csv_lines(sample_file(pipeline, URSSAF),
                   lambda header, lines: [set_column(header, lines[0], "effectifs_salaries_2025", "4242"), *lines[1:]])
    result = pipeline()

    assert result.success
    assert evaluation(result, "raw_urssaf_ape", CHECK_NAME).passed
    assert evaluation(result, "raw_urssaf_ape", VOLUME_CHECK_NAME).passed
    assert lake_of(pipeline, URSSAF) != lake_before
    raw = raw_table(pipeline, URSSAF)
    assert len(raw) == 1500 and 4242 in set(raw["effectifs_salaries_2025"])
    assert not (pipeline.data / "lake" / "blocked" / URSSAF).exists() or not any((pipeline.data / "lake" / "blocked" / URSSAF).iterdir())


def test_the_first_ingestion_passes_the_volume_check_and_says_so(pipeline):
    result = pipeline()
    check = evaluation(result, "raw_rp_emploi", VOLUME_CHECK_NAME)
    assert check.passed
    assert "first ingestion of the source, nothing to compare with" in check.description


def test_the_cli_accepts_an_expected_volume_change_by_name(pipeline):
    from conftest import run_pipeline

    assert pipeline().success
    edit_csv_lines(sample_file(pipeline, "relance_laureats"), lambda header, lines: lines[: len(lines) // 2])
    assert run_pipeline(pipeline.data, "--accept-volume", "urssaf_ape") != 0  # another source: still blocked
    assert len(raw_table(pipeline, "relance_laureats")) == 27
    assert run_pipeline(pipeline.data, "--accept-volume", "relance_laureats") == 0
    assert len(raw_table(pipeline, "relance_laureats")) == 13
