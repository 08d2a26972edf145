"""The synthetic sample validates: every release of every source, read with the real readers, 0 rejects.

Reads the committed sample (``data/sample``). Until it is committed, the sample generator writes
one into a temporary folder, so that a rule the synthetic data breaks is seen here either way.
"""

from __future__ import annotations

import pytest

from ti_pipeline.config import get_paths
from ti_pipeline.sources.catalog import SOURCES, sample_path
from ti_pipeline.sources.readers import read_release
from ti_pipeline.defs.raw import quality_check_result
from ti_pipeline.validation import validate

RELEASES = [pytest.param(s, r, id=f"{s.name}-{r.millesime}") for s in SOURCES for r in s.releases]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    committed = get_paths().sample_dir
    if all(sample_path(committed, s, r).is_file() for s in SOURCES for r in s.releases):
        return committed
    generator = pytest.importorskip("ti_pipeline.sample.generator")
    out = tmp_path_factory.mktemp("sample")
    generator.generate(out)
    return out


@pytest.mark.parametrize("source, release", RELEASES)
def test_sample_release_validates_without_rejects(sample_dir, source, release):
    read = read_release(source, release, sample_path(sample_dir, source, release))
    result = validate(
        source,
        release.millesime,
        read.frame,
        file_name=release.file_name,
        all_columns=read.info.get("all_columns"),
    )
    assert result.rows_in > 0
    assert result.rows_rejected == 0, result.rejects.head(10).to_string()
    assert result.rows_valid == result.rows_in == len(read.frame)
    assert quality_check_result(source, result).passed
    assert result.added_columns == [], f"{source.name}: the sample has columns the catalog does not know"
