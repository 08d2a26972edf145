"""One release per refresh, end to end on the sample: a refresh that fails anywhere publishes
nothing (every mart, the catalog and the portraits stay byte-identical), and the next good refresh
publishes one consistent release.

The cases of issue "Trustworthy refreshes" where the published marts mixed two states: a
duplicated row in the lauréats TI file (a staging test failed, yet two marts were republished) and
in the TI communes file (a staging uniqueness test that did not block).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from test_release_kill import published
from test_validation_dagster import defs, pipeline, pristine_sample  # noqa: F401 - fixtures
from ti_pipeline.config import get_paths
from ti_pipeline.releases import store
from ti_pipeline.sources.catalog import get_source, sample_path


def duplicate_a_row(sample: Path, source_name: str) -> tuple[Path, bytes]:
    """Append a copy of the file's first data row; returns the file and its bytes before."""
    source = get_source(source_name)
    path = sample_path(sample, source, source.releases[0])
    before = path.read_bytes()
    lines = before.decode("utf-8-sig").splitlines()
    path.write_bytes(before.rstrip(b"\r\n") + b"\n" + lines[1].encode("utf-8") + b"\n")
    return path, before


@pytest.mark.parametrize("source_name", ["laureats_ti", "ti_communes"])
def test_a_duplicated_row_publishes_nothing_and_a_fixed_file_publishes_one_release(pipeline, source_name):  # noqa: F811
    assert pipeline().success
    paths = get_paths()
    first = store.current_release(paths)
    before = published(paths.data_dir)

    path, good = duplicate_a_row(pipeline.sample, source_name)
    result = pipeline()
    assert not result.success
    assert store.current_release(paths) == first
    assert published(paths.data_dir) == before, "a failed refresh changed what readers see"
    assert [r.name for r in store.release_dirs(paths)] == [first.name]

    path.write_bytes(good)  # the publisher fixes the file
    assert pipeline().success
    second = store.current_release(paths)
    assert second != first or published(paths.data_dir) == before  # a new release, or the same builds kept
    manifest = json.loads((second / "datapackage.json").read_text())
    sha = hashlib.sha256(good).hexdigest()
    assert sha in {s["ti:sha256"] for s in manifest["sources"] if s["ti:source"] == source_name}
    assert all(t["passed"] or t["severity"] != "error" for r in manifest["resources"] for t in r["ti:tests"])
