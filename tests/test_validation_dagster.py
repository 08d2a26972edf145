"""Validation in the assembled pipeline: the checks are in the Definitions, a blocking failure keeps
the published marts as they were, a warning lets the refresh go on.

These run the whole refresh in process on a copy of the sample (a few seconds each).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import dagster as dg
import pytest

from ti_pipeline.config import get_paths
from ti_pipeline.sources.catalog import SOURCES, get_source, sample_path
from ti_pipeline.defs.raw import CHECK_NAME


@pytest.fixture(scope="module")
def defs():
    from ti_pipeline.definitions import defs

    return defs


def test_every_raw_asset_has_a_blocking_validation_check(defs):
    graph = defs.resolve_asset_graph()
    for source in SOURCES:
        key = dg.AssetCheckKey(dg.AssetKey(source.asset_name), CHECK_NAME)
        assert key in graph.asset_check_keys, f"{source.asset_name} has no {CHECK_NAME} check"
        assert graph.get_check_spec(key).blocking


@pytest.fixture(scope="module")
def pristine_sample(tmp_path_factory) -> Path:
    committed = get_paths().sample_dir
    if all(sample_path(committed, s, r).is_file() for s in SOURCES for r in s.releases):
        return committed
    generator = pytest.importorskip("ti_pipeline.sample.generator")
    out = tmp_path_factory.mktemp("sample")
    generator.generate(out)
    return out


@pytest.fixture
def pipeline(tmp_path, monkeypatch, pristine_sample, defs):
    """A private data folder and sample copy; returns a function running the whole refresh (the
    runs of ``ti-pipeline run``: raw sources per partitions definition, then downstream)."""
    from ti_pipeline.launch import refresh_in_process

    sample = tmp_path / "sample"
    shutil.copytree(pristine_sample, sample)
    monkeypatch.setenv("TI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TI_SAMPLE_DIR", str(sample))
    monkeypatch.setenv("TI_MODE", "sample")

    def run():
        return refresh_in_process(dg.DagsterInstance.ephemeral(), log_level="WARNING")

    run.sample = sample
    run.marts = tmp_path / "data" / "marts"
    return run


def marts_snapshot(marts: Path) -> dict[str, str]:
    """Content hash of every file of every published mart (following the version links)."""
    out = {}
    for entry in sorted(marts.iterdir()):
        if entry.name.startswith("."):
            continue
        target = entry.resolve()
        files = [target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file())
        for f in files:
            out[f"{entry.name}/{f.relative_to(target) if f != target else f.name}"] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def corrupt_first_row(sample: Path, source_name: str, column: str, value: str) -> None:
    """Replace the value of ``column`` in the first data row of a CSV sample file (quoted or not)."""
    source = get_source(source_name)
    release = source.releases[0]
    path = sample_path(sample, source, release)
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    sep = ";" if lines[0].count(";") > lines[0].count(",") else ","
    header = [h.strip().strip('"') for h in lines[0].rstrip("\r\n").split(sep)]
    cells = lines[1].rstrip("\r\n").split(sep)
    i = header.index(column)
    cells[i] = f'"{value}"' if cells[i].startswith('"') else value
    lines[1] = sep.join(cells) + lines[1][len(lines[1].rstrip("\r\n")):]
    path.write_bytes(("\ufeff" if raw.startswith(b"\xef\xbb\xbf") else "").encode() + "".join(lines).encode("utf-8"))


def check_evaluation(result, asset: str):
    for event in result.get_asset_check_evaluations():
        if event.asset_key == dg.AssetKey(asset) and event.check_name == CHECK_NAME:
            return event
    raise AssertionError(f"no {CHECK_NAME} evaluation for {asset}")


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def downstream_of(defs, asset: str) -> set[str]:
    graph = defs.resolve_asset_graph()
    keys = dg.AssetSelection.assets(asset).downstream().resolve(graph)
    return {k.to_user_string() for k in keys} - {asset}


def test_blocking_check_keeps_the_previous_marts(pipeline, defs):
    first = pipeline()
    assert first.success
    # Marts that do not depend on the blocked source (dim_indicateur) are rebuilt; the others must
    # stay byte for byte what the previous run published.
    blocked = downstream_of(defs, "raw_ti_communes")
    before = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}
    assert "mart_ti_composition" in {k.split("/")[0] for k in before}

    # One bad commune code in the TI perimeter: the threshold there is 0, so the check blocks.
    corrupt_first_row(pipeline.sample, "ti_communes", "insee_com", "1053")
    second = pipeline()

    check = check_evaluation(second, "raw_ti_communes")
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["rows_rejected"].value == 1
    assert not second.success
    assert not materialized(second) & blocked
    after = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}
    assert after == before


def test_warning_check_lets_the_refresh_go_on(pipeline):
    # One bad APE code among the Urssaf rows: below the 1% threshold, a warning.
    corrupt_first_row(pipeline.sample, "urssaf_ape", "code_ape", "25.62Z")
    result = pipeline()
    check = check_evaluation(result, "raw_urssaf_ape")
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["rows_rejected"].value == 1
    assert result.success
    assert any(name.startswith("mart_") for name in materialized(result))


def rename_header(sample: Path, source_name: str, old: str, new: str) -> None:
    source = get_source(source_name)
    path = sample_path(sample, source, source.releases[0])
    raw = path.read_bytes()
    head, _, rest = raw.partition(b"\n")
    path.write_bytes(head.replace(old.encode(), new.encode(), 1) + b"\n" + rest)


def step_failure_messages(result) -> str:
    return "\n".join(
        str(e.event_specific_data.error.message) + str(e.event_specific_data.error.cause or "")
        for e in result.all_events
        if e.is_step_failure
    )


def tree_snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_schema_drift_stops_the_source_and_names_the_rename(pipeline, defs):
    assert pipeline().success
    blocked = downstream_of(defs, "raw_ti_communes")
    before = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}
    lake = pipeline.marts.parent / "lake"
    raw_before = tree_snapshot(lake / "raw" / "ti_communes")

    rename_header(pipeline.sample, "ti_communes", "insee_com", "code_insee")
    result = pipeline()

    assert not result.success
    message = step_failure_messages(result)
    assert "Schema drift in source 'ti_communes'" in message
    assert "column 'insee_com' missing; found 'code_insee' — renamed?" in message
    assert not materialized(result) & (blocked | {"raw_ti_communes"})
    # nothing written: neither the raw table of the source nor the marts downstream changed
    assert tree_snapshot(lake / "raw" / "ti_communes") == raw_before
    after = {k: v for k, v in marts_snapshot(pipeline.marts).items() if k.split("/")[0] in blocked}
    assert after == before
